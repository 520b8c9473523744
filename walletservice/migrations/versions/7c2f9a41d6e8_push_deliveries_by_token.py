"""Push deliveries by device token and pass type: the dashboard's timeline and stale devices

Revision ID: 7c2f9a41d6e8
Revises: b4e81f26c9d3
Create Date: 2026-12-07 03:05:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c2f9a41d6e8'
down_revision = 'b4e81f26c9d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_push_deliveries_token_type', 'push_deliveries',
                    ['push_token', 'pass_type_identifier', 'finished_at'], unique=False)


def downgrade():
    op.drop_index('ix_push_deliveries_token_type', table_name='push_deliveries')
