"""Download PIN attempts: wrong guesses per pass and the lock they lead to

Revision ID: 8afc921cc164
Revises: a5e55100c0de
Create Date: 2026-11-26 15:40:27.380651

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8afc921cc164'
down_revision = 'a5e55100c0de'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('download_pin_attempts',
    sa.Column('pass_id', sa.String(length=36), nullable=False),
    sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['pass_id'], ['passes.id'], name=op.f('fk_download_pin_attempts_pass_id_passes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pass_id', name=op.f('pk_download_pin_attempts'))
    )


def downgrade():
    op.drop_table('download_pin_attempts')
