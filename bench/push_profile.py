"""Where a push worker's time goes: one PushWorker in this process, phases timed.

    .venv/bin/python bench/push_profile.py [--n 100000] [--cprofile out.prof]

Uses the database bench/push_fanout.py left with --keep-db (seeds it otherwise) and
its nginx sink. Runs `PushWorker.run_once` until the campaign is done, timing each
phase (expand, claim, send, record, finish) through wrappers around the functions the
worker calls, plus the CPU of the main (database) thread and of the client's event-loop
thread; EXPLAIN ANALYZE of the claim query half-way through. Nothing in walletservice/
is changed.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
import psycopg  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench.push_fanout import (  # noqa: E402
    PASS_TYPE, TEAM, _database_exists, database_url, recreate_database, seed, seeded_targets, wallet_settings,
)
from bench.push_sinks import start_nginx, start_simulator, stop_sink  # noqa: E402
from walletservice import create_app  # noqa: E402
from walletservice.apns_sim.local import ensure_simulator_certificates  # noqa: E402
from walletservice.db import transaction  # noqa: E402
from walletservice.extensions import db  # noqa: E402
from walletservice.workers import push_sender as worker_module  # noqa: E402
from walletservice.queue.pushes import enqueue_campaign_push  # noqa: E402
from walletservice.workers.push_sender import PushWorker  # noqa: E402
from walletservice.services.certificates import dev_certificate_paths, ensure_dev_certificates  # noqa: E402

PHASES = ("claim_request_to_expand", "expand_request", "claim_deliveries", "record_results", "finish_completed_requests")


def timed(name: str, function, timings: dict[str, list[float]]):  # type: ignore[no-untyped-def]
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            timings[name].append(time.perf_counter() - start)
    return wrapper


def thread_cpu(native_id: int) -> float:
    """CPU of one thread of this process (/proc/<tid>/stat would count the whole process)."""
    fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=1000)
    parser.add_argument("--sink", choices=("nginx", "simulator"), default="nginx")
    parser.add_argument("--cprofile", type=Path, help="write a cProfile of the main thread here")
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-push-profile-") as directory:
        workdir = Path(directory)
        certs_dir = workdir / "certs"
        ensure_dev_certificates(certs_dir, PASS_TYPE, TEAM)
        sim_files = ensure_simulator_certificates(workdir / "apns-sim")
        settings = wallet_settings(database_url(args.admin_url), certs_dir)
        app = create_app(settings, instance_dir=workdir / "instance")
        targets = None
        if _database_exists(args.admin_url):
            with app.app_context():
                flask_migrate.upgrade()
            targets = seeded_targets(app, [args.n])
        if targets is None:
            recreate_database(args.admin_url)
            app = create_app(settings, instance_dir=workdir / "instance")
            with app.app_context():
                flask_migrate.upgrade()
            targets = seed(app, [args.n])
        target = targets[0]
        start = start_nginx if args.sink == "nginx" else start_simulator
        sink = start(workdir, sim_files.cert_file, sim_files.key_file, dev_certificate_paths(certs_dir).ca_certificate)
        try:
            app.config.update(
                WALLET_APNS_URL=sink.url, WALLET_APNS_CA_BUNDLE=str(sim_files.ca_file),
                WALLET_PUSH_BATCH_SIZE=args.batch_size, WALLET_APNS_CONCURRENCY=args.concurrency,
            )
            profile(app, target, args)
        finally:
            stop_sink(sink)


def profile(app, target, args) -> None:  # type: ignore[no-untyped-def]
    with psycopg.connect(database_url(args.admin_url), autocommit=True) as admin:
        admin.execute("TRUNCATE push_deliveries, push_requests")
    timings: dict[str, list[float]] = defaultdict(list)
    for name in PHASES:
        setattr(worker_module, name, timed(name, getattr(worker_module, name), timings))
    worker = PushWorker(app)
    worker._send = timed("send (TLS + h2, waiting on the loop thread)", worker._send, timings)  # type: ignore[method-assign]
    claim_sql: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _executemany):  # type: ignore[no-untyped-def]
        if statement.startswith("UPDATE push_deliveries") and "SKIP LOCKED" in statement and not claim_sql:
            claim_sql.append((statement, parameters))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", capture)
        with transaction() as session:
            enqueue_campaign_push(session, target.organization_id, target.campaign_id)
    profiler = cProfile.Profile() if args.cprofile else None
    main_cpu, wall = time.thread_time(), time.perf_counter()
    loop_thread = None
    handled = rounds = 0
    explained = ""
    while True:
        if profiler:
            profiler.enable()
        count = worker.run_once()
        if profiler:
            profiler.disable()
        rounds += 1
        handled += count
        if loop_thread is None and worker.clients._clients:
            loop_thread = next(iter(worker.clients._clients.values()))._thread  # started by the first send
        if not explained and handled >= target.n // 2 and claim_sql:
            explained = explain(app, *claim_sql[0])
        if count == 0 and handled >= target.n:
            break
    wall = time.perf_counter() - wall
    main_cpu = time.thread_time() - main_cpu
    loop_cpu = thread_cpu(loop_thread.native_id) if loop_thread else 0.0
    worker.clients.close()

    print(f"N={target.n:,}, batch {args.batch_size}, concurrency {args.concurrency}, {args.sink}: "
          f"{handled:,} pushes in {wall:.2f} s = {handled / wall:,.0f}/s, {rounds} rounds")
    print(f"CPU: main thread (database, ORM, worker) {main_cpu:.2f} s, APNs event-loop thread (TLS + h2 + asyncio) "
          f"{loop_cpu:.2f} s, sum {main_cpu + loop_cpu:.2f} s of {wall:.2f} s wall")
    print("\n| Phase | calls | total s | share of wall | mean ms | first 5 mean ms | last 5 mean ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, values in timings.items():
        first, last = values[:5], values[-6:-1] if len(values) > 6 else values[-5:]
        print(f"| {name} | {len(values)} | {sum(values):.2f} | {sum(values) / wall:.0%} "
              f"| {statistics.mean(values) * 1000:.1f} | {statistics.mean(first) * 1000:.1f} "
              f"| {statistics.mean(last) * 1000:.1f} |")
    if explained:
        print(f"\nEXPLAIN ANALYZE of the claim query with half the campaign sent:\n{explained}")
    if profiler:
        profiler.dump_stats(str(args.cprofile))
        print(f"\ncProfile of the main thread written to {args.cprofile}")


def explain(app, statement: str, parameters) -> str:  # type: ignore[no-untyped-def]
    """Run the claim as the worker does, inside a transaction that is rolled back."""
    with app.app_context(), db.engine.connect() as connection:
        transaction_ = connection.begin()
        rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
        transaction_.rollback()
    return "\n".join(row[0] for row in rows)


if __name__ == "__main__":
    main()
