"""How long 10,000 schedules that are all due now take to fire.

    .venv/bin/python bench/schedules_due.py [--schedules 10000] [--passes 1000]
        [--database-url postgresql://postgres@127.0.0.1:5432/DB]   # default: SQLite in a temp folder

Builds a fresh database with the real migrations (on PostgreSQL the given database's
public schema is dropped first: give a database of its own), issues --passes passes
of the boarding-pass test campaign, and writes --schedules one-shot pass schedules
(a gate change each, spread over the passes) all due one second ago. Then it starts a
real SchedulerProcess (lease, APScheduler, the due_schedules poll) and measures the
time from its start until no schedule is left to fire. Each run is one transaction:
claim, ScheduleRun, the pass update with its new tag and "updated" event, the push
request, the schedule's new state. Prints a comparable line, and checks that every
schedule ran exactly once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from flask import Flask  # noqa: E402
from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402

from tests.factories import make_campaign, make_organization  # noqa: E402
from walletservice import create_app  # noqa: E402
from walletservice.db import transaction  # noqa: E402
from walletservice.models import Campaign, Pass, PushRequest, Schedule, ScheduleRun  # noqa: E402
from walletservice.models.base import new_uuid, utcnow  # noqa: E402
from walletservice.scheduling.process import SchedulerProcess  # noqa: E402
from walletservice.services.certificates import ensure_dev_certificates  # noqa: E402
from walletservice.services.passes import issue_pass  # noqa: E402

PASS_TYPE, TEAM = "pass.bench.walletservice", "BENCHTEAM1"
GATES = ("A1", "B7", "C3", "D12")


def build_app(database_url: str | None, workdir: Path) -> Flask:
    if database_url:
        database_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    url = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    certs_dir = workdir / "certs"
    ensure_dev_certificates(certs_dir, PASS_TYPE, TEAM)
    app = create_app({
        "WALLET_DATABASE_URL": url, "WALLET_CERTS_DIR": str(certs_dir), "WALLET_SECRET_KEY": "bench-secret-key-not-for-production",
        "WALLET_DEV_PASS_TYPE_IDENTIFIER": PASS_TYPE, "WALLET_TEAM_IDENTIFIER": TEAM,
        "WALLET_LOG_LEVEL": "WARNING",
        # Only the schedules are measured: the other built-in jobs wait.
        "WALLET_EXPIRY_INTERVAL_SECONDS": 3600, "WALLET_HOUSEKEEPING_INTERVAL_SECONDS": 3600,
    }, instance_dir=workdir / "instance")
    with app.app_context():
        flask_migrate.upgrade()
    return app


def issue_passes(count: int) -> list[str]:
    organization, _ = make_organization("Bench Air")
    campaign = make_campaign(organization)
    ids: list[str] = []
    for start in range(0, count, 500):
        with transaction() as session:
            merged = session.merge(campaign)
            ids += [issue_pass(session, merged, {"fields": {"passenger": f"P{i}"}}, serial_number=f"BENCH-{i}").id
                    for i in range(start, min(start + 500, count))]
    return ids


def write_due_schedules(pass_ids: list[str], count: int) -> None:
    due = utcnow().replace(microsecond=0) - dt.timedelta(seconds=1)
    with transaction() as session:
        campaign = session.scalars(select(Campaign)).one()
        rows = [{
            "id": new_uuid(), "organization_id": campaign.organization_id, "campaign_id": campaign.id,
            "pass_id": pass_ids[i % len(pass_ids)], "run_at": due, "next_run_at": due, "state": "scheduled",
            "changes": {"header_fields": [{"key": "gate", "value": GATES[i % len(GATES)]}]}, "merge": False,
            "created_at": due, "updated_at": due,
        } for i in range(count)]
        session.execute(insert(Schedule), rows)


def remaining() -> int:
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Schedule).where(Schedule.state == "scheduled")) or 0


def fire_all(app: Flask, timeout: float) -> float:
    process, stop = SchedulerProcess(app, holder="bench"), threading.Event()
    thread = threading.Thread(target=process.run, args=(stop,))
    started = time.perf_counter()
    thread.start()
    try:
        while remaining():
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"still {remaining()} schedules due after {timeout} s")
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        stop.set()
        thread.join(timeout=30)


def check(count: int) -> None:
    with transaction(write=False) as session:
        runs = session.scalar(select(func.count()).select_from(ScheduleRun).where(ScheduleRun.outcome == "done"))
        done = session.scalar(select(func.count()).select_from(Schedule).where(Schedule.state == "done"))
        pushes = session.scalar(select(func.count()).select_from(PushRequest))
        distinct = session.scalar(select(func.count(func.distinct(ScheduleRun.schedule_id))))
    if not runs == done == pushes == distinct == count:
        raise SystemExit(f"expected {count} of each: runs {runs}, done {done}, pushes {pushes}, distinct {distinct}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schedules", type=int, default=10_000)
    parser.add_argument("--passes", type=int, default=1_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wallet-bench-") as workdir:
        app = build_app(args.database_url, Path(workdir))
        with app.app_context():
            pass_ids = issue_passes(args.passes)
            write_due_schedules(pass_ids, args.schedules)
            seconds = fire_all(app, args.timeout)
            check(args.schedules)
            tags = len({tag for (tag,) in transaction_rows(select(Pass.update_tag))})
    database = "postgresql" if args.database_url else "sqlite"
    print(f"schedules_due: {args.schedules} due schedules over {args.passes} passes fired in {seconds:.1f} s "
          f"({args.schedules / seconds:.0f}/s) from scheduler start, database={database}, one transaction "
          f"per run, {tags} distinct pass tags")


def transaction_rows(statement):  # type: ignore[no-untyped-def]
    with transaction(write=False) as session:
        return session.execute(statement).all()


if __name__ == "__main__":
    main()
