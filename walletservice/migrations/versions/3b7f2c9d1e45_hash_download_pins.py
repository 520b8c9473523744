"""Download PINs: replace each plain downloadPin in passes.extra by its salted scrypt hash

Revision ID: 3b7f2c9d1e45
Revises: 8afc921cc164
Create Date: 2026-12-06 19:50:00.000000

Data only; no schema change. Hashes are made the way services.download_pins.protect_pin
makes them (werkzeug's scrypt); the method is spelled here so the migration stays as it
ran even if the service later changes its parameters (check_password_hash reads them
from the stored value). Running it twice changes nothing: hashes are recognised.
The downgrade cannot give the PINs back: it leaves the hashes, which the code before
this revision would compare as plain text (every PIN then fails until it is set again).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from werkzeug.security import generate_password_hash


# revision identifiers, used by Alembic.
revision = '3b7f2c9d1e45'
down_revision = '8afc921cc164'
branch_labels = None
depends_on = None

PIN_KEY = "downloadPin"
HASH_METHOD = "scrypt:8192:8:1"
MAX_PIN_CHARS = 64

passes = sa.table(
    "passes",
    sa.column("id", sa.String(36)),
    sa.column("extra", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
)


def _needs_hash(pin):
    if pin is None or isinstance(pin, (dict, list)) or str(pin) == "":
        return False
    return not (isinstance(pin, str) and pin.startswith("scrypt:") and len(pin) > MAX_PIN_CHARS)


def upgrade():
    bind = op.get_bind()
    # A text match narrows the scan to the passes that can have a PIN; Python decides.
    candidates = sa.select(passes.c.id, passes.c.extra).where(
        sa.cast(passes.c.extra, sa.Text).like(f'%"{PIN_KEY}"%'))
    for pass_id, extra in bind.execute(candidates).all():
        if not isinstance(extra, dict) or not _needs_hash(extra.get(PIN_KEY)):
            continue
        hashed = generate_password_hash(str(extra[PIN_KEY]), method=HASH_METHOD)
        bind.execute(passes.update().where(passes.c.id == pass_id).values(extra={**extra, PIN_KEY: hashed}))


def downgrade():
    pass
