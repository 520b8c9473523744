"""walletservice: an Apple Wallet pass backend.

`create_app()` is the only entry point; importing the package connects to nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Request, current_app, has_app_context
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from walletservice.config import DEFAULT_INSTANCE_DIR, load_settings
from walletservice.application import WalletApp, WsgiEdge
from walletservice.db import READS_BIND, engine_binds
from walletservice.request_authors import install_request_authors
from walletservice.services.pass_revisions import read_retention_from
from walletservice.url_rules import LazyBuilderRule

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_app(overrides: dict[str, Any] | None = None, *, instance_dir: Path | None = None) -> Flask:
    instance_path = Path(instance_dir or DEFAULT_INSTANCE_DIR)
    app = WalletApp(__name__, instance_path=str(instance_path), instance_relative_config=False)
    app.url_rule_class = LazyBuilderRule
    app.config.update(load_settings(instance_dir=instance_path, overrides=overrides))
    _ensure_secret_key(app, instance_path)
    _configure_flask(app)
    _configure_logging(app)
    _bind_extensions(app)
    _install_runtime(app)
    install_request_authors()
    read_retention_from(_configured_revisions_kept)
    _register_blueprints(app)
    _install_error_renderers(app)
    _register_cli(app)
    app.wsgi_app = WsgiEdge(app.wsgi_app)  # type: ignore[method-assign]
    _trust_proxies(app)
    return app


def _configured_revisions_kept() -> int | None:
    """The retention of the app whose context writes the revision (request, worker, scheduler)."""
    return current_app.config["WALLET_PASS_REVISIONS_KEPT"] if has_app_context() else None


def _trust_proxies(app: Flask) -> None:
    """Take the client address from X-Forwarded-For only when proxies that set it are declared:
    otherwise any client could name itself another address (and escape the device log limit)."""
    hops = app.config["WALLET_TRUSTED_PROXY_HOPS"]
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=0)  # type: ignore[method-assign]


MIN_SECRET_KEY_CHARS = 32


def _ensure_secret_key(app: Flask, instance_path: Path) -> None:
    """On SQLite (one machine) keep a generated key in instance/; elsewhere it must be set.

    Several PostgreSQL-backed machines must share one key, so none is invented there, and
    the service refuses to start without one: signed links (previews, bundles, PIN unlocks)
    made with an empty or short key could be forged by anyone.
    """
    key = app.config["WALLET_SECRET_KEY"]
    if not app.config["WALLET_DATABASE_URL"].startswith("sqlite"):
        if len(key) < MIN_SECRET_KEY_CHARS:
            raise ValueError(f"WALLET_SECRET_KEY: required with PostgreSQL, at least {MIN_SECRET_KEY_CHARS} "
                             "characters, the same in every process (README, Production deployment)")
        return
    if key:
        return
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(48))
    app.config["WALLET_SECRET_KEY"] = key_file.read_text().strip()


def _configure_flask(app: Flask) -> None:
    app.config["SQLALCHEMY_DATABASE_URI"] = _sqlalchemy_url(app.config["WALLET_DATABASE_URL"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["WALLET_DB_POOL_PRE_PING"]
    )
    app.config["SQLALCHEMY_BINDS"] = engine_binds(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    )
    app.config["MAX_CONTENT_LENGTH"] = app.config["WALLET_MAX_REQUEST_BYTES"]
    app.config["JSON_SORT_KEYS"] = False
    _configure_dashboard_sessions(app)
    app.json.sort_keys = False  # type: ignore[attr-defined]


_SESSION_KEY_PURPOSE = b"walletservice.dashboard.session"
DASHBOARD_PREFIX = "/dashboard"


def _configure_dashboard_sessions(app: Flask) -> None:
    """Flask's signed session cookie carries the dashboard sign-in (walletservice.dashboard).

    Its key is derived from WALLET_SECRET_KEY for this one purpose, so it is as stable
    as that key (kept in instance/ on SQLite, required with PostgreSQL) and a session
    cookie's MAC can never stand in for another use of the secret. The cookie is sent
    only to /dashboard, never readable by scripts, and only over https when the service
    is public on https.
    """
    secret = app.config["WALLET_SECRET_KEY"].encode()
    app.secret_key = hmac.new(secret, _SESSION_KEY_PURPOSE, hashlib.sha256).hexdigest()
    app.session_interface = DashboardOnlySessions()
    app.config.update(
        SESSION_COOKIE_NAME="wallet_dashboard",
        SESSION_COOKIE_PATH="/dashboard",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["WALLET_PUBLIC_URL"].startswith("https://"),
    )


class DashboardOnlySessions(SecureCookieSessionInterface):
    """Sessions for /dashboard only. With a secret key set, Flask would otherwise open and
    save a signed cookie session on every request, Apple's hot reads included (~13 µs);
    elsewhere Flask's null session costs nothing and nothing is saved."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not request.path.startswith(DASHBOARD_PREFIX):
            return None
        return super().open_session(app, request)


def _sqlalchemy_url(url: str) -> str:
    # Accept the common `postgresql://` and `postgres://` forms and use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _engine_options(url: str, pre_ping: bool) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # Web threads, the worker and the scheduler share the file: wait for locks
        # instead of failing at once.
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    # Pre-ping is off by default: it costs a round trip on every request of the hot
    # Wallet endpoints. Connections are recycled before typical idle timeouts, and
    # a connection found dead invalidates the pool (SQLAlchemy's default).
    return {"pool_recycle": 1800, "pool_pre_ping": pre_ping}


def _configure_logging(app: Flask) -> None:
    level = getattr(logging, str(app.config["WALLET_LOG_LEVEL"]).upper(), logging.INFO)
    logging.getLogger("walletservice").setLevel(level)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _bind_extensions(app: Flask) -> None:
    from walletservice import models  # noqa: F401  (register tables on the metadata)
    from walletservice.extensions import db, migrate
    from walletservice.db import install_sqlite_pragmas
    from walletservice.hot_reads import install_hot_reads

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    with app.app_context():
        for bind, engine in db.engines.items():
            install_sqlite_pragmas(engine, autocommit=bind == READS_BIND)
        install_hot_reads(app)


def _install_runtime(app: Flask) -> None:
    from walletservice.runtime import install_runtime

    install_runtime(app)


def _register_blueprints(app: Flask) -> None:
    from walletservice.api import register_integrator_api
    from walletservice.dashboard import dashboard_blueprint
    from walletservice.google_callbacks import google_callbacks_blueprint
    from walletservice.operations import operations_blueprint
    from walletservice.web import web_blueprint
    from walletservice.web.vendor_assets import vendor_blueprint
    from walletservice.webservice import webservice_blueprint, webservice_openapi_blueprint

    app.register_blueprint(webservice_blueprint)
    app.register_blueprint(webservice_openapi_blueprint)
    app.register_blueprint(web_blueprint)
    app.register_blueprint(vendor_blueprint)
    app.register_blueprint(dashboard_blueprint)
    app.register_blueprint(operations_blueprint)
    app.register_blueprint(google_callbacks_blueprint)
    register_integrator_api(app)


def _install_error_renderers(app: Flask) -> None:
    from walletservice.error_renderers import install_error_renderers

    install_error_renderers(app)


def _register_cli(app: Flask) -> None:
    from walletservice.cli import wallet_cli

    app.cli.add_command(wallet_cli)
