"""Enqueue, claim with leases, record progress. Takes a session; callers commit."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from walletservice.db import lease_update
from walletservice.errors import NotFound
from walletservice.jobs.registry import ChunkResult
from walletservice.plumbing.change_authors import requested_by
from walletservice.models import BackgroundJob
from walletservice.models.base import utcnow

# A job keeps this many per-item errors; the count in `failed` stays exact.
MAX_KEPT_ERRORS = 1000


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
    candidate = (
        select(BackgroundJob.id)
        .where(
            BackgroundJob.state.in_(("queued", "running")),
            or_(BackgroundJob.lease_expires_at.is_(None), BackgroundJob.lease_expires_at < now),
        )
        .order_by(BackgroundJob.created_at, BackgroundJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    claimed = session.execute(
        lease_update(BackgroundJob, candidate, lease_owner=worker_id,
                     lease_expires_at=now + dt.timedelta(seconds=lease_seconds))
        .returning(BackgroundJob.id)
    ).scalar_one_or_none()
    if claimed is None:
        return None
    job = session.get(BackgroundJob, claimed, populate_existing=True)
    assert job is not None
    if job.state == "queued":
        job.state, job.started_at = "running", now
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
    else:
        job.lease_expires_at = now + dt.timedelta(seconds=lease_seconds)


def record_crash(
    job: BackgroundJob, error: str, max_attempts: int, base_delay_seconds: float, now: dt.datetime | None = None
) -> None:
    """A chunk raised: its transaction was rolled back. Retry later with backoff
    and jitter, or give up and say why; never loop on a poisoned job."""
    now = now or utcnow()
    job.attempts += 1
    job.lease_owner = None
    if job.attempts >= max_attempts:
        job.state, job.finished_at, job.lease_expires_at = "failed", now, None
        job.result = {**(job.result or {}), "error": error[:1000]}
        return
    delay = base_delay_seconds * 2 ** (job.attempts - 1) * (0.5 + random.random())
    job.lease_expires_at = now + dt.timedelta(seconds=delay)


def release_job(session: Session, job_id: str, worker_id: str) -> None:
    """Hand a job back at once (graceful shutdown) so another worker continues it."""
    session.execute(
        update(BackgroundJob)
        .where(BackgroundJob.id == job_id, BackgroundJob.lease_owner == worker_id)
        .values(lease_owner=None, lease_expires_at=None)
    )
