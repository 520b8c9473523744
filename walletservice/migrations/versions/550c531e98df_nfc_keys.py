"""NFC (Value Added Services) key pairs per organization

Revision ID: 550c531e98df
Revises: 7c2f9a41d6e8
Create Date: 2026-12-07 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '550c531e98df'
down_revision = '7c2f9a41d6e8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('nfc_keys',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('public_key', sa.Text(), nullable=False),
    sa.Column('private_key_encrypted', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('nfc_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nfc_keys_organization_id'), ['organization_id'], unique=False)


def downgrade():
    with op.batch_alter_table('nfc_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nfc_keys_organization_id'))
    op.drop_table('nfc_keys')
