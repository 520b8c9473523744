"""Server time of the dashboard's overview with many passes and events, on PostgreSQL.

    .venv/bin/python bench/dashboard_overview.py --database-url postgresql://postgres@127.0.0.1:5432/NAME \
        [--passes 100000] [--events 1000000] [--campaigns 10] [--runs 20]

DROPS AND RECREATES the public schema of the given database, builds it with the real
migrations, creates one organization with --campaigns campaigns through the services,
then copies one real pass --passes times, registers a third of them on devices, and
writes --events pass events (installs, uninstalls, updates, pushes, fetches) spread over
the last 400 days, all in SQL, and runs VACUUM ANALYZE. Then times GET /dashboard signed in (Flask's test client:
the whole request, no network) --runs times and prints the median and the slowest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from sqlalchemy import text  # noqa: E402

from tests.conftest import _reset_postgresql  # noqa: E402
from tests.dashboard.conftest import PASSWORD, add_user, post_sign_in  # noqa: E402
from tests.factories import make_campaign, make_organization, make_pass  # noqa: E402
from walletservice import create_app  # noqa: E402
from walletservice.db import transaction  # noqa: E402
from walletservice.extensions import db  # noqa: E402
from walletservice.services.certificates import ensure_dev_certificates  # noqa: E402

PASS_COPIES = """
INSERT INTO passes (id, organization_id, campaign_id, pass_type_identifier, team_identifier, serial_number,
    authentication_token, certificate_id, download_id, values, content, update_tag, modified_at, voided,
    redeem_code, redeemed_count, extra, created_at)
SELECT md5('p' || n), p.organization_id, c.ids[1 + n % :campaigns], p.pass_type_identifier, p.team_identifier,
    'bench-' || n, md5('t' || n), p.certificate_id, md5('d' || n), p.values, p.content, n + 1000, p.modified_at,
    false, NULL, 0, p.extra, now() - (n % 400) * interval '1 day'
FROM passes p, (SELECT array_agg(id ORDER BY id) AS ids FROM campaigns) c, generate_series(1, :passes) n
WHERE p.id = :template
"""
DEVICES = """
INSERT INTO devices (device_library_identifier, push_token, created_at, updated_at)
SELECT 'device-' || n, md5('push' || n), now(), now() FROM generate_series(1, :devices) n
"""
REGISTRATIONS = """
INSERT INTO registrations (device_id, pass_id, pass_type_identifier, device_os, created_at, updated_at)
SELECT d.id, md5('p' || substr(d.device_library_identifier, 8)), :pass_type, 'ios', now(), now() FROM devices d
"""
EVENTS = """
INSERT INTO pass_events (organization_id, campaign_id, pass_id, kind, device_os, count, occurred_at)
SELECT :organization, c.ids[1 + n % :campaigns], md5('p' || (n % :passes + 1)),
    (ARRAY['installed', 'uninstalled', 'updated', 'pushed', 'fetched'])[1 + n % 5], 'ios', 1,
    now() - (n % 400) * interval '1 day' - (n % 86400) * interval '1 second'
FROM (SELECT array_agg(id ORDER BY id) AS ids FROM campaigns) c, generate_series(1, :events) n
"""


def seed(app, passes: int, events: int, campaigns: int) -> str:  # type: ignore[no-untyped-def]
    organization, _key = make_organization("Bench Town")
    made = [make_campaign(organization) for _ in range(campaigns)]
    with transaction() as session:
        for number, campaign in enumerate(made):
            session.merge(campaign).name = f"Campaign {number}"
    template = make_pass(made[0])
    started = time.perf_counter()
    with transaction() as session:
        session.execute(text(PASS_COPIES), {"campaigns": campaigns, "passes": passes, "template": template.id})
        session.execute(text(DEVICES), {"devices": passes // 3})
        session.execute(text(REGISTRATIONS), {"pass_type": template.pass_type_identifier})
        session.execute(text(EVENTS), {"organization": organization.id, "campaigns": campaigns,
                                       "passes": passes, "events": events})
    with app.app_context(), db.engine.connect() as connection:  # as autovacuum would have by now
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    print(f"seeded {passes} passes, {passes // 3} registrations, {events} events in "
          f"{time.perf_counter() - started:.1f} s")
    return add_user(organization.id, "bench@bench.test", "viewer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--passes", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--campaigns", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    _reset_postgresql(args.database_url)
    folder = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    ensure_dev_certificates(folder / "certs", "pass.dev.walletservice", "DEVTEAM123")
    app = create_app({"WALLET_DATABASE_URL": args.database_url, "WALLET_CERTS_DIR": str(folder / "certs"),
                      "WALLET_SECRET_KEY": "bench-secret-key-of-at-least-32-characters"},
                     instance_dir=folder / "instance")
    with app.app_context():
        flask_migrate.upgrade()
        email = seed(app, args.passes, args.events, args.campaigns)
        client = app.test_client()
        assert post_sign_in(client, email, PASSWORD).status_code == 302
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get("/dashboard")
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    print(f"GET /dashboard ({args.runs} runs): median {statistics.median(timings):.0f} ms, "
          f"slowest {max(timings):.0f} ms")


if __name__ == "__main__":
    main()
