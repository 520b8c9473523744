"""GET /healthz (liveness, no database) and GET /readyz (database answers, schema at head)."""

from __future__ import annotations

from collections.abc import Callable

from alembic.script import ScriptDirectory
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from walletservice import MIGRATIONS_DIR
from walletservice.db import transaction

HEAD = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
UNREACHABLE = "sqlite:////nonexistent-directory/walletservice.sqlite3"


def test_healthz_answers_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_answers_without_a_database(make_app: Callable[..., Flask]) -> None:
    client = make_app(WALLET_DATABASE_URL=UNREACHABLE).test_client()

    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_answers_ready_when_the_schema_is_at_head(client: FlaskClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ready"}


def test_readyz_is_503_when_the_database_is_unreachable(make_app: Callable[..., Flask]) -> None:
    response = make_app(WALLET_DATABASE_URL=UNREACHABLE).test_client().get("/readyz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "not ready", "problem": "database unreachable (OperationalError)"}


def test_readyz_is_503_on_a_database_never_migrated(make_app: Callable[..., Flask], empty_database_url: str) -> None:
    response = make_app(WALLET_DATABASE_URL=empty_database_url).test_client().get("/readyz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "not ready",
                                   "problem": f"database schema is not migrated, code expects {HEAD}"}


def test_readyz_is_503_while_the_schema_is_behind_the_code(
    make_app: Callable[..., Flask], empty_database_url: str,
) -> None:
    behind = make_app(WALLET_DATABASE_URL=empty_database_url)
    previous = ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(HEAD).down_revision
    with behind.app_context():
        upgrade(revision=previous)

    response = behind.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.is_json
    assert response.get_json()["problem"] == f"database schema is at {previous}, code expects {HEAD}"


def test_readyz_stays_ready_when_a_newer_release_migrated_first(
    make_app: Callable[..., Flask], empty_database_url: str,
) -> None:
    # A rolling deploy migrates before the old processes stop; they must keep serving.
    ahead = make_app(WALLET_DATABASE_URL=empty_database_url)
    with ahead.app_context():
        upgrade()
        with transaction() as session:
            session.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed0001'"))

    response = ahead.test_client().get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ready"}
