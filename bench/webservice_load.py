"""Apple's list-serials and latest-pass endpoints under gunicorn, against a bare Flask endpoint.

    .venv/bin/python bench/webservice_load.py [--seconds 5] [--rounds 3] [--workers 4] [--connections 16]

Needs PostgreSQL (--admin-url, default postgresql://postgres@127.0.0.1:5432/postgres)
and wrk (`sudo apt-get install -y wrk`). In one run it:
1. recreates the database `walletservice_bench` with the real migrations and seeds it
   with bulk SQL: 100,000 passes of the big pass type, 100,000 devices holding two each
   (200,000 registrations), and a small pass type with 1,000 registrations (devices
   1-500 also hold two small passes each); tags come from the pass type's counter row;
2. prints EXPLAIN ANALYZE of the list query (custom and generic plan) and times the
   service call for both types;
3. starts two gunicorns with the same settings, `wsgi:app` and `bench.bare_app:app`,
   warms the bundle cache for 1,000 passes, and loads every scenario with wrk at the same
   concurrency, each request naming another device or pass (bench/webservice_load.lua).
   Scenarios take turns for --rounds rounds, so a busy moment on a shared machine does
   not land on one of them only; ratios are taken within a round, then the median;
4. prints requests/s, p50/p99, the ratio to bare and the flatness ratio, with PASS/FAIL
   against issue 2's targets: endpoints >= 50% of bare requests/s; listing on the big
   type within 2x of the small one. Exit status 1 if a target is missed.
gunicorn is always stopped; the database is kept for inspection (--drop-db removes it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from email.utils import format_datetime
from statistics import median
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
import psycopg  # noqa: E402
from flask import Flask  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.bare_app import BARE_PATH  # noqa: E402
from tests.factories import make_campaign, make_organization, make_pass  # noqa: E402
from walletservice import create_app  # noqa: E402
from walletservice.db import transaction  # noqa: E402
from walletservice.hot_reads import hot_reads  # noqa: E402
from walletservice.extensions import db  # noqa: E402
from walletservice.runtime import runtime  # noqa: E402
from walletservice.services import devices  # noqa: E402
from walletservice.services.campaigns import create_campaign  # noqa: E402
from walletservice.services.certificates import ensure_dev_certificates  # noqa: E402
from walletservice.services.update_tags import allocate_update_tags  # noqa: E402

DATABASE = "walletservice_bench"
BIG_TYPE = "pass.bench.walletservice"  # the dev certificate's pass type
SMALL_TYPE = "pass.bench.small"
TEAM = "BENCHTEAM1"
BIG_PASSES, DEVICES, PASSES_PER_DEVICE = 100_000, 100_000, 2
SMALL_PASSES, SMALL_DEVICES = 1_000, 500
CACHED_WORKING_SET = 1_000
LUA_SCRIPT = Path(__file__).resolve().parent / "webservice_load.lua"
LIST_PATH = "/wallet/v1/devices/{device}/registrations/{pass_type}"
PASS_PATH = "/wallet/v1/passes/{pass_type}/{serial}"
RATIO_TARGET, FLATNESS_TARGET = 0.50, 2.0
BARE = "bare Flask endpoint"


@dataclass(frozen=True)
class Scenario:
    name: str
    server: str  # "bare" or "wallet"
    requests_file: Path
    expected_status: int


@dataclass(frozen=True)
class Sample:
    """One wrk run."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


# ---------------------------------------------------------------- database

def database_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


