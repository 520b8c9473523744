"""Campaign push fan-out, end to end: enqueue, expand, claim, send over HTTP/2, record.

    .venv/bin/python bench/push_fanout.py [--n 10000 100000] [--workers 1 2]

Needs PostgreSQL (--admin-url, default postgresql://postgres@127.0.0.1:5432/postgres),
nginx and h2load (`sudo apt-get install -y nginx-light nghttp2-client`). In one run it:
1. recreates the database `walletservice_pushbench` (or $PUSHBENCH_DATABASE) with the real migrations and seeds,
   for each N, one campaign with N passes, each installed on its own device (bulk SQL);
2. for each sink (the APNs simulator in its own process, then nginx answering 200 over
   TLS + HTTP/2), each N and each number of `flask wallet worker` processes: empties the
   outbox, starts the workers and waits until they are connected, commits
   `enqueue_campaign_push` (the API's whole cost) and times until the push request is
   `done` (or every delivery is answered, if the request misses `done`: reported as a
   failure); checks every delivery is `sent` exactly once, and reads the workers' peak
   RSS, their RSS as the campaign progresses and the CPU time of workers, sink and
   PostgreSQL;
3. runs h2load against the same nginx (the machine's limit for a C client), and the
   walletservice.apns client alone, without database, in this process;
4. prints a table with PASS/FAIL against issue 4's targets: >= 5,000 pushes/s end to
   end (nginx sink), every push acknowledged, worker memory flat in N.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
import h2  # noqa: E402
import psycopg  # noqa: E402
from flask import Flask  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.push_client_alone import ClientAlone, measure_client_alone  # noqa: E402
from bench.push_procstats import (  # noqa: E402
    MachineCpu, cpu_by_pid, cpu_seconds, cpu_used_since, pids_named, status_kib, total_cpu_seconds,
)
from bench.push_sinks import (  # noqa: E402
    H2loadResult, Sink, missing_tools, nginx_worker_pids, run_h2load, start_nginx, start_simulator, stop_sink,
    system_nginx_running,
)
from tests.factories import make_campaign, make_organization, make_pass  # noqa: E402
from walletservice import create_app  # noqa: E402
from walletservice.apns_sim.local import ensure_simulator_certificates  # noqa: E402
from walletservice.db import transaction  # noqa: E402
from walletservice.extensions import db  # noqa: E402
from walletservice.queue.pushes import enqueue_campaign_push  # noqa: E402
from walletservice.services.certificates import dev_certificate_paths, ensure_dev_certificates  # noqa: E402
from walletservice.services.update_tags import allocate_update_tags  # noqa: E402

DATABASE = os.environ.get("PUSHBENCH_DATABASE", "walletservice_pushbench")  # recreated by each run
PASS_TYPE = "pass.pushbench.walletservice"  # the dev certificate's pass type: its topic
TEAM = "PUSHBENCH1"
WORKER_APP_NAME = "pushbench-worker"  # PGAPPNAME: tells the workers' connections apart
RATE_TARGET = 5_000
FLATNESS_TARGET = 1.25  # peak RSS at the largest N / at the smallest


@dataclass(frozen=True)
class Target:
    n: int
    organization_id: str
    campaign_id: str


@dataclass
class RunResult:
    sink: str
    n: int
    workers: int
    enqueue_ms: float
    seconds: float
    first_recorded_s: float
    sent: int
    failed: int
    pending: int
    resends: int
    missing_apns_id: int
    request_done: bool
    peak_rss_mib: list[float]
    rss_samples: list[tuple[int, float]] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.n / self.seconds

    @property
    def complete(self) -> bool:
        return self.sent == self.n and self.failed == 0 and self.pending == 0 and self.request_done


# ---------------------------------------------------------------- database

def database_url(admin_url: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + DATABASE


def recreate_database(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def wallet_settings(url: str, certs_dir: Path) -> dict[str, str]:
    return {
        "WALLET_DATABASE_URL": url, "WALLET_CERTS_DIR": str(certs_dir), "WALLET_SECRET_KEY": "pushbench-secret-key-not-for-production",
        "WALLET_DEV_PASS_TYPE_IDENTIFIER": PASS_TYPE, "WALLET_TEAM_IDENTIFIER": TEAM,
        "WALLET_LOG_LEVEL": "WARNING", "WALLET_EMBEDDED_APNS_SIMULATOR": "false",
    }


_INSERT_DEVICES = text("""
    INSERT INTO devices (device_library_identifier, push_token, created_at, updated_at)
    SELECT :prefix || g, md5(:prefix || g) || md5(:prefix || '+' || g), :now, :now
    FROM generate_series(1, :count) AS g
