"""Google retirements: per-object attempts and next try, and a retirement's re-queue count

Revision ID: b7d41e2a9c50
Revises: 9c3e51b7a2d4
Create Date: 2026-12-07 05:55:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d41e2a9c50'
down_revision = '9c3e51b7a2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('google_wallet_retired_objects',
                  sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
    op.add_column('google_wallet_retired_objects', sa.Column('next_try_at', sa.DateTime(), nullable=True))
    op.add_column('google_wallet_retirements',
                  sa.Column('requeues', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    op.drop_column('google_wallet_retirements', 'requeues')
    op.drop_column('google_wallet_retired_objects', 'next_try_at')
    op.drop_column('google_wallet_retired_objects', 'attempts')
