"""Dashboard sign-in attempts per client address: one machine cannot try many e-mail addresses

Revision ID: e5b8d2a7c4f1
Revises: 6a2f9c41d7e8
Create Date: 2026-12-07 04:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b8d2a7c4f1'
down_revision = '6a2f9c41d7e8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dashboard_sign_in_address_attempts',
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('lockouts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('address', name=op.f('pk_dashboard_sign_in_address_attempts'))
    )
    with op.batch_alter_table('dashboard_sign_in_address_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_sign_in_address_attempts_last_attempt_at'),
                              ['last_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('dashboard_sign_in_address_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboard_sign_in_address_attempts_last_attempt_at'))
    op.drop_table('dashboard_sign_in_address_attempts')
