"""Google objects to set INACTIVE after a pass or campaign is deleted, a campaign turns Google off or an
organization leaves an issuer;
the job claim that is to send a pending Google message, and a claim count on background jobs;
a Google push message kept between the object's PATCH and its send

Revision ID: 9c3e51b7a2d4
Revises: d41c7e2a9b50
Create Date: 2026-12-07 04:50:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '9c3e51b7a2d4'
down_revision = 'd41c7e2a9b50'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('google_wallet_objects', sa.Column(
        'pending_message', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
        nullable=True))
    op.add_column('google_wallet_objects', sa.Column('message_claim', sa.String(length=48), nullable=True))
    op.add_column('background_jobs', sa.Column('claims', sa.Integer(), server_default='0', nullable=False))
    op.create_table('google_wallet_retirements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('issuer_id', sa.String(length=32), nullable=True),
    sa.Column('service_account_encrypted', sa.Text(), nullable=True),
    sa.Column('campaign_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                            name=op.f('fk_google_wallet_retirements_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_google_wallet_retirements'))
    )
    op.create_index(op.f('ix_google_wallet_retirements_organization_id'), 'google_wallet_retirements',
                    ['organization_id'], unique=False)
    op.create_table('google_wallet_retired_objects',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('retirement_id', sa.String(length=36), nullable=False),
    sa.Column('google_type', sa.String(length=32), nullable=False),
    sa.Column('pass_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['retirement_id'], ['google_wallet_retirements.id'],
                            name=op.f('fk_google_wallet_retired_objects_retirement_id_google_wallet_retirements'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_google_wallet_retired_objects'))
    )
    op.create_index(op.f('ix_google_wallet_retired_objects_retirement_id'), 'google_wallet_retired_objects',
                    ['retirement_id'], unique=False)


def downgrade():
    op.drop_column('google_wallet_objects', 'pending_message')
    op.drop_column('google_wallet_objects', 'message_claim')
    op.drop_column('background_jobs', 'claims')
    op.drop_index(op.f('ix_google_wallet_retired_objects_retirement_id'), table_name='google_wallet_retired_objects')
    op.drop_table('google_wallet_retired_objects')
    op.drop_index(op.f('ix_google_wallet_retirements_organization_id'), table_name='google_wallet_retirements')
    op.drop_table('google_wallet_retirements')
