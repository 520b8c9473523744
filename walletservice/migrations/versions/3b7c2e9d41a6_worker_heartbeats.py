"""Worker heartbeats: one row per supervised loop per process, for /readyz

Revision ID: 3b7c2e9d41a6
Revises: 3f1c2d7e9a41
Create Date: 2026-12-06 19:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7c2e9d41a6'
down_revision = '3f1c2d7e9a41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('worker_heartbeats',
    sa.Column('process', sa.String(length=128), nullable=False),
    sa.Column('loop', sa.String(length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('last_beat_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('process', 'loop', name=op.f('pk_worker_heartbeats'))
    )


def downgrade():
    op.drop_table('worker_heartbeats')