""")

# Tokens and download ids random like issue_pass's; content is the template pass's.
_INSERT_PASSES = text("""
    INSERT INTO passes (id, organization_id, campaign_id, pass_type_identifier, team_identifier,
        serial_number, authentication_token, certificate_id, download_id, "values", content,
        update_tag, modified_at, voided, personalized_at, created_at)
    SELECT gen_random_uuid()::text, :organization_id, :campaign_id, :pass_type, :team,
        :prefix || g, replace(gen_random_uuid()::text, '-', ''), :certificate_id,
        left(replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''), 43),
        CAST(:values AS jsonb), CAST(:content AS jsonb), :first_tag + g - 1, :now, false, NULL, :now
    FROM generate_series(1, :count) AS g
""")

# Pass "pbN-g" is installed on device "pbN-g": N devices, N registrations, N pushes.
_INSERT_REGISTRATIONS = text("""
    INSERT INTO registrations (device_id, pass_id, pass_type_identifier, created_at, updated_at)
    SELECT d.id, p.id, p.pass_type_identifier, :now, :now
    FROM passes AS p JOIN devices AS d ON d.device_library_identifier = p.serial_number
    WHERE p.campaign_id = :campaign_id
""")


def seed(app: Flask, sizes: list[int]) -> list[Target]:
    """The organization, campaigns and template passes through the real services; the bulk in SQL."""
    targets = []
    with app.app_context():
        organization, _ = make_organization("push fan-out bench")
        for n in sizes:
            campaign = make_campaign(organization)
            template = make_pass(campaign, serial_number=f"template-{n}")
            with transaction() as session:
                template, campaign = session.merge(template), session.merge(campaign)
                campaign.name = f"push fan-out {n}"
                now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
                prefix = f"pb{n}-"
                session.execute(_INSERT_DEVICES, {"prefix": prefix, "count": n, "now": now})
                last_tag = allocate_update_tags(session, PASS_TYPE, n)  # as if issued one by one
                session.execute(_INSERT_PASSES, {
                    "organization_id": organization.id, "campaign_id": campaign.id, "pass_type": PASS_TYPE,
                    "team": template.team_identifier, "prefix": prefix, "count": n,
                    "certificate_id": template.certificate_id, "values": json.dumps(template.values),
                    "content": json.dumps(template.content), "first_tag": last_tag - n + 1, "now": now,
                })
                session.execute(_INSERT_REGISTRATIONS, {"campaign_id": campaign.id, "now": now})
                targets.append(Target(n, organization.id, campaign.id))
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    return targets


def seeded_targets(app: Flask, sizes: list[int]) -> list[Target] | None:
    """The campaigns of an earlier run with --keep-db, if they hold the right counts."""
    targets = []
    with app.app_context(), db.engine.connect() as connection:
        for n in sizes:
            found = connection.execute(text(
                "SELECT c.id, c.organization_id, count(r.id) FROM campaigns c JOIN passes p ON p.campaign_id = c.id "
                "LEFT JOIN registrations r ON r.pass_id = p.id WHERE c.name = :name GROUP BY c.id"
            ), {"name": f"push fan-out {n}"}).all()
            if len(found) != 1 or found[0][2] != n:
                return None
            targets.append(Target(n, found[0][1], found[0][0]))
    return targets


def postgres_pids(poller: psycopg.Connection) -> list[int]:
    """PostgreSQL's processes minus the backends serving other databases (other benchmarks)."""
    others = {pid for (pid,) in poller.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname IS NOT NULL AND datname <> %s", (DATABASE,))}
    return [pid for pid in pids_named("postgres") if pid not in others]


def empty_outbox(poller: psycopg.Connection) -> None:
    poller.execute("TRUNCATE push_deliveries, push_requests")


# ---------------------------------------------------------------- workers

def start_workers(count: int, settings: dict[str, str], sink: Sink, ca_file: Path, args: argparse.Namespace,
                  workdir: Path) -> list[subprocess.Popen]:  # type: ignore[type-arg]
    env = {
        **os.environ, **settings, "PYTHONPATH": str(ROOT), "PGAPPNAME": WORKER_APP_NAME,
        "WALLET_APNS_URL": sink.url, "WALLET_APNS_CA_BUNDLE": str(ca_file),
        "WALLET_PUSH_BATCH_SIZE": str(args.batch_size), "WALLET_APNS_CONCURRENCY": str(args.concurrency),
        "WALLET_WORKER_POLL_SECONDS": str(args.poll_seconds),
    }
    return [
        subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "wallet", "worker"], cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=(workdir / f"worker-{index}.log").open("a"))
        for index in range(count)
    ]


