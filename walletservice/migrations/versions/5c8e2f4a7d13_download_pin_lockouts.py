"""Download PIN lockouts: each lock since the last correct PIN lasts twice as long

Revision ID: 5c8e2f4a7d13
Revises: 7d3e5a1c9b24
Create Date: 2026-12-06 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c8e2f4a7d13'
down_revision = '7d3e5a1c9b24'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('download_pin_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lockouts', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('download_pin_attempts', schema=None) as batch_op:
        batch_op.drop_column('lockouts')
