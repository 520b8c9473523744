"""An organization's own Google Wallet issuer id and service account key (encrypted)

Revision ID: 6a2f9c41d7e8
Revises: 550c531e98df
Create Date: 2026-12-07 03:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6a2f9c41d7e8'
down_revision = '550c531e98df'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('google_issuer_accounts',
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('issuer_id', sa.String(length=32), nullable=False),
    sa.Column('client_email', sa.String(length=320), nullable=False),
    sa.Column('private_key_id', sa.String(length=128), nullable=True),
    sa.Column('service_account_encrypted', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id')
    )


def downgrade():
    op.drop_table('google_issuer_accounts')
