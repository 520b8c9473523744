"""Server time of every dashboard page with many passes and events, on PostgreSQL.

    .venv/bin/python bench/dashboard_pages.py --database-url postgresql://postgres@127.0.0.1:5432/NAME \
        [--passes 100000] [--events 1000000] [--campaigns 10] [--runs 30] [--repeats 3] [--reuse]

DROPS AND RECREATES the public schema of the given database (unless --reuse finds it
seeded: then it only runs the migrations added since), builds it with the real migrations, creates one organization with --campaigns
campaigns through the services, then, all in SQL: copies one real pass --passes times,
registers a third of them on devices, writes --events pass events (installs, uninstalls,
updates, pushes, fetches) spread over the last 400 days, pushes to a tenth of the
registered devices after their pass changed (stale devices), and adds webhook
deliveries, audit entries and API keys; then VACUUM ANALYZE. Each page is then asked
--runs times, signed in, through Flask's test client (the whole request, no network),
after one warm-up request; the table shows the median and the 95th percentile. With
--repeats R the whole round is run R times and the table adds the median of the medians.

Adding a page is one line in PAGES.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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

# Pass n is md5('p' || n); passes 1 to passes/3 are registered on device n, every tenth
# of those was pushed after its last change and not fetched since (stale).
REGISTERED_PASS, STALE_PASS = "md5('p3')", "md5('p30')"
# The campaign with the most passes: its page draws the chart with the most events.
BUSY_CAMPAIGN = "(SELECT campaign_id FROM passes GROUP BY campaign_id ORDER BY count(*) DESC LIMIT 1)"
V3_QUERY = json.dumps({"groups": [[{"field": "identifier", "operator": "equals", "value": ["bench-4242"]}]]})


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # {registered_pass}, {stale_pass} and {busy_campaign} are filled in after seeding


PAGES = [
    Page("overview (with stale devices)", "/dashboard"),
    Page("campaigns list", "/dashboard/campaigns"),
    Page("passes search, first page", "/dashboard/passes"),
    Page("passes search, plain text", "/dashboard/passes?q=bench-4242"),
    Page("passes search, one pass's id", "/dashboard/passes?q={stale_pass}"),
    # Under three characters there are no trigrams: every pass of the organization is tested.
    Page("passes search, two characters", "/dashboard/passes?q=zq"),
    Page("passes search, v3 query", "/dashboard/passes?q=" + V3_QUERY),
    Page("pass page (timeline)", "/dashboard/passes/{registered_pass}"),
    Page("pass page, stale device", "/dashboard/passes/{stale_pass}"),
    Page("campaign page (chart, preview)", "/dashboard/campaigns/{busy_campaign}"),
    Page("audit log", "/dashboard/audit"),
    Page("schedules", "/dashboard/schedules"),
    Page("certificates", "/dashboard/certificates"),
    Page("API keys", "/dashboard/api-keys"),
    Page("webhooks (delivery log)", "/dashboard/webhooks"),
]

PASS_COPIES = """
INSERT INTO passes (id, organization_id, campaign_id, pass_type_identifier, team_identifier, serial_number,
    authentication_token, certificate_id, download_id, values, content, update_tag, modified_at, voided,
    redeem_code, redeemed_count, extra, created_at)
SELECT md5('p' || n), p.organization_id, c.ids[1 + n % :campaigns], p.pass_type_identifier, p.team_identifier,
    'bench-' || n, md5('t' || n), p.certificate_id, md5('d' || n), p.values, p.content, n + 1000,
    now() - (n % 400) * interval '1 day', false, NULL, 0, p.extra, now() - (n % 400) * interval '1 day'
