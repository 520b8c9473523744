"""Firing due schedules: one transaction per run, at most one run per due time.

The schedules table is the trigger: `next_run_at` says when each schedule is due,
and one APScheduler job (walletservice.scheduling.jobs:due_schedules) polls it.
A run claims its row (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's write lock
serializes), records a ScheduleRun (unique per schedule and due time: the last
fence against a second scheduler), applies the changes, queues the push and moves
the schedule on, all in one commit. A run that fails is rolled back and recorded
as failed in a second transaction, unless the database connection was lost: then
the schedule stays due and fires after the reconnect; a run overdue beyond the grace window is
recorded as missed instead of applied.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.db import database_unreachable, transaction
from walletservice.errors import DomainError
from walletservice.models import Schedule, ScheduleRun
from walletservice.models.base import utcnow
from walletservice.scheduling.recurrence import next_fire_time, parse_cron, time_zone
from walletservice.services.certificates import CertificateStore
from walletservice.services.schedules import Applied, apply_schedule, next_cron_run

log = logging.getLogger(__name__)

# Occurrences of a cron counted while looking for the latest one that is due.
MAX_COUNTED_OCCURRENCES = 10_000
MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class RunSettings:
    certificates: CertificateStore
    grace_seconds: float
    # A run that changes a campaign's relevant_date moves its helper schedule too.
    relevant_date_lead_seconds: float | None = None
    # Since when the scheduler has been firing. Lateness counts up to then: a schedule due
    # while no scheduler ran may be missed, one delayed by a backlog since is not.
    awake_since: dt.datetime | None = None

    @classmethod
    def from_config(cls, certificates: CertificateStore, config: Mapping[str, Any],
                    awake_since: dt.datetime | None = None) -> RunSettings:
        return cls(certificates, float(config["WALLET_SCHEDULER_MISFIRE_GRACE_SECONDS"]),
                   float(config["WALLET_RELEVANT_DATE_LEAD_SECONDS"]), awake_since)

    def is_missed(self, due: dt.datetime, now: dt.datetime) -> bool:
        seen_at = min(now, self.awake_since) if self.awake_since else now
        return seen_at - due > dt.timedelta(seconds=self.grace_seconds)


@dataclass(frozen=True)
class RunResult:
    schedule_id: str
    due_at: dt.datetime
    outcome: str  # done, failed or missed
    push_request_id: str | None = None
    error: str | None = None


def fire_due_schedules(
    settings: RunSettings, *, clock: Callable[[], dt.datetime] = utcnow, budget_seconds: float | None = None,
) -> list[RunResult]:
    """Run every schedule due by `clock()`, each in its own transaction, until none is
    due or another run might not end within `budget_seconds`. Needs an app context."""
    started = time.monotonic()
    longest = 0.0
    results: list[RunResult] = []
    while budget_seconds is None or time.monotonic() - started + longest < budget_seconds:
        run_started, now = time.monotonic(), clock()
        claimed: tuple[str, dt.datetime] | None = None
        try:
            with transaction() as session:
                schedule = claim_due_schedule(session, now)
                if schedule is None:
                    break
                claimed = (schedule.id, schedule.next_run_at)
                results.extend(run_schedule(session, schedule, now, settings))
        except Exception as exc:  # noqa: BLE001 - recorded on the schedule and logged with its traceback
            # A lost connection says nothing about the schedule: its run was rolled back, so it
            # stays due and fires once the supervisor has reconnected (within the grace window).
            if claimed is None or database_unreachable(exc):
                raise
            failed = record_failure(claimed[0], claimed[1], _describe(exc), now)
            if failed:
                log.exception("schedule %s failed", claimed[0])
            else:  # e.g. the unique ScheduleRun: another scheduler ran it, or it was cancelled meanwhile
                log.info("schedule %s was handled elsewhere meanwhile: %s", claimed[0], _describe(exc))
            results.extend(failed)
        longest = max(longest, time.monotonic() - run_started)
    return results


def fire_in_threads(app: Flask, settings: RunSettings, threads: int, budget_seconds: float) -> list[RunResult]:
    """fire_due_schedules in several threads: on PostgreSQL SKIP LOCKED hands each its
    own schedules, so their round trips and commits overlap."""
    if threads <= 1:
        return fire_due_schedules(settings, budget_seconds=budget_seconds)
    results: list[RunResult] = []

    def fire() -> None:
        with app.app_context():
            results.extend(fire_due_schedules(settings, budget_seconds=budget_seconds))

    workers = [threading.Thread(target=fire, name=f"schedules-{index}") for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def claim_due_schedule(session: Session, now: dt.datetime) -> Schedule | None:
    statement = (
        select(Schedule)
        .where(Schedule.state == "scheduled", Schedule.next_run_at <= now)
        .order_by(Schedule.next_run_at)  # straight from ix_schedules_state_next_run; ties in any order
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.scalars(statement).first()


def run_schedule(session: Session, schedule: Schedule, now: dt.datetime, settings: RunSettings) -> list[RunResult]:
    """Apply a claimed schedule (or record it missed) and move it to its next state."""
    due = schedule.next_run_at
    assert due is not None  # claimed schedules are due
    results: list[RunResult] = []
    latest, later = _latest_occurrence(schedule, now)
    if latest != due or settings.is_missed(due, now):
        results.append(_record_missed(session, schedule, due, now, later))
    if not settings.is_missed(latest, now):
        results.append(_record_run(session, schedule, latest, now, settings))
    _advance(schedule, now, results[-1].outcome)
    return results


def _record_run(session: Session, schedule: Schedule, due: dt.datetime, now: dt.datetime,
                settings: RunSettings) -> RunResult:
    applied = apply_schedule(session, schedule, settings.certificates, settings.relevant_date_lead_seconds, now)
    session.add(ScheduleRun(schedule_id=schedule.id, due_at=due, outcome="done", started_at=now,
                            finished_at=utcnow(), push_request_id=applied.push_request_id))
    session.flush()  # IntegrityError here: another scheduler ran it, and this transaction rolls back
    _set_result(schedule, "done", due, now, applied=applied)
    return RunResult(schedule.id, due, "done", applied.push_request_id)


def _record_missed(session: Session, schedule: Schedule, due: dt.datetime, now: dt.datetime,
                   later: int) -> RunResult:
    error = f"missed: due at {_iso(due)}, no scheduler ran it within the grace window"
    if later:
        error += f"; {later} later occurrence(s) passed as well"
    session.add(ScheduleRun(schedule_id=schedule.id, due_at=due, outcome="missed", started_at=now,
                            finished_at=now, error=error))
    session.flush()
    _set_result(schedule, "missed", due, now, error=error)
    return RunResult(schedule.id, due, "missed", error=error)


def record_failure(schedule_id: str, due: dt.datetime, error: str, now: dt.datetime) -> list[RunResult]:
    """In a new transaction: the run failed (its changes were rolled back)."""
    with transaction() as session:
        schedule = session.get(Schedule, schedule_id, with_for_update=True)
        if schedule is None or schedule.state != "scheduled" or schedule.next_run_at != due:
            return []  # cancelled, deleted or already handled meanwhile
        session.add(ScheduleRun(schedule_id=schedule.id, due_at=due, outcome="failed", started_at=now,
                                finished_at=utcnow(), error=error))
        _set_result(schedule, "failed", due, now, error=error)
        _advance(schedule, now, "failed")
    return [RunResult(schedule_id, due, "failed", error=error)]


def _advance(schedule: Schedule, now: dt.datetime, outcome: str) -> None:
    """One-shots end with the run's outcome (done, failed or missed); recurring ones
    are scheduled again (a failed or missed occurrence shows in last_result and runs)."""
    schedule.next_run_at = next_cron_run(schedule, now) if schedule.cron else None
    schedule.state = "scheduled" if schedule.next_run_at is not None else outcome
    schedule.updated_at = utcnow()


def _latest_occurrence(schedule: Schedule, now: dt.datetime) -> tuple[dt.datetime, int]:
    """The latest due time not after now, and how many occurrences came after the first."""
    latest = schedule.next_run_at
    assert latest is not None
    if not schedule.cron:
        return latest, 0
    trigger, zone = parse_cron(schedule.cron), time_zone(schedule.timezone or "UTC")
    later = 0
    while later < MAX_COUNTED_OCCURRENCES:
        following = next_fire_time(trigger, zone, latest)
        if following is None or following > now:
            break
        latest, later = following, later + 1
    return latest, later


def _set_result(schedule: Schedule, outcome: str, due: dt.datetime, now: dt.datetime, *,
                applied: Applied | None = None, error: str | None = None) -> None:
    result: dict[str, str | None] = {"outcome": outcome, "due_at": _iso(due), "ran_at": _iso(now)}
    if applied is not None:
        result["push_id"] = applied.push_request_id
        if applied.job_id:
            result["job_id"] = applied.job_id
        schedule.last_push_request_id = applied.push_request_id
    if error is not None:
        result["error"] = error
    schedule.last_result = result
    schedule.last_run_at = now


def _describe(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        text = "; ".join([exc.message, *exc.details])
    else:
        text = f"internal error ({type(exc).__name__}): {exc}"
    return text[:MAX_ERROR_CHARS]


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
