"""`flask --app app wallet status [--json]`: the same numbers as /metrics, exit code 1 when not ready."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.operations.open_work import SCHEDULER_HOLDER, seed_open_work
from walletservice import create_app
from walletservice.extensions import db


def test_status_prints_open_work_and_exits_0(app: Flask) -> None:
    seed_open_work()

    result = app.test_cli_runner().invoke(args=["wallet", "status"])

    assert result.exit_code == 0, result.output
    assert re.search(r"database: +ready, schema at \w+", result.output)
    assert re.search(r"pushes: +4 pending, 2 due \(oldest waiting 3\d\ds\), 1 in flight", result.output)
    assert re.search(r"push requests: +1 waiting, 1 expanding, 1 sending \(not done\)", result.output)
    assert re.search(r"jobs: +2 queued, 1 running \(oldest queued 6\d\ds\)", result.output)
    assert "1 failed in the last hour" in result.output
    assert f"leader {SCHEDULER_HOLDER} (lease expires in " in result.output
    assert re.search(r"schedules: +2 due and not fired \(oldest late 1\d\ds\)", result.output)


def test_status_json_has_the_numbers(app: Flask) -> None:
    seeded = seed_open_work()

    result = app.test_cli_runner().invoke(args=["wallet", "status", "--json"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["ready"] is True and document["database"]["problem"] is None
    status = document["status"]
    assert status["pushes"]["pending"] == seeded.push_deliveries_pending
    assert status["pushes"]["due"] == seeded.push_deliveries_due
    assert status["pushes"]["leased"] == seeded.push_deliveries_leased
    assert status["pushes"]["open_requests"] == dict(seeded.push_requests_open)
    assert status["jobs"]["open"] == dict(seeded.jobs_open)
    assert status["webhooks"]["pending"] == seeded.webhook_deliveries_pending
    assert status["scheduler"]["leader"] == SCHEDULER_HOLDER
    assert status["scheduler"]["due_schedules"] == seeded.schedules_due


@pytest.fixture
def unmigrated_app(test_settings: dict[str, object], tmp_path: Path) -> Iterator[Flask]:
    empty = create_app({**test_settings, "WALLET_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"},
                       instance_dir=tmp_path / "empty-instance")
    with empty.app_context():  # as the `app` fixture does: commands run inside one
        yield empty
        db.session.remove()
        db.engine.dispose()


def test_status_exits_1_when_the_database_is_not_migrated(unmigrated_app: Flask) -> None:
    runner = unmigrated_app.test_cli_runner()

    text = runner.invoke(args=["wallet", "status"])
    as_json = runner.invoke(args=["wallet", "status", "--json"])

    assert text.exit_code == 1
    assert "NOT READY: database schema is not migrated" in text.output
    assert as_json.exit_code == 1
    assert json.loads(as_json.output)["ready"] is False
