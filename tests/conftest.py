"""Fixtures shared by the whole suite.

The schema is built once per session by running the migrations (which tests
them), on SQLite by default or on WALLET_TEST_DATABASE_URL. Each test starts from
empty tables: rows are deleted with real commits, never rolled back from a savepoint,
so concurrency tests see what production sees.

The `app` is built once per worker and its configuration put back after each test:
building one registers some 330 URL rules (60-80 ms), which across 4,000 tests was
several minutes of CI. A test that changes the app itself (registers a blueprint, say)
asks for a new one with `@pytest.mark.fresh_app`.

Under pytest-xdist (`make test` runs one worker per core) each worker has its own
database: a file in its own temporary directory on SQLite, and on PostgreSQL the
given database's name with the worker's id appended (`test_gw0`), created here.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import Engine, create_engine, make_url, text

from walletservice import create_app
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import Base
from walletservice.models.scheduling import APSCHEDULER_JOBS_TABLE
from walletservice.services.certificates import dev_certificate_paths, ensure_dev_certificates

TEST_PASS_TYPE = "pass.com.example.walletservice.test"
TEST_TEAM = "TEAMID1234"


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("WALLET_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_root / 'test.sqlite3'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(url, worker) if worker else url


def _psycopg_engine(url: str) -> Engine:
    return create_engine(make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")


def _worker_database(url: str, worker: str) -> str:
    """`url` with the worker's own database, created on first use."""
    worker_url = make_url(url)
    worker_url = worker_url.set(database=f"{worker_url.database}_{worker}")
    engine = _psycopg_engine(url)
    with engine.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": worker_url.database})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{worker_url.database}"'))
    engine.dispose()
    return worker_url.render_as_string(hide_password=False)


def _reset_postgresql(url: str) -> None:
    engine = _psycopg_engine(url)
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def test_settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("walletservice")
    url = _database_url(root)
    if url.startswith("postgresql"):
        _reset_postgresql(url)
    certs_dir = root / "certs"
    ensure_dev_certificates(certs_dir, TEST_PASS_TYPE, TEST_TEAM)
    settings = {
        "WALLET_DATABASE_URL": url,
        "WALLET_PUBLIC_URL": "https://wallet.example.test",
        "WALLET_CERTS_DIR": str(certs_dir),
        "WALLET_SECRET_KEY": "test-secret-key-not-for-production",
        "WALLET_TEAM_IDENTIFIER": TEST_TEAM,
        "WALLET_DEV_PASS_TYPE_IDENTIFIER": TEST_PASS_TYPE,
        # Fetch events are written in the request, so tests see them at once;
        # tests/webservice/test_fetch_recorder.py covers the batched default.
        "WALLET_FETCH_EVENTS_FLUSH_SECONDS": 0,
        # No mail server, whatever the environment says: nothing (the fuzzers included) mails
        # anyone; tests/v3/test_email_sendout.py points these at a loopback SMTP server.
        "WALLET_SMTP_URL": "",
        "WALLET_MAIL_FROM": "",
        # No SMS provider either; tests/v3/test_sms_sendout.py points it at a loopback stand-in.
        "WALLET_SMS_URL": "",
    }
    app = create_app(settings, instance_dir=root / "instance")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return settings


@pytest.fixture(scope="session")
def dev_ca_pem(test_settings: dict[str, object]) -> Path:
    return dev_certificate_paths(str(test_settings["WALLET_CERTS_DIR"])).ca_certificate


@pytest.fixture(scope="session")
def shared_app(test_settings: dict[str, object], tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return create_app(dict(test_settings), instance_dir=tmp_path_factory.mktemp("shared") / "instance")


@pytest.fixture
def app(request: pytest.FixtureRequest, test_settings: dict[str, object], tmp_path: Path) -> Iterator[Flask]:
    if request.node.get_closest_marker("fresh_app"):
        app = create_app(dict(test_settings), instance_dir=tmp_path / "instance")
    else:
        app = request.getfixturevalue("shared_app")
    configured = copy.deepcopy(dict(app.config))
    try:
        yield from _with_empty_tables(app)
    finally:
        app.config.clear()
        app.config.update(configured)


def _with_empty_tables(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        _delete_all_rows()
        yield app
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def _delete_all_rows() -> None:
    with transaction() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
        session.execute(text(f"DELETE FROM {APSCHEDULER_JOBS_TABLE}"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
