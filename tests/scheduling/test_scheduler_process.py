"""Real APScheduler runs, kept short: a restart between creation and firing, and
two scheduler processes at once."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from tests.scheduling.conftest import UTC, load_schedule, schedule_pass_change
from walletservice.db import transaction
from walletservice.models import PushRequest, ScheduleRun
from walletservice.scheduling.process import SchedulerProcess

pytestmark = pytest.mark.timeout(60)


def _fast(app) -> None:  # type: ignore[no-untyped-def]
    # A lease much longer than a renewal round, so a slow machine cannot flip leaders.
    app.config.update(WALLET_SCHEDULE_POLL_SECONDS=0.2, WALLET_SCHEDULER_LEASE_SECONDS=3)


def _start(app, holder: str) -> tuple[SchedulerProcess, threading.Event, threading.Thread]:  # type: ignore[no-untyped-def]
    process, stop = SchedulerProcess(app, holder=holder), threading.Event()
    thread = threading.Thread(target=process.run, args=(stop,))
    thread.start()
    return process, stop, thread


def _wait_for(condition: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _soon(seconds: float) -> str:
    return (dt.datetime.now(UTC) + dt.timedelta(seconds=seconds)).isoformat()


def test_a_schedule_made_before_a_restart_fires_after_it(app, client, flights):
    _fast(app)
    first, stop_first, thread_first = _start(app, "before-restart")
    _wait_for(first.is_leader)
    created = schedule_pass_change(client, flights, run_at=_soon(2), changes={"voided": True})
    stop_first.set()
    thread_first.join(timeout=10)
    assert load_schedule(created["id"]).state == "scheduled"

    second, stop_second, thread_second = _start(app, "after-restart")
    try:
        _wait_for(lambda: load_schedule(created["id"]).state != "scheduled")
    finally:
        stop_second.set()
        thread_second.join(timeout=10)

    schedule = load_schedule(created["id"])
    assert schedule.state == "done" and schedule.last_push_request_id is not None


def test_two_schedulers_at_once_fire_each_schedule_once(app, client, flights):
    _fast(app)
    created = [schedule_pass_change(client, flights, run_at=_soon(1 + i / 10), changes={"voided": bool(i % 2)})
               for i in range(5)]
    started = [_start(app, f"scheduler-{i}") for i in range(2)]
    try:
        _wait_for(lambda: all(load_schedule(item["id"]).state == "done" for item in created))
        time.sleep(0.5)  # give a second firing the chance to happen
        leaders = [process.holder for process, _, _ in started if process.is_leader()]
    finally:
        for _, stop, thread in started:
            stop.set()
        for _, _, thread in started:
            thread.join(timeout=10)

    assert len(leaders) == 1
    with transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(ScheduleRun)) == 5
        assert session.scalar(select(func.count()).select_from(PushRequest)) == 5
