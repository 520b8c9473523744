"""Dashboard users, their sign-in attempts and the audit log of dashboard changes

Revision ID: 4c7a9e2d1b63
Revises: b7e21f94c3d0
Create Date: 2026-12-07 01:40:19.640070

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # autogenerate writes JSONB(astext_type=Text())
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '4c7a9e2d1b63'
down_revision = 'b7e21f94c3d0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dashboard_sign_in_attempts',
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('lockouts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('email', name=op.f('pk_dashboard_sign_in_attempts'))
    )
    with op.batch_alter_table('dashboard_sign_in_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_sign_in_attempts_last_attempt_at'), ['last_attempt_at'],
                              unique=False)
    op.create_table('dashboard_audit_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('user_email', sa.String(length=320), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('after', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_dashboard_audit_entries_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_audit_entries'))
    )
    with op.batch_alter_table('dashboard_audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_dashboard_audit_entries_organization_at', ['organization_id', 'occurred_at'], unique=False)

    op.create_table('dashboard_users',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('disabled_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_dashboard_users_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_users')),
    sa.UniqueConstraint('email', name=op.f('uq_dashboard_users_email'))
    )
    with op.batch_alter_table('dashboard_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_users_organization_id'), ['organization_id'], unique=False)



def downgrade():
    with op.batch_alter_table('dashboard_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboard_users_organization_id'))

    op.drop_table('dashboard_users')
    with op.batch_alter_table('dashboard_audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_dashboard_audit_entries_organization_at')

    op.drop_table('dashboard_audit_entries')
    with op.batch_alter_table('dashboard_sign_in_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboard_sign_in_attempts_last_attempt_at'))
    op.drop_table('dashboard_sign_in_attempts')
