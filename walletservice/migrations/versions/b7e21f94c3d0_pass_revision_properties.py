"""Pass revisions keep the per-pass values beside the content (userProvidedId and Pass.extra:
storedValue, bundleId, downloadPin, ...), so a restore brings them back

Revision ID: b7e21f94c3d0
Revises: 9e4d1a7c2b58
Create Date: 2026-12-07 01:50:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'b7e21f94c3d0'
down_revision = '9e4d1a7c2b58'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    # NULL on the revisions written before: a restore of one leaves these values as they are.
    with op.batch_alter_table('pass_revisions') as batch_op:
        batch_op.add_column(sa.Column('properties', JSON, nullable=True))


def downgrade():
    with op.batch_alter_table('pass_revisions') as batch_op:
        batch_op.drop_column('properties')