def wait_until_polling(poller: psycopg.Connection, workers: list[subprocess.Popen], workdir: Path) -> None:  # type: ignore[type-arg]
    """Started and connected: the worker's start-up is not part of a campaign's time."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        check_alive(workers, workdir)
        connected = poller.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            (DATABASE, WORKER_APP_NAME),
        ).fetchone()[0]  # type: ignore[index]
        if connected >= len(workers):
            time.sleep(2 * 0.05)  # let each finish its first idle round
            return
        time.sleep(0.05)
    raise SystemExit("the workers did not connect to PostgreSQL within 60 s")


def check_alive(workers: list[subprocess.Popen], workdir: Path) -> None:  # type: ignore[type-arg]
    for index, worker in enumerate(workers):
        if worker.poll() is not None:
            log = (workdir / f"worker-{index}.log").read_text()[-3000:]
            raise SystemExit(f"worker {index} exited with {worker.returncode}:\n{log}")


def stop_workers(workers: list[subprocess.Popen]) -> None:  # type: ignore[type-arg]
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)  # finishes the batch in flight, then exits
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


# ---------------------------------------------------------------- one campaign

def request_state(poller: psycopg.Connection, push_id: str) -> str:
    return poller.execute("SELECT state FROM push_requests WHERE id = %s", (push_id,)).fetchone()[0]  # type: ignore[index, no-any-return]


def wait_for_done(poller: psycopg.Connection, push_id: str, seconds: float) -> bool:
    """Every delivery is answered: the request should be (or soon become) `done`."""
    deadline = time.monotonic() + seconds
    while request_state(poller, push_id) != "done":
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def push_campaign(app: Flask, poller: psycopg.Connection, sink: Sink, target: Target, worker_count: int,
                  settings: dict[str, str], ca_file: Path, args: argparse.Namespace, workdir: Path) -> RunResult:
    empty_outbox(poller)
    workers = start_workers(worker_count, settings, sink, ca_file, args, workdir)
    try:
        wait_until_polling(poller, workers, workdir)
        worker_pids = [worker.pid for worker in workers]
        sink_pids = nginx_worker_pids(sink) if sink.name == "nginx" else [sink.pid]
        postgres_before = cpu_by_pid(postgres_pids(poller))
        before = {"workers": total_cpu_seconds(worker_pids), "sink": total_cpu_seconds(sink_pids),
                  "bench": cpu_seconds(os.getpid())}
        machine_before = MachineCpu.now()

        started = time.perf_counter()
        with app.app_context(), transaction() as session:
            push_id = enqueue_campaign_push(session, target.organization_id, target.campaign_id).id
        committed = time.perf_counter()
        deadline, next_sample = committed + args.timeout, committed + 1.0
        rss_samples: list[tuple[int, float]] = []  # (answered, largest worker RSS MiB)
        while request_state(poller, push_id) != "done":
            now = time.perf_counter()
            if now > deadline:
                raise SystemExit(f"{sink.name}, N={target.n}: not done after {args.timeout:g} s")
            check_alive(workers, workdir)
            if now >= next_sample:
                # Counted too, not only the request's state: a request can miss `done` (see the docs).
                answered = poller.execute(
                    "SELECT count(*) FROM push_deliveries WHERE state <> 'pending'").fetchone()[0]  # type: ignore[index]
                rss_samples.append((answered, max(status_kib(pid, "VmRSS") for pid in worker_pids) / 1024))
                if answered >= target.n:
                    break
                next_sample = now + (0.05 if answered >= 0.9 * target.n else 1.0)
            time.sleep(0.01)
        seconds = time.perf_counter() - committed

        machine = MachineCpu.now().since(machine_before)
        cpu = {"workers": total_cpu_seconds(worker_pids) - before["workers"],
               "sink": total_cpu_seconds(sink_pids) - before["sink"],
               "postgres": cpu_used_since(postgres_before, postgres_pids(poller)),
               "bench": cpu_seconds(os.getpid()) - before["bench"]}
        cpu["other"] = machine.busy - sum(cpu.values())
        cpu["machine busy %"] = 100 * machine.busy / (machine.busy + machine.idle)
        peak_rss = [status_kib(pid, "VmHWM") / 1024 for pid in worker_pids]
        rss_samples.append((target.n, max(status_kib(pid, "VmRSS") for pid in worker_pids) / 1024))
    finally:
        stop_workers(workers)

    request_done = wait_for_done(poller, push_id, seconds=3.0)
    states = {state: (count, attempts) for state, count, attempts in poller.execute(
        "SELECT state, count(*), sum(attempts) FROM push_deliveries GROUP BY state").fetchall()}
    first_recorded = poller.execute(
        "SELECT extract(epoch FROM (SELECT min(finished_at) FROM push_deliveries) - created_at) "
        "FROM push_requests WHERE id = %s", (push_id,)).fetchone()[0]  # type: ignore[index]
    missing_apns_id = poller.execute(
        "SELECT count(*) FROM push_deliveries WHERE state = 'sent' AND apns_id IS NULL").fetchone()[0]  # type: ignore[index]
    sent = states.get("sent", (0, 0))
    result = RunResult(
        sink=sink.name, n=target.n, workers=worker_count, enqueue_ms=(committed - started) * 1000,
        seconds=seconds, first_recorded_s=float(first_recorded or 0), sent=sent[0],
        failed=states.get("failed", (0, 0))[0], pending=states.get("pending", (0, 0))[0],
        resends=int(sum(attempts for _, attempts in states.values()) - sum(c for c, _ in states.values())),
        missing_apns_id=missing_apns_id, request_done=request_done, peak_rss_mib=peak_rss, rss_samples=rss_samples, cpu=cpu,
    )
    print(f"  {sink.name:<9} N={target.n:>7,} workers={worker_count}: {result.seconds:6.2f} s, "
          f"{result.rate:7,.0f} pushes/s, sent {result.sent:,}, failed {result.failed}, "
          f"peak RSS {'/'.join(f'{mib:.0f}' for mib in peak_rss)} MiB"
          f"{'' if request_done else ', REQUEST LEFT IN sending'}", flush=True)
    return result


# ---------------------------------------------------------------- report

def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(results: list[RunResult], h2loads: list[H2loadResult], alone: ClientAlone | None,
           sim_received: str, sim_expected: int) -> bool:
    limit = max(result.requests_per_second for result in h2loads)
    print("\nh2load against the nginx sink (the machine's limit for a C client):")
    for result in h2loads:
        print(f"  {result.command}\n    {result.requests_per_second:,.0f} req/s, {result.status_2xx:,} 2xx, "
              f"{result.failed} failed")
    if alone is not None:
        print(f"walletservice.apns client alone (no database, one process, one connection) against nginx: "
              f"{alone.rate:,.0f} pushes/s = {alone.rate / limit:.3f} of h2load, "
              f"{alone.cpu_seconds / alone.pushes * 1e6:.0f} µs CPU per push, {alone.delivered:,}/{alone.pushes:,} 200")
    print(f"\n| Sink | N | Workers | Enqueue ms | First batch s | Seconds | Pushes/s | vs h2load | Sent / failed / resent "
          f"| Peak RSS MiB per worker | CPU s workers / sink / PostgreSQL / other | Machine busy | >= {RATE_TARGET:,}/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|---|")
    for r in results:
        target = verdict(r.rate >= RATE_TARGET) if r.sink == "nginx" else "(correctness)"
        print(f"| {r.sink} | {r.n:,} | {r.workers} | {r.enqueue_ms:.1f} | {r.first_recorded_s:.2f} | {r.seconds:.2f} | {r.rate:,.0f} "
              f"| {r.rate / limit:.3f} | {r.sent:,} / {r.failed} / {r.resends}{'' if r.request_done else ', request not done'} "
              f"| {' + '.join(f'{mib:.0f}' for mib in r.peak_rss_mib)} "
              f"| {r.cpu['workers']:.1f} / {r.cpu['sink']:.1f} / {r.cpu['postgres']:.1f} / {r.cpu['other']:.1f} "
              f"| {r.cpu['machine busy %']:.0f}% | {target} |")

    complete = all(r.complete for r in results)
    stuck = [r for r in results if not r.request_done]
    if stuck:
        print(f"\n{len(stuck)} run(s) answered every delivery but left push_requests.state = 'sending': "
              "finish_completed_requests ran in each worker's own record transaction, and each saw the "
              "other's uncommitted batch as still pending (READ COMMITTED); nothing looks again later")
    best = max((r.rate for r in results if r.sink == "nginx"), default=0.0)
    print(f"\nevery push acknowledged and recorded sent, once: {verdict(complete)}"
          f"{'' if complete else ' (see the Sent / failed column)'}")
    if sim_received:
        print(f"the simulator counted {int(sim_received):,} pushes received for {sim_expected:,} deliveries")
    nginx_missing = sum(r.missing_apns_id for r in results if r.sink == "nginx")
    print(f"nginx answers without apns-id: {nginx_missing:,} deliveries recorded sent with apns_id NULL (client copes)")
    print(f"best end-to-end rate against nginx: {best:,.0f} pushes/s = {best / limit:.3f} of h2load's "
          f"{limit:,.0f} req/s; target >= {RATE_TARGET:,}/s: {verdict(best >= RATE_TARGET)}")
    flat = True
    sizes = sorted({r.n for r in results})
    if len(sizes) > 1:
        for sink in dict.fromkeys(r.sink for r in results):
            for workers in sorted({r.workers for r in results if r.sink == sink}):
                small, big = (next(r for r in results if (r.sink, r.n, r.workers) == (sink, n, workers))
                              for n in (sizes[0], sizes[-1]))
                ratio = max(big.peak_rss_mib) / max(small.peak_rss_mib)
                flat &= ratio <= FLATNESS_TARGET
                print(f"worker peak RSS, {sink}, {workers} worker(s): N={sizes[0]:,} {max(small.peak_rss_mib):.0f} MiB, "
                      f"N={sizes[-1]:,} {max(big.peak_rss_mib):.0f} MiB, ratio {ratio:.2f} "
                      f"(<= {FLATNESS_TARGET}: {verdict(ratio <= FLATNESS_TARGET)}); {rss_curve(big)}")
    return complete and best >= RATE_TARGET and flat


def rss_curve(result: RunResult) -> str:
    """Worker RSS as the campaign progresses: flat, or growing with the pushes sent?"""
    points = []
    for share in (0.25, 0.5, 0.75, 1.0):
        reached = [mib for sent, mib in result.rss_samples if sent >= share * result.n]
        if reached:
            points.append(f"{share:.0%} sent {reached[0]:.0f}")
    return "RSS MiB at " + ", ".join(points) if points else "no RSS samples"


def machine_notes(args: argparse.Namespace) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    with psycopg.connect(args.admin_url) as connection:
        server = connection.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip().split(": ")[-1]
    h2load = subprocess.run(["h2load", "--version"], capture_output=True, text=True).stdout.strip()
    load = Path("/proc/loadavg").read_text().split()[:3]
    return (f"{os.cpu_count()} cores ({cpu}); load average before the run {' '.join(load)}; PostgreSQL {server}; "
            f"{nginx}; {h2load}; Python {platform.python_version()}, {ssl.OPENSSL_VERSION}, h2 {h2.__version__}; "
            f"WALLET_PUSH_BATCH_SIZE={args.batch_size} WALLET_APNS_CONCURRENCY={args.concurrency} "
            f"WALLET_WORKER_POLL_SECONDS={args.poll_seconds:g}")


# ---------------------------------------------------------------- main

def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000], help="devices per campaign")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker process counts to try")
    parser.add_argument("--sinks", nargs="+", default=["simulator", "nginx"], choices=("simulator", "nginx"))
    parser.add_argument("--batch-size", type=int, default=2000, help="WALLET_PUSH_BATCH_SIZE")
    parser.add_argument("--concurrency", type=int, default=1000, help="WALLET_APNS_CONCURRENCY")
    parser.add_argument("--poll-seconds", type=float, default=0.1, help="WALLET_WORKER_POLL_SECONDS")
    parser.add_argument("--h2load-requests", type=int, default=200_000)
    parser.add_argument("--client-pushes", type=int, default=50_000, help="pushes for the client-alone run")
    parser.add_argument("--timeout", type=float, default=300, help="seconds one campaign may take")
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep-db", action="store_true", help="reuse a seeded database if it fits --n")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    args.n = sorted(set(args.n))
    missing = missing_tools()
    if missing:
        raise SystemExit("missing tools; install them and run again:\n  " + "\n  ".join(missing))
    if system_nginx_running():
        print("note: a system nginx is running and will compete for CPU; `sudo service nginx stop` first")
    print(machine_notes(args))
    with tempfile.TemporaryDirectory(prefix="bench-push-") as directory:
        ok = run(args, Path(directory))
    sys.exit(0 if ok else 1)


def run(args: argparse.Namespace, workdir: Path) -> bool:
    certs_dir = workdir / "certs"
    ensure_dev_certificates(certs_dir, PASS_TYPE, TEAM)
    sim_files = ensure_simulator_certificates(workdir / "apns-sim")
    dev_ca = dev_certificate_paths(certs_dir).ca_certificate
    settings = wallet_settings(database_url(args.admin_url), certs_dir)

    started = time.perf_counter()
    app = create_app(settings, instance_dir=workdir / "instance")
    targets = None
    if args.keep_db and _database_exists(args.admin_url):
        with app.app_context():
            flask_migrate.upgrade()  # the schema may have moved on since
        targets = seeded_targets(app, args.n)
    if targets is None:
        recreate_database(args.admin_url)
        app = create_app(settings, instance_dir=workdir / "instance")
        with app.app_context():
            flask_migrate.upgrade()
        targets = seed(app, args.n)
    print(f"database ready in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"campaign of {t.n:,} devices" for t in targets), flush=True)

    results: list[RunResult] = []
    h2loads: list[H2loadResult] = []
    alone: ClientAlone | None = None
    sim_received, sim_expected = "", 0
    with psycopg.connect(database_url(args.admin_url), autocommit=True) as poller:
        for sink_name in args.sinks:
            start = start_simulator if sink_name == "simulator" else start_nginx
            sink = start(workdir, sim_files.cert_file, sim_files.key_file, dev_ca)
            try:
                for target in targets:
                    for workers in args.workers:
                        results.append(push_campaign(app, poller, sink, target, workers, settings,
                                                     sim_files.ca_file, args, workdir))
                if sink_name == "nginx":
                    for connections in (1, 2):
                        h2loads.append(run_h2load(sink, workdir, PASS_TYPE, args.h2load_requests, connections, 1000))
                    alone = measure_client_alone(sink.url, certs_dir, sim_files.ca_file, PASS_TYPE,
                                                 args.client_pushes, args.concurrency)
            finally:
                received = stop_sink(sink)
            if sink_name == "simulator":
                sim_received, sim_expected = received, sum(r.n for r in results if r.sink == "simulator")
    if not h2loads:
        raise SystemExit("h2load needs the nginx sink: run with --sinks including nginx")
    return report(results, h2loads, alone, sim_received, sim_expected)


def _database_exists(admin_url: str) -> bool:
    with psycopg.connect(admin_url) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is not None


if __name__ == "__main__":
    main()
