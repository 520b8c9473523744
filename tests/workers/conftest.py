"""Fixtures for the fault tests: the APNs simulator of tests/delivery, a webhook receiver,
and real worker, scheduler and embedded processes on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.http_servers import serve_in_thread
from tests.delivery.conftest import push_app, simulator, simulator_files  # noqa: F401 - fixtures used here
from tests.scheduling.conftest import flights  # noqa: F401 - a fixture used here
from walletservice.models.base import utcnow

ROOT = Path(__file__).resolve().parents[2]
# A process start is a second or two on a quiet machine; a busy CI box may take far longer.
# Only waits that include starting processes use it; recovery keeps its own limits.
STARTUP_SECONDS = 120
on_postgresql = pytest.mark.skipif(
    not os.environ.get("WALLET_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="pg_terminate_backend is PostgreSQL's",
)


class WebhookReceiver:
    """Counts POSTs and records each one's delivery id and arrival; answers 200 after `delay` seconds."""

    def __init__(self) -> None:
        self.posts = 0
        self.arrivals: list[tuple[int, dt.datetime]] = []
        self.delay = 0.0
        self.lock = threading.Lock()
        self.url = ""


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers["Content-Length"]))
            with receiver.lock:  # on arrival: a POST of a worker killed meanwhile is answered later
                receiver.posts += 1
                receiver.arrivals.append((int(self.headers["X-Wallet-Delivery"]), utcnow()))
            time.sleep(receiver.delay)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    for port in serve_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), Handler)):
        receiver.url = f"http://127.0.0.1:{port}/hooks"
        yield receiver


def tagged_url(url: str, application_name: str) -> str:
    """The database URL with an application_name, so a test can find that process's connections."""
    return make_url(url).update_query_dict({"application_name": application_name}).render_as_string(
        hide_password=False)


def kill_connections(url: str, application_name: str) -> int:
    """pg_terminate_backend on every connection of `application_name` to this test's database."""
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            return len(connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = :name"), {"name": application_name}
            ).all())
    finally:
        engine.dispose()


@pytest.fixture
def start_process(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen]]:  # type: ignore[type-arg]
    """Start `args` (a list) in the project root with `env` added; stopped with SIGTERM at the end."""
    started: list[subprocess.Popen] = []  # type: ignore[type-arg]

    def start(args: list[str], env: dict[str, str], log_name: str) -> subprocess.Popen:  # type: ignore[type-arg]
        log = (tmp_path / f"{log_name}.log").open("wb")
        process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT),
                                   **env}, stdout=log, stderr=subprocess.STDOUT)
        process.log_path = tmp_path / f"{log_name}.log"  # type: ignore[attr-defined]
        started.append(process)
        return process

    yield start
    running = [process for process in started if process.poll() is None]
    for process in running:
        process.terminate()  # all at once: they drain in parallel
    for process in running:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> float:
    """Poll `condition` until true; returns the seconds it took."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"timed out waiting for {what}"
        time.sleep(0.05)
    return time.monotonic() - started
