"""Pass revisions: every version of every pass, so no update loses data without a way back

Revision ID: 9e4b1c7a2d58
Revises: 5c8e2f4a7d13
Create Date: 2026-12-06 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '9e4b1c7a2d58'
down_revision = '5c8e2f4a7d13'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table('pass_revisions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('pass_id', sa.String(length=36), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('values', JSON, nullable=False),
    sa.Column('content', JSON, nullable=False),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('update_tag', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('route', sa.String(length=300), nullable=False),
    sa.Column('organization_id', sa.String(length=36), nullable=True),
    sa.Column('api_key_id', sa.String(length=36), nullable=True),
    sa.Column('restored_from', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['pass_id'], ['passes.id'], name=op.f('fk_pass_revisions_pass_id_passes'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pass_revisions')),
    sa.UniqueConstraint('pass_id', 'n', name=op.f('uq_pass_revisions_pass_id')),
    )


def downgrade():
    op.drop_table('pass_revisions')
