"""Durable background jobs: accepted in a request, done by workers in chunks.

A service declares each kind of job it enqueues:

    MERGE = JobKind("campaign_merge", merge_chunk, on_failure=release_merge_push)
    job = enqueue_job(session, organization_id, MERGE.name, {"campaign_id": ...})

and the job runner (walletservice/workers/job_runner.py) lists the kinds it runs.
`run_chunk(session, job, settings)` is called again and again, each time in its
own write transaction that also commits the job's progress, until it answers
done=True. So a chunk is applied exactly once even if the worker dies: its work
and the new cursor commit together, or neither does.

Enqueue, claim with leases, record progress: everything takes a session; callers commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.errors import NotFound
from walletservice.plumbing.change_authors import requested_by
from walletservice.models import BackgroundJob
from walletservice.models.base import utcnow
from walletservice.queue.leases import claim, release
from walletservice.queue.retry import RetryPolicy

# A job keeps this many per-item errors; the count in `failed` stays exact.
MAX_KEPT_ERRORS = 1000


@dataclass(frozen=True)
class ChunkResult:
    """What one call of a handler did. `cursor` is where the next call starts."""

    cursor: str | None
    processed: int
    done: bool
    failed: int = 0
    # Per-item problems, e.g. [{"id": pass_id, "error": "..."}]; the job keeps the first 1,000.
    errors: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] | None = None
    push_request_id: str | None = None
    # Known after the first chunk for jobs that count their items then.
    total: int | None = None
    # Not done, but nothing can be done before then (e.g. every item left waits for its own
    # retry): the worker lets go of the job, and any worker claims it again from that time.
    wait_until: dt.datetime | None = None


# The application's WALLET_* settings, as the worker passes them to a handler.
JobSettings = Mapping[str, Any]


@dataclass(frozen=True)
class JobKind:
    """A kind of job and its handler, declared by the service that enqueues it."""

    name: str
    run_chunk: Callable[[Session, BackgroundJob, JobSettings], ChunkResult]
    # Called in the transaction that marks the job failed for good (its chunks so far
    # stay committed), e.g. to release a push held for the job's end.
    on_failure: Callable[[Session, BackgroundJob], None] | None = None


@dataclass(frozen=True)
class JobProgress:
    id: str
    kind: str
    state: str
    total: int | None
    processed: int
    failed: int
    errors: list[dict[str, Any]]
    result: dict[str, Any] | None
    push_request_id: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


def enqueue_job(
    session: Session, organization_id: str, kind: str, payload: dict[str, Any], *, total: int | None = None
) -> BackgroundJob:
    """Accept work for later. Call it in the transaction of the change that needs it.
    The job's changes are recorded as made by whoever queued it (plumbing.change_authors)."""
    payload = {"requested_by": requested_by(), **payload}
    job = BackgroundJob(organization_id=organization_id, kind=kind, payload=payload, total=total)
    session.add(job)
    session.flush()
    return job


def job_progress(session: Session, organization_id: str, job_id: str) -> JobProgress:
    job = session.get(BackgroundJob, job_id)
    if job is None or job.organization_id != organization_id:
        raise NotFound("job not found")
    return JobProgress(
        id=job.id, kind=job.kind, state=job.state, total=job.total, processed=job.processed,
        failed=job.failed, errors=list(job.errors or []), result=job.result,
        push_request_id=job.push_request_id, created_at=job.created_at,
        started_at=job.started_at, finished_at=job.finished_at,
    )


def claim_job(
    session: Session, worker_id: str, lease_seconds: float, now: dt.datetime | None = None
) -> BackgroundJob | None:
    """Lease the oldest job nobody holds: queued, or running under an expired lease
    (its worker died). `lease_expires_at` also serves as "not before" for retries."""
    now = now or utcnow()
    rows = claim(
        session, BackgroundJob, due=[BackgroundJob.state.in_(("queued", "running"))],
        order_by=[BackgroundJob.created_at, BackgroundJob.id], limit=1,
        worker_id=worker_id, lease_seconds=lease_seconds, now=now, returning=[BackgroundJob.id],
    )
    claimed = rows[0].id if rows else None
    if claimed is None:
        return None
    job = session.get(BackgroundJob, claimed, populate_existing=True)
    assert job is not None
    if job.state == "queued":
        job.state, job.started_at = "running", now
    job.claims += 1  # we hold the row: claim() updated it in this transaction
    return job


def lock_held_job(session: Session, job_id: str, worker_id: str) -> BackgroundJob | None:
    """The job, row-locked, if this worker still holds it (another may have taken
    it over after our lease ran out: then we must not touch it)."""
    job = session.execute(
        select(BackgroundJob).where(BackgroundJob.id == job_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if job is None or job.lease_owner != worker_id or job.state != "running":
        return None
    return job


def record_chunk(job: BackgroundJob, chunk: ChunkResult, lease_seconds: float, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    job.cursor = chunk.cursor
    # WALLET_JOB_MAX_ATTEMPTS counts the failures of one chunk: a long job (a Google sync of
    # many passes meeting an occasional 429) must not fail for failures spread over its chunks.
    job.attempts = 0
    job.processed += chunk.processed
    job.failed += chunk.failed
    if chunk.errors and len(job.errors or []) < MAX_KEPT_ERRORS:
        job.errors = [*(job.errors or []), *chunk.errors][:MAX_KEPT_ERRORS]
    if chunk.total is not None:
        job.total = chunk.total
    if chunk.result is not None:
        job.result = {**(job.result or {}), **chunk.result}
    if chunk.push_request_id is not None:
        job.push_request_id = chunk.push_request_id
    if chunk.done:
        job.state, job.finished_at = "done", now
        job.lease_owner = job.lease_expires_at = None
    elif chunk.wait_until is not None:
        job.lease_owner, job.lease_expires_at = None, chunk.wait_until
    else:
        job.lease_expires_at = now + dt.timedelta(seconds=lease_seconds)


def record_crash(job: BackgroundJob, error: str, policy: RetryPolicy, now: dt.datetime | None = None) -> None:
    """A chunk raised: its transaction was rolled back. Retry later with backoff
    and jitter, or give up and say why; never loop on a poisoned job."""
    now = now or utcnow()
    job.attempts += 1
    job.lease_owner = None
    if policy.gives_up(job.attempts):
        job.state, job.finished_at, job.lease_expires_at = "failed", now, None
        job.result = {**(job.result or {}), "error": error[:1000]}
        return
    job.lease_expires_at = now + dt.timedelta(seconds=policy.delay(job.attempts))


def release_job(session: Session, job_id: str, worker_id: str) -> None:
    """Hand a job back at once (graceful shutdown) so another worker continues it."""
    release(session, BackgroundJob, worker_id, [job_id])