def recreate_database(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def drop_database(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def wallet_settings(url: str, certs_dir: Path, public_url: str) -> dict[str, str]:
    return {
        "WALLET_DATABASE_URL": url, "WALLET_CERTS_DIR": str(certs_dir), "WALLET_SECRET_KEY": "bench-secret-key-not-for-production",
        "WALLET_PUBLIC_URL": public_url, "WALLET_DEV_PASS_TYPE_IDENTIFIER": BIG_TYPE,
        "WALLET_TEAM_IDENTIFIER": TEAM, "WALLET_LOG_LEVEL": "WARNING",
    }


_INSERT_DEVICES = text("""
    INSERT INTO devices (device_library_identifier, push_token, created_at, updated_at)
    SELECT 'bdev-' || lpad(g::text, 6, '0'), md5(g::text) || md5((-g)::text), :now, :now
    FROM generate_series(1, :count) AS g
""")

# Tokens and download ids are random like issue_pass's; content is the template pass's.
_INSERT_PASSES = text("""
    INSERT INTO passes (id, organization_id, campaign_id, pass_type_identifier, team_identifier,
        serial_number, authentication_token, certificate_id, download_id, "values", content,
        update_tag, modified_at, voided, personalized_at, created_at)
    SELECT gen_random_uuid()::text, :organization_id, :campaign_id, :pass_type, :team,
        :prefix || lpad(g::text, 6, '0'), replace(gen_random_uuid()::text, '-', ''), NULL,
        left(replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''), 43),
        CAST(:values AS jsonb), CAST(:content AS jsonb), :first_tag + g - 1,
        :first_modified + g * interval '1 second', false, NULL, :now
    FROM generate_series(1, :count) AS g
""")

# Device g holds passes (g-1)*k+1 .. (g-1)*k+k of the type, wrapping around.
_INSERT_REGISTRATIONS = text("""
    INSERT INTO registrations (device_id, pass_id, pass_type_identifier, created_at, updated_at)
    SELECT d.id, p.id, p.pass_type_identifier, :now, :now
    FROM generate_series(1, :devices) AS g
    CROSS JOIN generate_series(0, :per_device - 1) AS k
    JOIN devices AS d ON d.device_library_identifier = 'bdev-' || lpad(g::text, 6, '0')
    JOIN passes AS p ON p.pass_type_identifier = :pass_type
        AND p.serial_number = :prefix || lpad((((g - 1) * :per_device + k) % :passes + 1)::text, 6, '0')
""")


def seed(app: Flask, *, big_passes: int = BIG_PASSES, devices: int = DEVICES) -> None:
    """One organization and campaign through the real services, the bulk through SQL.

    bench/webservice_instructions.py seeds fewer big passes and devices: its
    figures are per request and do not depend on the table sizes.
    """
    with app.app_context():
        organization, _ = make_organization("walletservice bench")
        campaign = make_campaign(organization)
        template = make_pass(campaign, serial_number="template-0000")
        with transaction() as session:
            template = session.merge(template)
            small_signer = replace(runtime().certificates.dev_signer(), pass_type_identifier=SMALL_TYPE)
            small_campaign = create_campaign(
                session, session.merge(organization), name="Small", design=campaign.design, signer=small_signer
            )
            now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
            session.execute(_INSERT_DEVICES, {"count": devices, "now": now})
            for pass_type, prefix, count, campaign_id in (
                (BIG_TYPE, "big-", big_passes, campaign.id), (SMALL_TYPE, "small-", SMALL_PASSES, small_campaign.id)
            ):
                # Tags come from the real counter row, as if the passes were issued one by one.
                last_tag = allocate_update_tags(session, pass_type, count)
                session.execute(_INSERT_PASSES, {
                    "organization_id": organization.id, "campaign_id": campaign_id, "pass_type": pass_type,
                    "team": template.team_identifier, "prefix": prefix, "count": count,
                    "values": json.dumps(template.values), "content": json.dumps(template.content),
                    "first_tag": last_tag - count + 1, "first_modified": now - dt.timedelta(days=2), "now": now,
                })
            for pass_type, prefix, passes, device_count in (
                (BIG_TYPE, "big-", big_passes, devices), (SMALL_TYPE, "small-", SMALL_PASSES, SMALL_DEVICES)
            ):
                session.execute(_INSERT_REGISTRATIONS, {
                    "devices": device_count, "per_device": PASSES_PER_DEVICE, "pass_type": pass_type,
                    "prefix": prefix, "passes": passes, "now": now,
                })
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            # Steady state, as autovacuum would leave it: statistics, hint bits, visibility map.
            connection.exec_driver_sql("VACUUM ANALYZE")


def table_counts(app: Flask) -> dict[str, int]:
    with app.app_context(), db.engine.connect() as connection:
        counts = {
            table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
            for table in ("passes", "devices", "registrations")
        }
        for pass_type in (BIG_TYPE, SMALL_TYPE):
            counts[f"registrations of {pass_type}"] = connection.execute(
                text("SELECT count(*) FROM registrations WHERE pass_type_identifier = :t"), {"t": pass_type}
            ).scalar_one()
        return counts


# ---------------------------------------------------------------- request files

def write_requests(path: Path, lines: list[str]) -> Path:
    random.Random(2).shuffle(lines)
    path.write_text("\n".join(lines) + "\n")
    return path


def list_requests(app: Flask, workdir: Path, pass_type: str, *, with_tag: bool) -> Path:
    """Every device holding passes of the type; with a tag, the older pass is left out (200, one serial)."""
    with app.app_context(), db.engine.connect() as connection:
        rows = connection.execute(text("""
            SELECT d.device_library_identifier, min(p.update_tag) FROM registrations AS r
            JOIN devices AS d ON d.id = r.device_id JOIN passes AS p ON p.id = r.pass_id
            WHERE r.pass_type_identifier = :t GROUP BY d.device_library_identifier
        """), {"t": pass_type}).all()
    lines = []
    for device, oldest_tag in rows:
        path = LIST_PATH.format(device=device, pass_type=pass_type)
        lines.append(f"{path}?passesUpdatedSince={oldest_tag}" if with_tag else path)
    suffix = "tag" if with_tag else "all"
    return write_requests(workdir / f"list-{pass_type}-{suffix}.tsv", lines)


def pass_requests(app: Flask, workdir: Path, name: str, *, limit: int | None, conditional: bool) -> Path:
    """Latest-pass fetches with the pass's token; conditional ones send its Last-Modified."""
    with app.app_context(), db.engine.connect() as connection:
        rows = connection.execute(text("""
            SELECT serial_number, authentication_token, modified_at FROM passes
            WHERE pass_type_identifier = :t AND serial_number LIKE 'big-%' ORDER BY md5(serial_number) LIMIT :n
        """), {"t": BIG_TYPE, "n": limit or BIG_PASSES}).all()
    lines = []
    for serial, token, modified_at in rows:
        line = f"{PASS_PATH.format(pass_type=BIG_TYPE, serial=serial)}\tAuthorization: ApplePass {token}"
        if conditional:
            line += f"\tIf-Modified-Since: {format_datetime(modified_at.replace(tzinfo=dt.timezone.utc), usegmt=True)}"
        lines.append(line)
    return write_requests(workdir / f"{name}.tsv", lines)


def read_requests(path: Path) -> list[tuple[str, dict[str, str]]]:
    requests = []
    for line in path.read_text().splitlines():
        request_path, *headers = line.split("\t")
        requests.append((request_path, dict(header.split(": ", 1) for header in headers)))
    return requests


# ---------------------------------------------------------------- query plan

def list_statement(app: Flask, device: str, pass_type: str) -> tuple[str, object]:
    """The SQL serials_updated_since sends (its prepared statement, compiled as it runs)."""
    with app.app_context():
        sql = devices._ALL_SERIALS.statement.compile(dialect=db.engine.dialect).string
    return sql, {"device": device, "pass_type": pass_type}


def explain_list_query(app: Flask, device: str, pass_type: str) -> str:
    """EXPLAIN ANALYZE of the real list query: as planned for these values, and as the
    generic plan a prepared statement switches to (psycopg prepares repeated queries)."""
    statement, parameters = list_statement(app, device, pass_type)
    names: list[str] = []

    def numbered(match: re.Match[str]) -> str:
        names.append(match.group(1))
        return f"${len(names)}"

    prepared = re.sub(r"%\((\w+)\)s", numbered, statement)
    literals = ", ".join("'" + str(parameters[name]).replace("'", "''") + "'" for name in names)  # type: ignore[index]
    with app.app_context(), db.engine.connect() as connection:
        custom = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()  # type: ignore[arg-type]
        connection.exec_driver_sql(f"PREPARE bench_list AS {prepared}")
        connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        generic = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_list({literals})").all()
        connection.exec_driver_sql("DEALLOCATE bench_list")  # prepared statements outlive the transaction
        connection.rollback()
    return "\n".join(["-- planned for the values:", *(row[0] for row in custom),
                      "-- generic plan of the prepared statement:", *(row[0] for row in generic)])


def time_list_calls(app: Flask, devices_by_type: dict[str, list[str]], seconds: float) -> dict[str, float]:
    """Mean microseconds of the service call per pass type (ORM + database, no HTTP).

    The types take turns call by call, so a busy moment on the machine hits both alike.
    """
    totals = dict.fromkeys(devices_by_type, 0.0)
    calls, deadline = 0, time.perf_counter() + seconds
    with app.app_context():
        while time.perf_counter() < deadline:
            for pass_type, device_ids in devices_by_type.items():
                start = time.perf_counter()
                devices.serials_updated_since(hot_reads(), device_ids[calls % len(device_ids)], pass_type, None)
                totals[pass_type] += time.perf_counter() - start
            calls += 1
    return {pass_type: total / calls * 1e6 for pass_type, total in totals.items()}


# ---------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(target: str, port: int, args: argparse.Namespace, env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "--chdir", str(ROOT), "-b", f"127.0.0.1:{port}",
        "-w", str(args.workers), "-k", args.worker_class, "--backlog", "2048", "--log-level", "warning",
    ]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    return subprocess.Popen([*command, target], env={**os.environ, **env}, stdout=log.open("w"), stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop; the master stops its workers
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_serving(port: int, path: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited early:\n{log.read_text()[-3000:]}")
        try:
            fetch(port, path)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer on port {port} within 30 s:\n{log.read_text()[-3000:]}")


def check_statuses(port: int, scenario: Scenario, sample: int = 20) -> None:
    """Before loading, make sure the requests get the answer the scenario is about."""
    for path, headers in read_requests(scenario.requests_file)[:sample]:
        status, _ = fetch(port, path, headers)
        if status != scenario.expected_status:
            raise SystemExit(f"{scenario.name}: {path} answered {status}, expected {scenario.expected_status}")


def warm_bundle_cache(port: int, requests_file: Path, parallel: int) -> float:
    """Fetch each pass of the working set once (signing it); returns signed fetches per second."""
    requests = read_requests(requests_file)
    start = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        statuses = list(pool.map(lambda request: fetch(port, *request)[0], requests))
    elapsed = time.perf_counter() - start
    if set(statuses) != {200}:
        raise SystemExit(f"warming the bundle cache answered {sorted(set(statuses))}")
    return len(requests) / elapsed


# ---------------------------------------------------------------- load

def run_wrk(port: int, requests_file: Path, seconds: int, args: argparse.Namespace) -> Sample:
    command = [
        "wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{seconds}s", "--timeout", "10s",
        "-s", str(LUA_SCRIPT), f"http://127.0.0.1:{port}", "--", str(requests_file),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^RESULT (.*)$", output, re.MULTILINE)
    if match is None:
        raise SystemExit(f"wrk printed no RESULT line:\n{output}")
    raw = {key: float(value) for key, value in (pair.split("=") for pair in match.group(1).split())}
    errors = sum(raw[key] for key in ("connect_errors", "read_errors", "write_errors", "timeouts", "status_errors"))
    return Sample(raw["requests"] / (raw["duration_us"] / 1e6), raw["p50_us"] / 1000, raw["p99_us"] / 1000, int(errors))


def measure(scenarios: list[Scenario], ports: dict[str, int], args: argparse.Namespace) -> dict[str, list[Sample]]:
    """Every scenario once per round, bare first: ratios compare runs minutes apart at most."""
    for scenario in scenarios:
        check_statuses(ports[scenario.server], scenario)
    samples: dict[str, list[Sample]] = {scenario.name: [] for scenario in scenarios}
    for round_number in range(1, args.rounds + 1):
        print(f"round {round_number}:")
        for scenario in scenarios:
            port = ports[scenario.server]
            if args.warmup > 0:
                run_wrk(port, scenario.requests_file, args.warmup, args)
            sample = run_wrk(port, scenario.requests_file, args.seconds, args)
            samples[scenario.name].append(sample)
            print(f"  {scenario.name:<44} {sample.requests_per_second:8.0f} req/s", flush=True)
    return samples


# ---------------------------------------------------------------- report

def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(samples: dict[str, list[Sample]], in_process: dict[str, float]) -> bool:
    """Median over rounds; each ratio is taken within a round, then the median of those."""
    bare = samples[BARE]
    ok = True
    print(f"\n| Scenario | req/s (median) | req/s (range) | p50 ms | p99 ms | errors | vs bare | target >= {RATIO_TARGET:.0%} |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, runs in samples.items():
        rates = [run.requests_per_second for run in runs]
        ratio = median(run.requests_per_second / base.requests_per_second for run, base in zip(runs, bare))
        errors = sum(run.errors for run in runs)
        met = ratio >= RATIO_TARGET and errors == 0
        if name != BARE:
            ok &= met
        print(f"| {name} | {median(rates):.0f} | {min(rates):.0f}–{max(rates):.0f} "
              f"| {median(run.p50_ms for run in runs):.1f} | {median(run.p99_ms for run in runs):.1f} "
              f"| {errors} | {ratio:.2f} | {'(baseline)' if name == BARE else verdict(met)} |")
    print(f"\n| Flatness: small type (1,000 registrations) vs big type (200,000) | small | big | small/big | target <= {FLATNESS_TARGET:g}x |")
    print("|---|---:|---:|---:|---|")
    for variant in ("no tag", "with tag"):
        small, big = samples[f"list serials, small type, {variant}"], samples[f"list serials, big type, {variant}"]
        ratio = median(s.requests_per_second / b.requests_per_second for s, b in zip(small, big))
        ok &= ratio <= FLATNESS_TARGET
        print(f"| HTTP req/s, {variant} (median of rounds) | {median(s.requests_per_second for s in small):.0f} "
              f"| {median(b.requests_per_second for b in big):.0f} | {ratio:.2f} | {verdict(ratio <= FLATNESS_TARGET)} |")
    ratio = in_process["big"] / in_process["small"]
    ok &= ratio <= FLATNESS_TARGET
    print(f"| service call serials_updated_since, mean µs (big/small) | {in_process['small']:.0f} "
          f"| {in_process['big']:.0f} | {ratio:.2f} | {verdict(ratio <= FLATNESS_TARGET)} |")
    return ok


def machine_notes(args: argparse.Namespace) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    with psycopg.connect(args.admin_url) as connection:
        server = connection.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("[")[0].strip()
    gunicorn = subprocess.run([str(Path(sys.executable).parent / "gunicorn"), "--version"],
                              capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} cores ({cpu}); PostgreSQL {server}; {gunicorn}; {wrk}; Python {platform.python_version()}; "
            f"gunicorn -w {args.workers} -k {args.worker_class}; wrk -t {args.wrk_threads} -c {args.connections}, "
            f"{args.seconds:g} s per scenario after {args.warmup:g} s warm-up; wrk, gunicorn and PostgreSQL share the machine")


# ---------------------------------------------------------------- main

def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5, help="measured seconds per scenario and round")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured seconds before each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="times every scenario is measured, interleaved")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers, for both servers")
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=4, help="threads per worker with gthread")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (concurrency)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--reuse-db", action="store_true", help="keep an already seeded bench database")
    parser.add_argument("--drop-db", action="store_true", help="drop the bench database at the end")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `sudo apt-get install -y wrk` (Debian/Ubuntu), then run again")
    workdir = Path(tempfile.mkdtemp(prefix="bench-webservice-"))
    servers: list[subprocess.Popen] = []
    try:
        ok = run(args, workdir, servers)
    finally:
        for process in servers:
            stop(process)
        if args.drop_db:
            drop_database(args.admin_url)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nall targets met: {verdict(ok)}")
    raise SystemExit(0 if ok else 1)


def prepare_database(args: argparse.Namespace, settings: dict[str, str], workdir: Path) -> Flask:
    started = time.perf_counter()
    reuse = args.reuse_db and _seeded(args.admin_url)
    if not reuse:
        recreate_database(args.admin_url)
    app = create_app(settings, instance_dir=workdir / "instance")
    if reuse:
        with app.app_context(), db.engine.begin() as connection:
            connection.exec_driver_sql("TRUNCATE pass_bundles")
    else:
        with app.app_context():
            flask_migrate.upgrade()
        seed(app)
    print(f"database {'reused' if reuse else 'built and seeded'} in {time.perf_counter() - started:.1f} s: "
          f"{table_counts(app)}")
    return app


def check_list_query(app: Flask) -> dict[str, float]:
    """Query plans for one device holding two passes of each type, then the timed service call."""
    device = "bdev-000001"
    for pass_type in (BIG_TYPE, SMALL_TYPE):
        plan = explain_list_query(app, device, pass_type)
        scans = [line.strip() for line in plan.splitlines() if "Seq Scan" in line]
        print(f"\nEXPLAIN ANALYZE of the list query, device {device}, {pass_type}:\n{plan}")
        print(f"sequential scans: {scans or 'none'}")
    mean_us = time_list_calls(app, {
        SMALL_TYPE: [f"bdev-{n:06d}" for n in range(1, SMALL_DEVICES + 1)],
        BIG_TYPE: [f"bdev-{n:06d}" for n in random.Random(3).sample(range(1, DEVICES + 1), 5_000)],
    }, seconds=4.0)
    return {"small": mean_us[SMALL_TYPE], "big": mean_us[BIG_TYPE]}


def write_request_files(app: Flask, workdir: Path) -> dict[str, Path]:
    return {
        "bare": write_requests(workdir / "bare.tsv", [BARE_PATH]),
        "big, no tag": list_requests(app, workdir, BIG_TYPE, with_tag=False),
        "big, with tag": list_requests(app, workdir, BIG_TYPE, with_tag=True),
        "small, no tag": list_requests(app, workdir, SMALL_TYPE, with_tag=False),
        "small, with tag": list_requests(app, workdir, SMALL_TYPE, with_tag=True),
        "304": pass_requests(app, workdir, "pass-304", limit=None, conditional=True),
        "cached": pass_requests(app, workdir, "pass-cached", limit=CACHED_WORKING_SET, conditional=False),
    }


def run(args: argparse.Namespace, workdir: Path, servers: list[subprocess.Popen]) -> bool:
    ports = {"wallet": free_port(), "bare": free_port()}
    certs_dir = workdir / "certs"
    ensure_dev_certificates(certs_dir, BIG_TYPE, TEAM)
    settings = wallet_settings(database_url(args.admin_url, DATABASE), certs_dir, f"http://127.0.0.1:{ports['wallet']}")
    print(machine_notes(args))
    app = prepare_database(args, settings, workdir)
    in_process = check_list_query(app)
    print(f"\nservice call serials_updated_since, mean: small {in_process['small']:.0f} µs, big {in_process['big']:.0f} µs")
    files = write_request_files(app, workdir)

    for server, target, env in (("wallet", "wsgi:app", settings), ("bare", "bench.bare_app:app", {})):
        log = workdir / f"gunicorn-{server}.log"
        servers.append(start_gunicorn(target, ports[server], args, env, log))
        wait_until_serving(ports[server], BARE_PATH if server == "bare" else LIST_PATH.format(device="none", pass_type="none"), servers[-1], log)
    signed = warm_bundle_cache(ports["wallet"], files["cached"], parallel=args.workers)
    print(f"bundle cache warmed: {CACHED_WORKING_SET} passes signed and stored at {signed:.0f} fetches/s\n")

    scenarios = [
        Scenario(BARE, "bare", files["bare"], 200),
        *(Scenario(f"list serials, {variant}", "wallet", files[variant.replace(" type", "")], 200)
          for variant in ("big type, no tag", "big type, with tag", "small type, no tag", "small type, with tag")),
        Scenario("latest pass, 304 (If-Modified-Since)", "wallet", files["304"], 304),
        Scenario("latest pass, 200 from the bundle cache", "wallet", files["cached"], 200),
    ]
    samples = measure(scenarios, ports, args)
    for process in servers:
        stop(process)
    return report(samples, in_process)


def _seeded(admin_url: str) -> bool:
    try:
        with psycopg.connect(database_url(admin_url, DATABASE)) as connection:
            row = connection.execute("SELECT count(*) FROM registrations").fetchone()
            return bool(row and row[0] >= DEVICES * PASSES_PER_DEVICE)
    except psycopg.Error:
        return False


if __name__ == "__main__":
    main()
