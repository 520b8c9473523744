"""The Supervisor, in this process: restarts after faults, logs once per outage, heartbeats, leases."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from tests.factories import make_organization
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.queue.jobs import ChunkResult, JobKind, enqueue_job
from walletservice.queue.jobs import claim_job
from walletservice.workers.job_kinds import JOB_KINDS
from walletservice.workers.job_runner import JobWorker
from walletservice.models import BackgroundJob, WorkerHeartbeat
from walletservice.workers.supervisor import Backoff, Supervisor

pytestmark = pytest.mark.timeout(30)
QUICK = Backoff(base_seconds=0.01, max_seconds=0.05)


def connection_lost() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("terminating connection due to administrator command"))


class ScriptedLoop:
    """Raises the next planned error, or beats and waits for stop."""

    def __init__(self, plan: list[Exception], working: threading.Event, before: Callable[[], None] | None = None):
        self.plan, self.working, self.before = plan, working, before

    def run(self, stop: threading.Event, pulse: Callable[[], None]) -> None:
        if self.before is not None:
            self.before()
        if self.plan:
            raise self.plan.pop(0)
        pulse()
        self.working.set()
        stop.wait()


@pytest.fixture
def supervise(app: Flask) -> Iterator[Callable[..., Supervisor]]:
    started: list[tuple[Supervisor, threading.Event]] = []

    def start(make_loop: Callable[[str], object], name: str = "push-sender") -> Supervisor:
        stop = threading.Event()
        supervisor = Supervisor(app, name, make_loop, stop, backoff=QUICK)  # type: ignore[arg-type]
        started.append((supervisor, stop))
        supervisor.start(daemon=True)
        return supervisor

    yield start
    for supervisor, stop in started:
        stop.set()
        supervisor.join(10)


def heartbeats() -> list[WorkerHeartbeat]:
    db.session.rollback()
    return list(db.session.scalars(select(WorkerHeartbeat)))


def test_a_loop_stopped_by_the_database_is_restarted_and_the_outage_logged_once(supervise, caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="walletservice.workers.supervisor")
    plan: list[Exception] = [connection_lost(), connection_lost(), connection_lost()]
    working = threading.Event()
    supervisor = supervise(lambda _worker_id: ScriptedLoop(plan, working))

    assert working.wait(10)

    assert supervisor.restarts == 3
    messages = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(messages) == 2, messages
    assert "push-sender stopped by a database fault (Exception: terminating connection" in messages[0]
    assert "push-sender is working again after" in messages[1] and "(3 failed attempts)" in messages[1]
    [beat] = heartbeats()
    assert (beat.loop, beat.process) == ("push-sender", supervisor.process)
    assert "terminating connection due to administrator command" in (beat.last_error or "")


def test_a_loop_that_fails_with_a_bug_is_logged_with_its_traceback_and_restarted(supervise, caplog):  # type: ignore[no-untyped-def]
    plan: list[Exception] = [ValueError("a bug in a round")]
    working = threading.Event()
    supervise(lambda _worker_id: ScriptedLoop(plan, working), name="job-runner")

    assert working.wait(10)

    [failure] = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert failure.exc_info is not None and "job-runner failed" in failure.getMessage()
    [beat] = heartbeats()
    assert beat.last_error == "ValueError: a bug in a round"


def test_a_clean_stop_deletes_the_heartbeat(app: Flask) -> None:
    stop, working = threading.Event(), threading.Event()
    supervisor = Supervisor(app, "scheduler", lambda _id: ScriptedLoop([], working), stop, backoff=QUICK)
    supervisor.start()
    assert working.wait(10)
    assert [beat.loop for beat in heartbeats()] == ["scheduler"]

    stop.set()
    supervisor.join(10)

    assert heartbeats() == []


def test_the_restarted_loop_can_claim_what_the_failed_one_held_at_once(app: Flask, supervise) -> None:  # type: ignore[no-untyped-def]
    organization, _ = make_organization()
    with transaction() as session:
        job_id = enqueue_job(session, organization.id, "count_to", {"n": 1}).id
    claimed_by_others: list[str | None] = []

    def claim_then_lose_the_database() -> None:
        with app.app_context(), transaction() as session:
            job = claim_job(session, "another-worker", 300)
            claimed_by_others.append(job.id if job else None)

    def make_loop(worker_id: str) -> ScriptedLoop:
        if not claimed_by_others:  # the first loop holds the job for 300 s and loses its connection
            with app.app_context(), transaction() as session:
                assert claim_job(session, worker_id, 300).id == job_id  # type: ignore[union-attr]
            return ScriptedLoop([connection_lost()], working, claim_then_lose_the_database)
        return ScriptedLoop([], working, claim_then_lose_the_database)

    working = threading.Event()
    supervise(make_loop)

    assert working.wait(10)
    assert claimed_by_others == [None, job_id]  # held by the failed loop, then free long before 300 s


def test_backoff_grows_to_its_bound_with_jitter() -> None:
    backoff = Backoff(base_seconds=0.5, max_seconds=4.0)

    assert all(0.25 <= backoff.delay(1) <= 0.5 for _ in range(100))
    assert all(0.5 <= backoff.delay(2) <= 1.0 for _ in range(100))
    delays = {backoff.delay(60) for _ in range(100)}
    assert all(2.0 <= delay <= 4.0 for delay in delays) and len(delays) > 1


def _loses_the_database(session, job: BackgroundJob, settings) -> ChunkResult:  # type: ignore[no-untyped-def]
    raise connection_lost()


LOSES_THE_DATABASE = JobKind("test_loses_the_database", _loses_the_database)


def test_a_job_chunk_that_loses_the_database_is_not_counted_as_a_job_failure(app: Flask) -> None:
    organization, _ = make_organization()
    with transaction() as session:
        job_id = enqueue_job(session, organization.id, "test_loses_the_database", {}).id

    with pytest.raises(OperationalError):
        JobWorker(app, "worker-1", kinds=(*JOB_KINDS, LOSES_THE_DATABASE)).run_once()

    db.session.rollback()
    job = db.session.get(BackgroundJob, job_id, populate_existing=True)
    assert (job.state, job.attempts, job.lease_owner) == ("running", 0, "worker-1")


def test_pulse_writes_at_most_every_beat_interval(app: Flask) -> None:
    supervisor = Supervisor(app, "push-sender", lambda _id: ScriptedLoop([], threading.Event()), threading.Event())
    supervisor.pulse()
    first = heartbeats()[0].last_beat_at
    time.sleep(0.01)

    supervisor.pulse()

    assert heartbeats()[0].last_beat_at == first
