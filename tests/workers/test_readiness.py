"""/readyz and `wallet status` tell the truth about the worker loops' heartbeats."""

from __future__ import annotations

import datetime as dt
import json

from flask import Flask
from flask.testing import FlaskClient

from tests.operations.test_metrics import scrape
from walletservice.db import transaction
from walletservice.models.base import utcnow
from walletservice.workers.heartbeats import record_beat, record_error


def beat(process: str, loop: str, seconds_ago: float, error: str | None = None) -> None:
    with transaction() as session:
        when = utcnow() - dt.timedelta(seconds=seconds_ago)
        record_beat(session, process, loop, when)
        if error:
            record_error(session, process, loop, error, when)


def test_readyz_is_ready_when_no_loop_has_reported(client: FlaskClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ready"}


def test_readyz_is_503_while_no_process_runs_a_loop_with_a_fresh_heartbeat(client: FlaskClient) -> None:
    beat("worker-a:10", "push-sender", seconds_ago=5)
    beat("worker-a:10", "job-runner", seconds_ago=90, error="OperationalError: server closed the connection")

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.get_json()
    assert body["problem"] == "no live process runs job-runner"
    [stale] = body["stale_loops"]
    assert stale["loop"] == "job-runner" and stale["process"] == "worker-a:10"
    assert 89 <= stale["age_seconds"] < 100
    assert stale["last_error"] == "OperationalError: server closed the connection"


def test_a_dead_process_replaced_by_a_live_one_is_reported_but_ready(client: FlaskClient) -> None:
    beat("worker-a:10", "push-sender", seconds_ago=300)
    beat("worker-b:11", "push-sender", seconds_ago=1)

    response = client.get("/readyz")

    assert response.status_code == 200
    assert [row["process"] for row in response.get_json()["stale_loops"]] == ["worker-a:10"]


def test_the_stale_limit_is_a_setting(app: Flask, client: FlaskClient) -> None:
    beat("worker-a:10", "scheduler", seconds_ago=20)
    assert client.get("/readyz").status_code == 200

    app.config["WALLET_LOOP_STALE_SECONDS"] = 10

    assert client.get("/readyz").status_code == 503


def test_status_names_the_stale_loop_and_exits_1(app: Flask) -> None:
    beat("worker-a:10", "webhook-sender", seconds_ago=120, error="ConnectError: refused")
    beat("worker-b:11", "push-sender", seconds_ago=1)

    result = app.test_cli_runner().invoke(args=["wallet", "status"])

    assert result.exit_code == 1, result.output
    assert "loops:         push-sender x1" in result.output
    assert "NOT READY: no live process runs webhook-sender" in result.output
    assert "webhook-sender in worker-a:10, last beat 120s ago; last error ConnectError: refused" in result.output


def test_status_json_lists_running_and_stale_loops(app: Flask) -> None:
    beat("worker-b:11", "push-sender", seconds_ago=1)

    result = app.test_cli_runner().invoke(args=["wallet", "status", "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["loops"] == {"running": {"push-sender": 1}, "down": [], "stale": []}


def test_metrics_count_loops_down_and_stale_heartbeats(client: FlaskClient) -> None:
    beat("worker-a:10", "push-sender", seconds_ago=300)
    beat("worker-b:11", "push-sender", seconds_ago=1)
    beat("worker-a:10", "job-runner", seconds_ago=300)

    samples = scrape(client)

    assert samples[("walletservice_loop_processes", (("loop", "push-sender"),))] == 1
    assert samples[("walletservice_loop_processes", (("loop", "job-runner"),))] == 0
    assert samples[("walletservice_loops_down", ())] == 1
    assert samples[("walletservice_loop_stale_heartbeats", ())] == 2