FROM passes p, (SELECT array_agg(id ORDER BY id) AS ids FROM campaigns) c, generate_series(1, :passes) n
WHERE p.id = :template
"""
DEVICES = """
INSERT INTO devices (device_library_identifier, push_token, created_at, updated_at)
SELECT 'device-' || n, md5('push' || n), now(), now() FROM generate_series(1, :devices) n
"""
REGISTRATIONS = """
INSERT INTO registrations (device_id, pass_id, pass_type_identifier, device_os, created_at, updated_at)
SELECT d.id, p.id, :pass_type, 'ios', p.created_at + interval '1 hour', p.created_at + interval '1 hour'
FROM devices d JOIN passes p ON p.id = md5('p' || substr(d.device_library_identifier, 8))
"""
EVENTS = """
-- Campaign, kind and day vary independently: every campaign has every kind every day, as
-- the roll-up will in production (10 campaigns x 5 kinds x 400 days).
INSERT INTO pass_events (organization_id, campaign_id, pass_id, kind, device_os, count, occurred_at)
SELECT :organization, c.ids[1 + n % :campaigns], md5('p' || (n % :passes + 1)),
    (ARRAY['installed', 'uninstalled', 'updated', 'pushed', 'fetched'])[1 + (n / :campaigns) % 5], 'ios', 1,
    now() - ((n / (5 * :campaigns)) % 400) * interval '1 day' - (n % 86400) * interval '1 second'
FROM (SELECT array_agg(id ORDER BY id) AS ids FROM campaigns) c, generate_series(1, :events) n
"""
PUSH_REQUESTS = """
INSERT INTO push_requests (id, organization_id, campaign_id, state, total, created_at, finished_at)
SELECT md5('r' || n), :organization, NULL, 'done', 0, now() - n * interval '1 hour', now() - n * interval '1 hour'
FROM generate_series(0, 99) n
"""
# A tenth of the registered passes changed 3 hours ago, pushed 2 hours ago, never fetched
# since; one delivery in 20 failed.
STALE_PUSHES = """
WITH stale AS (SELECT n FROM generate_series(10, :devices, 10) n)
INSERT INTO push_deliveries (push_request_id, push_token, pass_type_identifier, state, attempts, next_attempt_at,
    status, finished_at)
SELECT md5('r' || (n % 100)), md5('push' || n), :pass_type, CASE WHEN n % 200 = 0 THEN 'failed' ELSE 'sent' END, 1,
    now(), 200, now() - interval '2 hours' FROM stale
"""
STALE_PASSES = """
UPDATE passes SET modified_at = now() - interval '3 hours', last_fetched_at = NULL
WHERE id IN (SELECT md5('p' || n) FROM generate_series(10, :devices, 10) n)
"""
WEBHOOK_DELIVERIES = """
INSERT INTO webhook_deliveries (organization_id, url, payload, state, attempts, next_attempt_at, last_status,
    created_at, finished_at)
SELECT :organization, 'https://hooks.bench.test/wallet', '{"event": "installed"}',
    CASE WHEN n % 20 = 0 THEN 'failed' ELSE 'sent' END, 1, now(), CASE WHEN n % 20 = 0 THEN 500 ELSE 200 END,
    now() - n * interval '1 minute', now() - n * interval '1 minute'
FROM generate_series(1, 20000) n
"""
AUDIT_ENTRIES = """
INSERT INTO dashboard_audit_entries (organization_id, user_email, action, target_type, target_id, before, after,
    occurred_at)
SELECT :organization, 'editor@bench.test', 'campaign.pause', 'campaign', md5('c' || n), '{"state": "active"}',
    '{"state": "paused"}', now() - n * interval '1 minute'
FROM generate_series(1, 5000) n
"""
API_KEYS = """
INSERT INTO api_keys (id, organization_id, key_hash, created_at, revoked_at)
SELECT md5('k' || n), :organization, encode(sha256(('key' || n)::bytea), 'hex'), now() - n * interval '1 day',
    CASE WHEN n % 4 = 0 THEN now() END
