"""Device log limits: calls per client address per minute, and entries dropped per reason

Revision ID: 3f1c2d7e9a41
Revises: 3b7f2c9d1e45
Create Date: 2026-12-06 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f1c2d7e9a41'
down_revision = '3b7f2c9d1e45'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('device_log_client_windows',
    sa.Column('client_address', sa.String(length=64), nullable=False),
    sa.Column('minute', sa.BigInteger(), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('client_address', name=op.f('pk_device_log_client_windows'))
    )
    op.create_table('device_log_drops',
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('entries', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('reason', name=op.f('pk_device_log_drops'))
    )


def downgrade():
    op.drop_table('device_log_drops')
    op.drop_table('device_log_client_windows')
