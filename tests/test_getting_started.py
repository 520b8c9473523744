"""README's "Getting started", run exactly as written: its shell blocks, in order, against
`python app.py` (the embedded mode `make run` starts) on a free port, with the local APNs
simulator, on this test's database (SQLite, or PostgreSQL when WALLET_TEST_DATABASE_URL is set).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from flask import Flask

from tests.http_servers import free_port

ROOT = Path(__file__).resolve().parent.parent
SHELL_BLOCK = re.compile(r"```sh\n(.*?)```", re.DOTALL)
START_SECONDS = 60
SCRIPT_SECONDS = 120


def getting_started_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Getting started\n", 1)[1].split("\n## ", 1)[0]
    return SHELL_BLOCK.findall(section)


def wait_until_ready(base: str, server: subprocess.Popen, log: Path) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()[-3000:]
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"app.py not ready in {START_SECONDS} s: {log.read_text()[-3000:]}")


@pytest.fixture
def served(app: Flask, tmp_path: Path):  # type: ignore[no-untyped-def]
    """`python app.py --port N` on this test's database; yields (base URL, environment)."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           **{name: str(app.config[name]) for name in ("WALLET_DATABASE_URL", "WALLET_SECRET_KEY", "WALLET_CERTS_DIR")}}
    env.pop("WALLET_PUBLIC_URL", None)  # the links must name the port served
    log = tmp_path / "app.log"
    with log.open("wb") as output:
        server = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                                  stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, server, log)
        yield base, env
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_the_readme_has_the_whole_walkthrough():
    script = "\n".join(getting_started_blocks())
    for step in ("make run", "orgs create", "/v2/assets", "/v2/generics", "pkpass_url", "/registrations/",
                 "-X PATCH", "/v2/pushes/", "/wallet/v1/passes/", "/v2/event_tickets", "posterEventTicket", "asset[asset_type]=artwork",
                 "/v2/boarding_passes", "semanticBoardingPass"):
        assert step in script, step


@pytest.mark.skipif(shutil.which("curl") is None, reason="the walkthrough's commands use curl (.ci/run installs it)")
def test_getting_started_runs_as_written(served, tmp_path: Path):
    base, env = served
    blocks = [block for block in getting_started_blocks() if not block.startswith("make run")]
    script = "set -euo pipefail\n" + "\n".join(blocks)

    finished = subprocess.run(["bash", "-c", script], cwd=ROOT, env={**env, "BASE": base}, capture_output=True,
                              text=True, timeout=SCRIPT_SECONDS)

    assert finished.returncode == 0, finished.stdout + finished.stderr
    lines = finished.stdout.splitlines()
    assert lines[0].startswith(f"{base}/download/"), lines  # step 4: the link names the port served, not 5000
    assert lines[1] == "201", lines  # step 6: the device registered
    assert re.search(r'"state": ?"done"', finished.stdout), finished.stdout
    assert re.search(r'"sent": ?1\b', finished.stdout), finished.stdout
    assert re.search(r'"failed": ?0\b', finished.stdout), finished.stdout
    assert '"serialNumbers"' in finished.stdout
    assert re.search(r'"value": *"Gold"', lines[-9]), lines  # step 9
    assert lines[-8] == "['posterEventTicket', 'eventTicket']", lines  # step 10: the classic fallback named
    assert lines[-7] == "2026-11-20T20:00:00+01:00", lines  # step 10: relevantDate for iOS before 18
    assert lines[-6] == "artwork.png artwork@2x.png artwork@3x.png", lines  # step 10: the poster's artwork
    assert "semantics.venueName is required" in lines[-5] and "posterEventTicket" in lines[-5], lines  # step 11
    assert lines[-4] == "['semanticBoardingPass', 'boardingPass']", lines  # step 12: the legacy fallback named
    assert "semantics.flightNumber is required for a semanticBoardingPass" in lines[-3], lines  # step 12
    # step 13: the upcoming event's image at our content-addressed URL, whose bytes hash to its name
    image = re.fullmatch(re.escape(base) + r"/assets/[0-9a-f-]{36}/(?P<sha256>[0-9a-f]{64})\.png", lines[-2])
    assert image, lines
    assert lines[-1].split()[0] == image["sha256"], lines
