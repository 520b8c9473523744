"""Passes issued per second through the integrator API (POST /v2/generics/{id}/passes).

    .venv/bin/python bench/api_pass_creation.py [--seconds 5] [--database sqlite|postgresql]

Builds a fresh database with the real migrations (SQLite in a temporary folder, or the
PostgreSQL database --database-name, default `walletservice_bench_api`, dropped and
recreated through --admin-url), creates
the Toy Town generic campaign of passworks-v2-generics.md through the API, then POSTs
Johnny Appleseed's documented pass body again and again for --seconds with Flask's
test client (the whole request path in one process: auth, validation, redeem code,
pass.json checks, tag allocation, commit; no HTTP server or network). Prints passes/s
and latency percentiles, and checks every pass got its own sequential redeem code.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
import psycopg  # noqa: E402
from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from tests.factories import make_organization, png_bytes  # noqa: E402
from walletservice import create_app  # noqa: E402
from walletservice.db import transaction  # noqa: E402
from walletservice.models import Pass  # noqa: E402
from walletservice.services.certificates import ensure_dev_certificates  # noqa: E402

DATABASE = "walletservice_bench_api"
PASS_TYPE, TEAM = "pass.bench.walletservice", "BENCHTEAM1"
TOY_TOWN = {  # passworks-v2-generics.md, step 1
    "name": "Toy Town Generic Passes!", "logo_text": "Toy Town", "barcode": {"format": "pdf417"},
    "text_color": "#ffffff", "background_color": "#c51f1f",
    "primary_fields": [{"key": "member", "behaviour": "dynamic"}],
    "secondary_fields": [{"key": "subtitle", "label": "MEMBER SINCE", "behaviour": "dynamic"}],
    "auxiliary_fields": [{"key": "level", "label": "LEVEL", "value": "Gold"},
                         {"key": "favorite", "label": "FAVORITE TOY", "behaviour": "dynamic"}],
}
JOHNNY = {"pass": {  # "Creating a Generic Pass for Johnny Appleseed"
    "primary_fields": [{"key": "member", "value": "Johnny Appleseed"}],
    "secondary_fields": [{"key": "subtitle", "value": "2012"}],
    "auxiliary_fields": [{"key": "favorite", "value": "Trucks"}],
}}


def build_app(args: argparse.Namespace, workdir: Path) -> Flask:
    """A migrated, empty database and an app on it."""
    if args.database == "postgresql":
        with psycopg.connect(args.admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{args.database_name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{args.database_name}"')
        server = args.admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        url = f"{server}/{args.database_name}"
    else:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    certs_dir = workdir / "certs"
    ensure_dev_certificates(certs_dir, PASS_TYPE, TEAM)
    app = create_app({
        "WALLET_DATABASE_URL": url, "WALLET_CERTS_DIR": str(certs_dir), "WALLET_SECRET_KEY": "bench-secret-key-not-for-production",
        "WALLET_DEV_PASS_TYPE_IDENTIFIER": PASS_TYPE, "WALLET_TEAM_IDENTIFIER": TEAM, "WALLET_LOG_LEVEL": "WARNING",
    }, instance_dir=workdir / "instance")
    with app.app_context():
        flask_migrate.upgrade()
    return app


def create_toy_town(client: FlaskClient, headers: dict[str, str]) -> str:
    """Upload an icon and create the campaign through the API; returns its id."""
    form = {"asset[asset_type]": "icon", "asset[file]": (io.BytesIO(png_bytes((300, 300))), "icon.png")}
    icon = client.post("/v2/assets", data=form, headers=headers, content_type="multipart/form-data")
    campaign = client.post("/v2/generics", json={"generic": {**TOY_TOWN, "icon_id": icon.get_json()["id"]}},
                           headers=headers)
    assert campaign.status_code == 201, campaign.get_json()
    return str(campaign.get_json()["id"])


def api_headers() -> dict[str, str]:
    organization, api_key = make_organization("Toy Town")
    return {"Authorization": f"Bearer {api_key}"}


def measure(client: FlaskClient, headers: dict[str, str], campaign_id: str, seconds: float) -> list[float]:
    url = f"/v2/generics/{campaign_id}/passes"
    for _ in range(20):  # warm-up: imports, caches, connection pool
        client.post(url, json=JOHNNY, headers=headers)
    latencies = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        response = client.post(url, json=JOHNNY, headers=headers)
        latencies.append(time.perf_counter() - started)
        if response.status_code != 201:
            raise SystemExit(f"unexpected {response.status_code}: {response.get_json()}")
    return latencies


def check_codes(app: Flask) -> tuple[int, int]:
    with app.app_context(), transaction(write=False) as session:
        return (session.scalar(select(func.count()).select_from(Pass)) or 0,
                session.scalar(select(func.count(func.distinct(Pass.redeem_code)))) or 0)


def database_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database-name", default=DATABASE,
                        help="PostgreSQL database to drop and recreate (default %(default)s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    database_arguments(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wallet-bench-") as workdir:
        app = build_app(args, Path(workdir))
        with app.app_context():
            headers = api_headers()
            client = app.test_client()
            campaign_id = create_toy_town(client, headers)
            latencies = measure(client, headers, campaign_id, args.seconds)
        passes, codes = check_codes(app)
    total = sum(latencies)
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"database: {args.database}; {len(latencies)} passes in {total:.2f} s through the API (test client)")
    print(f"passes/s: {len(latencies) / total:.1f}   p50: {quantiles[49] * 1000:.2f} ms   "
          f"p99: {quantiles[98] * 1000:.2f} ms")
    print(f"distinct redeem codes: {codes} of {passes} passes")
    if codes != passes:
        raise SystemExit("two passes share a redeem code")


if __name__ == "__main__":
    main()
