"""Background jobs through the real worker and database: chunks, progress,
failures, crashes and two workers at once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask

from tests.factories import make_organization
from walletservice.db import transaction
from walletservice.errors import NotFound
from walletservice.models import BackgroundJob, PushRequest
from walletservice.queue.jobs import JobKind, claim_job, enqueue_job, job_progress
from walletservice.queue.pushes import enqueue_campaign_push
from walletservice.services.campaign_merge import MERGE_KIND, MESSAGE_KIND, release_merge_push
from walletservice.workers.job_kinds import JOB_KINDS, count_to
from walletservice.workers.job_runner import JobWorker

# count_to with the campaign merge's hook: it holds a push until its last chunk.
COUNT_HOLDING_A_PUSH = JobKind("count_holding_a_push", count_to, on_failure=release_merge_push)


@pytest.fixture
def organization_id(app: Flask) -> str:
    app.config.update(WALLET_JOB_RETRY_BASE_SECONDS=0.0, WALLET_WORKER_POLL_SECONDS=0.01)
    organization, _key = make_organization()
    return organization.id


def _enqueue(organization_id: str, **payload: Any) -> str:
    with transaction() as session:
        return enqueue_job(session, organization_id, "count_to", payload).id


def _job(job_id: str) -> BackgroundJob:
    with transaction(write=False) as session:
        job = session.get(BackgroundJob, job_id)
        session.expunge(job)
        return job


def test_a_job_runs_chunk_by_chunk_to_done(app: Flask, organization_id: str) -> None:
    job_id = _enqueue(organization_id, n=10, step=3, bad=[4, 7])
    assert _job(job_id).state == "queued"

    assert JobWorker(app).run_until_idle() == 1

    with transaction(write=False) as session:
        progress = job_progress(session, organization_id, job_id)
    assert (progress.state, progress.total, progress.processed, progress.failed) == ("done", 10, 10, 2)
    assert progress.errors == [{"id": "4", "error": "bad number"}, {"id": "7", "error": "bad number"}]
    assert progress.result == {"last": 10}
    assert progress.started_at is not None and progress.finished_at >= progress.started_at
    assert _job(job_id).lease_owner is None


def test_another_organization_cannot_see_a_job(app: Flask, organization_id: str) -> None:
    job_id = _enqueue(organization_id, n=1)
    other, _key = make_organization("Other")
    with transaction(write=False) as session, pytest.raises(NotFound):
        job_progress(session, other.id, job_id)


def test_a_failing_chunk_is_retried_then_recorded_as_failed_keeping_progress(
    app: Flask, organization_id: str
) -> None:
    app.config["WALLET_JOB_MAX_ATTEMPTS"] = 3
    job_id = _enqueue(organization_id, n=10, step=2, explode_at=5)

    JobWorker(app).run_until_idle()

    job = _job(job_id)
    assert job.state == "failed" and job.attempts == 3
    assert job.result["error"] == "RuntimeError: exploded as asked"
    # The two chunks before the poisoned one committed; the poisoned one never did.
    assert (job.processed, job.cursor) == (4, "4")


def test_a_job_that_fails_runs_its_kinds_hook_which_releases_the_held_push(app: Flask, organization_id: str) -> None:
    # A merge holds its campaign push until the last chunk; the chunks committed before
    # a failure changed passes, so their devices must still be told (the merge's hook).
    app.config["WALLET_JOB_MAX_ATTEMPTS"] = 2
    assert _run_exploding_job_holding_a_push(app, organization_id, COUNT_HOLDING_A_PUSH) == ("failed", "expanding")


def test_a_job_retried_after_a_failing_chunk_keeps_its_push_held(app: Flask, organization_id: str) -> None:
    app.config["WALLET_JOB_MAX_ATTEMPTS"] = 3
    app.config["WALLET_JOB_RETRY_BASE_SECONDS"] = 3600.0  # the retry is not due yet
    assert _run_exploding_job_holding_a_push(app, organization_id, COUNT_HOLDING_A_PUSH) == ("running", "waiting")


def test_the_worker_has_no_rule_of_its_own_for_held_pushes(app: Flask, organization_id: str) -> None:
    # A kind without a failure hook leaves whatever it enqueued alone.
    app.config["WALLET_JOB_MAX_ATTEMPTS"] = 1
    assert _run_exploding_job_holding_a_push(app, organization_id, JobKind("plain_count", count_to)) == (
        "failed", "waiting")


def test_the_campaign_merge_kinds_declare_the_held_push_release() -> None:
    assert MERGE_KIND.on_failure is release_merge_push and MESSAGE_KIND.on_failure is release_merge_push
    assert {MERGE_KIND, MESSAGE_KIND} <= set(JOB_KINDS)


def _run_exploding_job_holding_a_push(app: Flask, organization_id: str, kind: JobKind) -> tuple[str, str]:
    """(job state, push state) after the worker ran a job whose second chunk raises."""
    with transaction() as session:
        push = enqueue_campaign_push(session, organization_id, "campaign-1", held=True)
        job = enqueue_job(session, organization_id, kind.name,
                          {"n": 6, "step": 2, "explode_at": 3, "push_id": push.id})
        job.push_request_id, push_id, job_id = push.id, push.id, job.id
    JobWorker(app, kinds=(*JOB_KINDS, kind)).run_until_idle()
    with transaction(write=False) as session:
        return session.get(BackgroundJob, job_id).state, session.get(PushRequest, push_id).state


def test_a_crashed_workers_job_is_continued_by_another_and_the_dead_one_is_fenced(
    app: Flask, organization_id: str
) -> None:
    job_id = _enqueue(organization_id, n=6, step=2)
    with transaction() as session:
        assert claim_job(session, "dead-worker", lease_seconds=-1).id == job_id  # lease already over

    JobWorker(app, worker_id="live-worker").run_until_idle()

    job = _job(job_id)
    assert (job.state, job.processed) == ("done", 6)
    # The dead worker coming back finds nothing it may touch.
    assert JobWorker(app, worker_id="dead-worker")._run_chunk(job_id, "count_to") is False


def test_a_live_lease_is_not_claimed_twice(app: Flask, organization_id: str) -> None:
    _enqueue(organization_id, n=1)
    with transaction() as session:
        assert claim_job(session, "first", lease_seconds=60) is not None
    with transaction() as session:
        assert claim_job(session, "second", lease_seconds=60) is None


def test_stopping_hands_the_job_back_for_another_worker(app: Flask, organization_id: str) -> None:
    job_id = _enqueue(organization_id, n=8, step=2)
    stop = threading.Event()
    stop.set()  # already asked to stop: runs one chunk, then releases

    assert JobWorker(app, worker_id="stopping").run_once(stop) is True
    job = _job(job_id)
    assert (job.state, job.processed, job.lease_owner) == ("running", 2, None)

    JobWorker(app).run_until_idle()
    assert (_job(job_id).state, _job(job_id).processed) == ("done", 8)


def test_an_unknown_kind_fails_instead_of_looping(app: Flask, organization_id: str) -> None:
    app.config["WALLET_JOB_MAX_ATTEMPTS"] = 2
    with transaction() as session:
        job_id = enqueue_job(session, organization_id, "no_such_kind", {}).id
    JobWorker(app).run_until_idle()
    job = _job(job_id)
    assert job.state == "failed" and "no handler" in job.result["error"]


def test_two_workers_at_once_process_every_job_exactly_once(app: Flask, organization_id: str) -> None:
    job_ids = [_enqueue(organization_id, n=12, step=1) for _ in range(6)]
    workers = [JobWorker(app, worker_id=f"w{i}") for i in range(2)]
    threads = [threading.Thread(target=worker.run_until_idle) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    for job_id in job_ids:
        job = _job(job_id)
        # A chunk run twice would count twice.
        assert (job.state, job.processed, job.cursor) == ("done", 12, "12")
