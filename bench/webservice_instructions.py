"""Instructions per request of Apple's two hot reads, against the bare Flask endpoint.

    .venv/bin/python bench/webservice_instructions.py [--requests 500] [--rounds 2] [--reuse-db]
    .venv/bin/python bench/webservice_instructions.py --profile "list serials, no tag"

Wall-clock load tests (bench/webservice_load.py) swing with whatever else runs on a
shared machine; instruction counts do not. This script:
1. builds the PostgreSQL database `wallet_perf` (--database) with the real migrations
   and webservice_load's seed, smaller (2,000 big passes, 1,000 devices holding two
   each), and signs the passes the "200" scenarios fetch, filling `pass_bundles`;
2. runs itself once under `valgrind --tool=callgrind`: it builds the app, warms every
   scenario (kept connection, prepared statements, per-process bundle cache), then
   calls the WSGI app directly --requests times per scenario and round, with environ
   dicts built once by Werkzeug's EnvironBuilder, reading and closing the body as a
   server does. Callgrind dumps its counts at each mark between scenarios;
3. prints (instructions of a scenario's segment - an empty segment's) / requests.

That is the Python side of a request (the app, Werkzeug, SQLAlchemy, psycopg and
libpq, in this process); PostgreSQL's backend and the HTTP server are not counted.
The fetch events of 200s are buffered as in production; "+ event write" also writes
the buffer (workers/fetch_recorder.py), so the difference is the write per fetch.
--profile runs one scenario in-process under cProfile instead (no valgrind).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
import psycopg  # noqa: E402
from flask import Flask  # noqa: E402
from sqlalchemy import text  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

from bench.bare_app import BARE_PATH, create_bare_app  # noqa: E402
from bench.webservice_load import BIG_TYPE, LIST_PATH, PASS_PATH, TEAM, seed, wallet_settings  # noqa: E402
from walletservice import create_app  # noqa: E402
from walletservice.extensions import db  # noqa: E402
from walletservice.runtime import runtime  # noqa: E402
from walletservice.services.certificates import ensure_dev_certificates  # noqa: E402
from walletservice.workers import fetch_recorder  # noqa: E402

BIG_PASSES, DEVICES = 2_000, 1_000
ROTATION = 100  # distinct devices or passes per scenario, each request the next one
# Wallet's own User-Agent: the 200 path identifies the wallet app from it.
USER_AGENT = "PassKit/1.0 CFNetwork/1494.0.7 Darwin/23.4.0"

Environ = dict[str, Any]
WsgiApp = Callable[[Environ, Callable[..., Any]], Iterable[bytes]]


# ---------------------------------------------------------------- database

def prepare_database(admin_url: str, name: str, settings: dict[str, Any], instance: Path, reuse: bool) -> None:
    if reuse and _seeded(admin_url, name):
        return
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    app = create_app(settings, instance_dir=instance)
    with app.app_context():
        flask_migrate.upgrade()
    seed(app, big_passes=BIG_PASSES, devices=DEVICES)


def _seeded(admin_url: str, name: str) -> bool:
    try:
        with psycopg.connect(admin_url.rsplit("/", 1)[0] + "/" + name) as connection:
            row = connection.execute("SELECT count(*) FROM registrations").fetchone()
            return bool(row and row[0] >= DEVICES * 2)
    except psycopg.Error:
        return False


def rows(app: Flask, sql: str) -> list[Any]:
    with app.app_context(), db.engine.connect() as connection:
        return list(connection.execute(text(sql), {"t": BIG_TYPE, "n": ROTATION}).all())


# ---------------------------------------------------------------- requests

def environ(path: str, headers: dict[str, str] | None = None, query: str = "") -> Environ:
    builder = EnvironBuilder(path=path, query_string=query, headers=headers,
                             environ_base={"REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1"})
    try:
        return builder.get_environ()
    finally:
        builder.close()


def wallet_scenarios(app: Flask) -> dict[str, list[Environ]]:
    """Requests per scenario, one distinct device or pass each (as in webservice_load)."""
    devices = rows(app, """
        SELECT d.device_library_identifier, min(p.update_tag) FROM registrations AS r
        JOIN devices AS d ON d.id = r.device_id JOIN passes AS p ON p.id = r.pass_id
        WHERE r.pass_type_identifier = :t GROUP BY d.device_library_identifier
        ORDER BY d.device_library_identifier LIMIT :n""")
    passes = rows(app, """
        SELECT serial_number, authentication_token, modified_at FROM passes
        WHERE pass_type_identifier = :t AND serial_number LIKE 'big-%' ORDER BY serial_number LIMIT :n""")
    wallet = {"User-Agent": USER_AGENT}

    def fetch(serial: str, token: str, modified_at: dt.datetime | None = None) -> Environ:
        headers = {**wallet, "Authorization": f"ApplePass {token}"}
        if modified_at is not None:
            headers["If-Modified-Since"] = format_datetime(modified_at.replace(tzinfo=dt.timezone.utc), usegmt=True)
        return environ(PASS_PATH.format(pass_type=BIG_TYPE, serial=serial), headers)

    list_path = LIST_PATH.format(pass_type=BIG_TYPE, device="{device}")
    return {
        "list serials, no tag": [environ(list_path.format(device=d), wallet) for d, _ in devices],
        "list serials, with tag": [
            environ(list_path.format(device=d), wallet, f"passesUpdatedSince={tag}") for d, tag in devices
        ],
        "latest pass, 304": [fetch(serial, token, modified) for serial, token, modified in passes],
        "latest pass, 200 cached": [fetch(serial, token) for serial, token, _ in passes],
        "latest pass, 200 cached + event write": [fetch(serial, token) for serial, token, _ in passes],
    }


EXPECTED_STATUS = {
    "bare Flask endpoint": 200, "list serials, no tag": 200, "list serials, with tag": 200,
    "latest pass, 304": 304, "latest pass, 200 cached": 200, "latest pass, 200 cached + event write": 200,
}
SCENARIOS = list(EXPECTED_STATUS)


def call(app: WsgiApp, request_environ: Environ) -> str:
    """One request as a WSGI server makes it: a fresh environ dict, body read, closed."""
    status: list[str] = []
    body = app(dict(request_environ), lambda s, _headers, _exc=None: status.append(s))
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return status[0]


def run(app: WsgiApp, environs: list[Environ], count: int, expected: int | None = None) -> None:
    for number in range(count):
        status = call(app, environs[number % len(environs)])
        if expected is not None and not status.startswith(str(expected)):
            raise SystemExit(f"{environs[number % len(environs)]['PATH_INFO']} answered {status}, expected {expected}")


def build(settings: dict[str, Any], instance: Path) -> tuple[Flask, dict[str, WsgiApp], dict[str, list[Environ]]]:
    wallet = create_app(settings, instance_dir=instance)
    fetch_recorder.FLUSH_AT = 1 << 62  # buffered fetches are written only where the scenario says
    apps: dict[str, WsgiApp] = {"bare Flask endpoint": create_bare_app().wsgi_app}
    environs = {"bare Flask endpoint": [environ(BARE_PATH)], **wallet_scenarios(wallet)}
    for name in environs:
        apps.setdefault(name, wallet)
    return wallet, apps, environs


def warm(apps: dict[str, WsgiApp], environs: dict[str, list[Environ]]) -> None:
    """Every request of every scenario once: pool, prepared statements, caches."""
    for name, requests in environs.items():
        run(apps[name], requests, len(requests), EXPECTED_STATUS[name])


def end_of_run(wallet: Flask, scenario: str) -> None:
    """Write the buffered fetch events in the "+ event write" scenario, else drop them."""
    with wallet.app_context():
        recorder = runtime().fetches
    assert recorder is not None
    if scenario.endswith("+ event write"):
        recorder.flush()
    else:
        recorder._pending.clear()  # noqa: SLF001 - a bench's shortcut


# ---------------------------------------------------------------- modes

def mark() -> None:
    """Under valgrind, callgrind dumps its counts here (--dump-before=os_getloadavg)."""
    os.getloadavg()


def child(args: argparse.Namespace, settings: dict[str, Any], instance: Path) -> None:
    """Runs under callgrind: build and warm, then each scenario's requests between marks.

    Dump 1 holds start-up and warm-up, dump 2 an empty segment (the cost of the
    marks and the loop), then one dump per scenario and round, in SCENARIOS order.
    """
    wallet, apps, environs = build(settings, instance)
    warm(apps, environs)
    end_of_run(wallet, "")  # the warm-up's fetches
    mark()
    mark()
    for _round in range(args.rounds):
        for name in args.scenarios:
            run(apps[name], environs[name], args.requests)
            end_of_run(wallet, name)
            mark()
    sys.stdout.flush()
    os._exit(0)  # no interpreter teardown: nothing to count there


def profile(args: argparse.Namespace, settings: dict[str, Any], instance: Path) -> None:
    _wallet, apps, environs = build(settings, instance)
    warm(apps, environs)
    target, requests = apps[args.profile], environs[args.profile]
    started = time.perf_counter()
    run(target, requests, args.requests)
    elapsed = time.perf_counter() - started
    profiler = cProfile.Profile()
    profiler.runcall(run, target, requests, args.requests)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.lines)
    print(out.getvalue())
    print(f"{args.profile}: {elapsed / args.requests * 1e6:.0f} µs per request without the profiler (wall clock)")


def callgrind_segments(args: argparse.Namespace, workdir: Path) -> list[int]:
    """Instructions of each segment between marks, from one valgrind run of `child`."""
    for old in workdir.glob("callgrind.out*"):
        old.unlink()
    out_file = workdir / "callgrind.out"
    command = [
        "valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", "--dump-before=os_getloadavg",
        sys.executable, __file__, "--child", "--requests", str(args.requests), "--rounds", str(args.rounds),
        "--admin-url", args.admin_url, "--database", args.database, "--workdir", str(workdir),
        "--only", *args.scenarios,
    ]
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    if result.returncode != 0:
        raise SystemExit(f"valgrind run failed ({result.returncode}):\n{result.stderr[-3000:]}")
    dumps = sorted(workdir.glob("callgrind.out.*"), key=lambda path: int(path.suffix[1:]))
    totals = []
    for dump in dumps:
        match = re.search(r"^(?:summary|totals):\s*(\d+)", dump.read_text(), re.MULTILINE)
        totals.append(int(match.group(1)) if match else 0)
        dump.unlink()
    return totals


def driver(args: argparse.Namespace, settings: dict[str, Any], workdir: Path) -> None:
    prepare_database(args.admin_url, args.database, settings, workdir / "instance", args.reuse_db)
    wallet, apps, environs = build(settings, workdir / "instance")
    warm(apps, environs)  # signs the 200 scenario's passes once, into pass_bundles
    end_of_run(wallet, "")
    started = time.perf_counter()
    segments = callgrind_segments(args, workdir)
    startup, glue, *measured = segments
    expected = len(args.scenarios) * args.rounds
    if len(measured) != expected:
        raise SystemExit(f"expected {expected} measured segments, callgrind dumped {len(measured)}: {segments}")
    print(f"callgrind, {time.perf_counter() - started:.0f} s: start-up and warm-up {startup:,} instructions, "
          f"empty segment {glue:,}; {args.requests} requests per scenario and round, {args.rounds} rounds")
    per_request = {name: [] for name in args.scenarios}  # type: dict[str, list[float]]
    for index, total in enumerate(measured):
        per_request[args.scenarios[index % len(args.scenarios)]].append((total - glue) / args.requests)
    bare = min(per_request.get("bare Flask endpoint", [0])) or None
    print("\n| Scenario | instructions per request (min of rounds) | rounds | vs bare |\n|---|---:|---|---:|")
    for name, values in per_request.items():
        rounds = " / ".join(f"{value:,.0f}" for value in values)
        ratio = f"{min(values) / bare:.2f}" if bare else ""
        print(f"| {name} | {min(values):,.0f} | {rounds} | {ratio} |")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500, help="requests per scenario and round")
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="wallet_perf")
    parser.add_argument("--reuse-db", action="store_true", help="keep an already seeded database")
    parser.add_argument("--rounds", type=int, default=2, help="times every scenario is measured")
    parser.add_argument("--only", nargs="*", help="scenarios whose name contains one of these words")
    parser.add_argument("--profile", choices=SCENARIOS, help="cProfile one scenario in-process instead")
    parser.add_argument("--sort", default="tottime", help="pstats sort key for --profile")
    parser.add_argument("--lines", type=int, default=40, help="rows of the --profile table")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    args.scenarios = args.only if args.child else [
        name for name in SCENARIOS if not args.only or any(part in name for part in args.only)]
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench-instructions-"))
    certs_dir = workdir / "certs"
    ensure_dev_certificates(certs_dir, BIG_TYPE, TEAM)
    url = args.admin_url.rsplit("/", 1)[0] + "/" + args.database
    settings = {**wallet_settings(url, certs_dir, "http://127.0.0.1:8000"),
                "WALLET_FETCH_EVENTS_FLUSH_SECONDS": 3600.0}
    if args.child:
        child(args, settings, workdir / "instance")
    elif args.profile:
        prepare_database(args.admin_url, args.database, settings, workdir / "instance", reuse=True)
        profile(args, settings, workdir / "instance")
    else:
        driver(args, settings, workdir)


if __name__ == "__main__":
    main()
