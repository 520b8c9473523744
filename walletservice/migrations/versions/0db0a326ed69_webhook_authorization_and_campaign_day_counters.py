"""Webhook Authorization value per organization; campaign day counters for reports

Revision ID: 0db0a326ed69
Revises: 4c7a9e2d1b63
Create Date: 2026-12-07 01:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0db0a326ed69'
down_revision = '4c7a9e2d1b63'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('webhook_authorization_encrypted', sa.Text(), nullable=True))
    op.create_table('campaign_day_counters',
    sa.Column('campaign_id', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('counter', sa.String(length=32), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                            name=op.f('fk_campaign_day_counters_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'day', 'counter', name=op.f('pk_campaign_day_counters'))
    )


def downgrade():
    op.drop_table('campaign_day_counters')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('webhook_authorization_encrypted')