FROM generate_series(1, 20) n
"""
SEEDED_USER = "bench@bench.test"


def seed(app: Any, passes: int, events: int, campaigns: int) -> None:
    organization, _key = make_organization("Bench Town")
    made = [make_campaign(organization) for _ in range(campaigns)]
    with transaction() as session:
        for number, campaign in enumerate(made):
            session.merge(campaign).name = f"Campaign {number}"
    template = make_pass(made[0])
    started = time.perf_counter()
    sizes = {"organization": organization.id, "campaigns": campaigns, "passes": passes, "events": events,
             "devices": passes // 3, "template": template.id, "pass_type": template.pass_type_identifier}
    with transaction() as session:
        for statement in (PASS_COPIES, DEVICES, REGISTRATIONS, EVENTS, PUSH_REQUESTS, STALE_PUSHES, STALE_PASSES,
                          WEBHOOK_DELIVERIES, AUDIT_ENTRIES, API_KEYS):
            session.execute(text(statement), sizes)
    with app.app_context(), db.engine.connect() as connection:  # as autovacuum would have by now
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    print(f"seeded {passes} passes, {passes // 3} registrations, {events} events in "
          f"{time.perf_counter() - started:.1f} s")
    add_user(organization.id, SEEDED_USER, "viewer")


def _seeded(app: Any) -> bool:
    with app.app_context(), db.engine.connect() as connection:
        exists = connection.scalar(text("SELECT to_regclass('dashboard_users') IS NOT NULL"))
        return bool(exists and connection.scalar(
            text("SELECT count(*) FROM dashboard_users WHERE email = :email"), {"email": SEEDED_USER}))


def time_pages(client: Any, runs: int) -> dict[str, list[float]]:
    filled = {"registered_pass": _pass_id(REGISTERED_PASS), "stale_pass": _pass_id(STALE_PASS),
              "busy_campaign": _pass_id(BUSY_CAMPAIGN)}
    timings: dict[str, list[float]] = {}
    for page in PAGES:
        path = page.path
        for name, value in filled.items():  # not str.format: a v3 query has braces of its own
            path = path.replace("{" + name + "}", value)
        assert client.get(path).status_code == 200, path  # warm-up: templates compiled, plans cached
        timings[page.name] = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(path)
            timings[page.name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, path
    return timings


def _pass_id(expression: str) -> str:
    with db.engine.connect() as connection:
        return str(connection.scalar(text(f"SELECT {expression}")))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def print_table(rounds: list[dict[str, list[float]]], runs: int) -> None:
    width = max(len(page.name) for page in PAGES)
    medians_header = " | ".join(f"median #{n + 1}" for n in range(len(rounds)))
    print(f"\n| {'page':<{width}} | {medians_header} | p95 (all) | median of medians |")
    print(f"|{'-' * (width + 2)}|" + "---|" * (len(rounds) + 2))
    for page in PAGES:
        medians = [statistics.median(timings[page.name]) for timings in rounds]
        everything = [value for timings in rounds for value in timings[page.name]]
        cells = " | ".join(f"{median:.1f} ms" for median in medians)
        print(f"| {page.name:<{width}} | {cells} | {p95(everything):.1f} ms | {statistics.median(medians):.1f} ms |")
    print(f"\n{len(rounds)} rounds of {runs} requests per page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--passes", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--campaigns", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30, help="requests per page and round")
    parser.add_argument("--repeats", type=int, default=3, help="rounds over every page")
    parser.add_argument("--reuse", action="store_true", help="keep a database this script already seeded")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    ensure_dev_certificates(folder / "certs", "pass.dev.walletservice", "DEVTEAM123")
    app = create_app({"WALLET_DATABASE_URL": args.database_url, "WALLET_CERTS_DIR": str(folder / "certs"),
                      "WALLET_SECRET_KEY": "bench-secret-key-of-at-least-32-characters"},
                     instance_dir=folder / "instance")
    fresh = not (args.reuse and _seeded(app))
    if fresh:
        _reset_postgresql(args.database_url)
    with app.app_context():
        flask_migrate.upgrade()  # on a reused database: the migrations added since it was seeded
        if fresh:
            seed(app, args.passes, args.events, args.campaigns)
        client = app.test_client()
        assert post_sign_in(client, SEEDED_USER, PASSWORD).status_code == 302
        rounds = [time_pages(client, args.runs) for _ in range(args.repeats)]
    print_table(rounds, args.runs)


if __name__ == "__main__":
    main()
