"""Housekeeping's part in Google retirements (docs/google-wallet.md, "Retired objects").

A `google_wallet_retire` job can still give up (its chunks kept raising, e.g. the database
refused them), and the objects it left would wait, with the encrypted copy of an old issuer
key kept for them, for the organization's next retirement, which may never come. So each
housekeeping run queues one job again for every organization with retirements left and no
retirement job queued or running. A retirement re-queued WALLET_GOOGLE_RETIREMENT_MAX_REQUEUES
times, or older than WALLET_GOOGLE_RETIREMENT_MAX_DAYS, is given up for good: recorded as a
failed job (the job list, the failed-jobs metric and the log show it) and deleted, and with it
its objects and its copy of the old key.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Exists, delete, exists, func, select
from sqlalchemy.orm import Session

from walletservice.models import BackgroundJob, GoogleWalletRetiredObject, GoogleWalletRetirement
from walletservice.queue.jobs import MAX_KEPT_ERRORS, enqueue_job
from walletservice.services.google_retirement import RETIRE_KIND
from walletservice.services.google_retirer import forget_finished_retirements

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    requeued: int  # organizations whose retirements got a job again
    given_up: int  # retirements recorded as failed and deleted


def sweep_retirements(session: Session, now: dt.datetime, *, max_requeues: int, max_age_days: int) -> SweepResult:
    requeued = given_up = 0
    for organization_id in _organizations_without_a_job(session):
        retirements = _lock_retirements(session, organization_id)
        # Checked again under the lock: a second scheduler sweeping at once waits here, then sees our job.
        if not retirements or _has_open_job(session, organization_id):
            continue
        cutoff = now - dt.timedelta(days=max_age_days)
        expired = [r for r in retirements if r.created_at < cutoff or r.requeues >= max_requeues]
        for retirement in expired:
            _give_up(session, retirement, now)
        given_up += len(expired)
        forget_finished_retirements(session, organization_id)
        left = [r for r in retirements if r not in expired and _has_objects(session, r.id)]
        if left:
            for retirement in left:
                retirement.requeues += 1
            enqueue_job(session, organization_id, RETIRE_KIND, {"retirement_id": left[0].id, "requeued": True})
            requeued += 1
    return SweepResult(requeued, given_up)


def _organizations_without_a_job(session: Session) -> list[str]:
    return list(session.scalars(select(GoogleWalletRetirement.organization_id).distinct().where(
        ~_open_job_of(GoogleWalletRetirement.organization_id))))


def _open_job_of(organization_id: ColumnElement[str] | str) -> Exists:
    return exists().where(BackgroundJob.organization_id == organization_id, BackgroundJob.kind == RETIRE_KIND,
                          BackgroundJob.state.in_(("queued", "running")))


def _has_open_job(session: Session, organization_id: str) -> bool:
    return bool(session.scalar(select(_open_job_of(organization_id))))


def _has_objects(session: Session, retirement_id: str) -> bool:
    return bool(session.scalar(select(exists().where(GoogleWalletRetiredObject.retirement_id == retirement_id))))


def _lock_retirements(session: Session, organization_id: str) -> list[GoogleWalletRetirement]:
    return list(session.scalars(
        select(GoogleWalletRetirement).where(GoogleWalletRetirement.organization_id == organization_id)
        .order_by(GoogleWalletRetirement.created_at, GoogleWalletRetirement.id).with_for_update()
        .execution_options(populate_existing=True)))


def _give_up(session: Session, retirement: GoogleWalletRetirement, now: dt.datetime) -> None:
    """Record the retirement as a failed job, then delete it: its objects and its key copy go with it."""
    objects = select(GoogleWalletRetiredObject.pass_id).where(
        GoogleWalletRetiredObject.retirement_id == retirement.id).order_by(GoogleWalletRetiredObject.id)
    count = session.scalar(select(func.count()).select_from(objects.subquery())) or 0
    error = (f"gave up retiring {count} Google objects after {retirement.requeues} re-queues "
             f"(recorded {retirement.created_at:%Y-%m-%d %H:%M} UTC)")
    job = enqueue_job(session, retirement.organization_id, RETIRE_KIND,
                      {"retirement_id": retirement.id, "given_up": True})
    job.state, job.finished_at, job.failed, job.result = "failed", now, count, {"error": error}
    job.errors = [{"id": pass_id, "error": "not set INACTIVE"}
                  for pass_id in session.scalars(objects.limit(MAX_KEPT_ERRORS))]
    log.warning("google retirement %s of organization %s: %s", retirement.id, retirement.organization_id, error)
    session.execute(delete(GoogleWalletRetiredObject).where(GoogleWalletRetiredObject.retirement_id == retirement.id))
    session.delete(retirement)
    session.flush()
