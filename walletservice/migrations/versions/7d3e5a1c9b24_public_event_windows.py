"""Public event windows: page views and downloads recorded once per client address per window

Revision ID: 7d3e5a1c9b24
Revises: 3b7c2e9d41a6
Create Date: 2026-12-06 21:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d3e5a1c9b24'
down_revision = '3b7c2e9d41a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('public_event_windows',
    sa.Column('pass_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('client_hash', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.BigInteger(), nullable=False),
    sa.Column('repeats', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('pass_id', 'kind', 'client_hash', 'window_start', name=op.f('pk_public_event_windows'))
    )
    op.create_table('public_event_repeats',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('events', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_public_event_repeats'))
    )


def downgrade():
    op.drop_table('public_event_repeats')
    op.drop_table('public_event_windows')
