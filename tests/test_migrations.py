"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from walletservice.extensions import db
from walletservice.models import Base
from walletservice.models.scheduling import APSCHEDULER_JOBS_TABLE


# The pass search's trigram index: PostgreSQL only, made by migration d41c7e2a9b50.
POSTGRESQL_ONLY_INDEXES = ("ix_passes_search_text_trigrams",)


def _ours(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    if type_ == "index" and name in POSTGRESQL_ONLY_INDEXES:
        return False
    return not (type_ == "table" and name in (APSCHEDULER_JOBS_TABLE, "alembic_version"))


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": _ours})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
