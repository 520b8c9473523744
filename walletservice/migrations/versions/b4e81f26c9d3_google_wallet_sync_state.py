"""Google Wallet sync state per campaign (class) and per pass (object); callback nonces; shared request rate slots

Revision ID: b4e81f26c9d3
Revises: 0db0a326ed69
Create Date: 2026-12-07 02:15:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'b4e81f26c9d3'
down_revision = '0db0a326ed69'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('google_wallet_classes',
    sa.Column('campaign_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('synced_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id')
    )
    op.create_table('google_wallet_objects',
    sa.Column('pass_id', sa.String(length=36), nullable=False),
    sa.Column('synced_tag', sa.BigInteger(), nullable=False),
    sa.Column('synced_at', sa.DateTime(), nullable=False),
    sa.Column('message_value', sa.Text(), nullable=True),
    sa.Column('notified_at', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('unnotified_messages', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['pass_id'], ['passes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pass_id')
    )
    op.create_table('google_callback_nonces',
    sa.Column('nonce', sa.String(length=128), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('nonce')
    )
    op.create_table('rate_slots',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('next_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade():
    op.drop_table('rate_slots')
    op.drop_table('google_callback_nonces')
    op.drop_table('google_wallet_objects')
    op.drop_table('google_wallet_classes')
