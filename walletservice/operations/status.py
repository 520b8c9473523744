"""What an operator alerts on, read from the database so every process answers the same.

Only work that is still open is counted (pending deliveries, queued and running
jobs, due schedules), each through an index that holds just those rows: the
history (sent deliveries, finished jobs, pass events) grows without bound and is
never counted. The caller opens one read transaction around `operational_status`.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, and_, column, func, inspect, or_, select, table, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from walletservice import MIGRATIONS_DIR
from walletservice.models import (
    BackgroundJob,
    PushDelivery,
    PushRequest,
    Schedule,
    SchedulerLease,
    WebhookDelivery,
)
from walletservice.models.base import utcnow
from walletservice.services.device_logs import dropped_entries
from walletservice.services.public_events import deduplicated_events

log = logging.getLogger(__name__)

# The lease row schedulers compete for (walletservice.scheduling.process.LEASE_NAME;
# not imported, as that module pulls in Flask and APScheduler).
SCHEDULER_LEASE_NAME = "scheduler"
# Push requests before "done" (walletservice.queue.pushes); "waiting" is held for a merge.
OPEN_PUSH_REQUEST_STATES = ("waiting", "expanding", "sending")
# Jobs before "done" / "failed" (walletservice.queue.jobs).
OPEN_JOB_STATES = ("queued", "running")
# Alembic's default, which walletservice/migrations/env.py keeps.
ALEMBIC_VERSION_TABLE = "alembic_version"
# Failed jobs are history too; only recent ones are counted, so an alert clears by itself.
RECENT_JOB_FAILURES = dt.timedelta(hours=1)


@dataclass(frozen=True)
class PushStatus:
    pending: int  # deliveries not yet sent or failed
    due: int  # pending, due now and held by no live lease: waiting for a worker
    leased: int  # pending and held by a worker (in flight)
    oldest_due_age_seconds: float  # how long the oldest due delivery has waited; 0 if none
    open_requests: dict[str, int]  # push requests not done, per state


@dataclass(frozen=True)
class JobStatus:
    open: dict[str, int]  # per state: queued, running
    oldest_queued_age_seconds: float
    failed_last_hour: int


@dataclass(frozen=True)
class WebhookStatus:
    pending: int
    oldest_due_age_seconds: float


@dataclass(frozen=True)
class SchedulerStatus:
    lease_holder: str | None  # the last holder, whether or not its lease is still live
    lease_remaining_seconds: float | None  # negative once expired; None if no scheduler ever ran
    due_schedules: int  # due but not fired yet
    oldest_due_schedule_age_seconds: float

    @property
    def leader(self) -> str | None:
        live = self.lease_remaining_seconds is not None and self.lease_remaining_seconds > 0
        return self.lease_holder if live else None


@dataclass(frozen=True)
class OperationalStatus:
    read_at: dt.datetime
    pushes: PushStatus
    jobs: JobStatus
    webhooks: WebhookStatus
    scheduler: SchedulerStatus
    # Device log entries refused or deleted early, per reason, since the start (a counter).
    device_logs_dropped: dict[str, int]
    public_events_deduplicated: dict[str, int]


@dataclass(frozen=True)
class DatabaseReadiness:
    ready: bool
    problem: str | None  # why not ready, in a sentence that reveals no secrets
    current_revisions: tuple[str, ...]
    expected_revisions: tuple[str, ...]
    note: str | None = None  # ready, but worth knowing (schema newer than the code)


def operational_status(session: Session, now: dt.datetime | None = None) -> OperationalStatus:
    now = now or utcnow()
    return OperationalStatus(
        read_at=now,
        pushes=_push_status(session, now),
        jobs=_job_status(session, now),
        webhooks=_webhook_status(session, now),
        scheduler=_scheduler_status(session, now),
        device_logs_dropped=dropped_entries(session),
        public_events_deduplicated=deduplicated_events(session),
    )


def _push_status(session: Session, now: dt.datetime) -> PushStatus:
    # Partitions the pending rows as claim_deliveries does: a lease is live until it expires.
    leased = PushDelivery.lease_expires_at >= now
    due = and_(PushDelivery.next_attempt_at <= now,
               or_(PushDelivery.lease_expires_at.is_(None), PushDelivery.lease_expires_at < now))
    pending, due_count, leased_count, oldest_due = session.execute(
        select(func.count(), func.count().filter(due), func.count().filter(leased),
               func.min(PushDelivery.next_attempt_at).filter(due))
        .where(PushDelivery.state == "pending")  # ix_push_deliveries_pending
    ).one()
    return PushStatus(pending, due_count, leased_count, _age(oldest_due, now),
                      _counts_by_state(session, PushRequest, OPEN_PUSH_REQUEST_STATES))


def _job_status(session: Session, now: dt.datetime) -> JobStatus:
    oldest_queued = session.execute(
        select(func.min(BackgroundJob.created_at)).where(BackgroundJob.state == "queued")
    ).scalar_one()
    failed = session.execute(
        select(func.count()).select_from(BackgroundJob)
        .where(BackgroundJob.state == "failed", BackgroundJob.finished_at >= now - RECENT_JOB_FAILURES)
    ).scalar_one()
    return JobStatus(_counts_by_state(session, BackgroundJob, OPEN_JOB_STATES), _age(oldest_queued, now), failed)


def _webhook_status(session: Session, now: dt.datetime) -> WebhookStatus:
    due = and_(WebhookDelivery.next_attempt_at <= now,
               or_(WebhookDelivery.lease_expires_at.is_(None), WebhookDelivery.lease_expires_at < now))
    pending, oldest_due = session.execute(
        select(func.count(), func.min(WebhookDelivery.next_attempt_at).filter(due))
        .where(WebhookDelivery.state == "pending")  # ix_webhook_deliveries_pending
    ).one()
    return WebhookStatus(pending, _age(oldest_due, now))


def _scheduler_status(session: Session, now: dt.datetime) -> SchedulerStatus:
    lease = session.execute(
        select(SchedulerLease.holder, SchedulerLease.expires_at).where(SchedulerLease.name == SCHEDULER_LEASE_NAME)
    ).one_or_none()
    due_count, oldest_due = session.execute(
        select(func.count(), func.min(Schedule.next_run_at))
        .where(Schedule.state == "scheduled", Schedule.next_run_at <= now)  # ix_schedules_state_next_run
    ).one()
    holder, remaining = (lease.holder, (lease.expires_at - now).total_seconds()) if lease else (None, None)
    return SchedulerStatus(holder, remaining, due_count, _age(oldest_due, now))


def _counts_by_state(session: Session, model: type[PushRequest] | type[BackgroundJob],
                     states: tuple[str, ...]) -> dict[str, int]:
    """Every listed state, 0 when it has no rows, so a metric never vanishes."""
    rows = session.execute(
        select(model.state, func.count()).where(model.state.in_(states)).group_by(model.state)
    ).all()
    return {state: 0 for state in states} | {state: count for state, count in rows}


def _age(since: dt.datetime | None, now: dt.datetime) -> float:
    return max(0.0, (now - since).total_seconds()) if since is not None else 0.0


def database_ready(session: Session, migrations_dir: Path = MIGRATIONS_DIR) -> DatabaseReadiness:
    """Whether the database answers and holds the schema this code's migrations end at.

    A schema newer than the code counts as ready: in a rolling deploy the new
    release migrates first, and failing every old process then would leave none
    serving until the new ones start.
    """
    expected = _migration_heads(str(migrations_dir))
    try:
        session.execute(text("SELECT 1"))
        current = _database_revisions(session.connection())
    except DBAPIError as exc:
        log.warning("database not ready: %s", exc)
        session.rollback()  # the failed statement left the transaction unusable
        return DatabaseReadiness(False, f"database unreachable ({type(exc.orig or exc).__name__})", (), expected)
    if current == expected:
        return DatabaseReadiness(True, None, current, expected)
    if not current:
        problem = f"database schema is not migrated, code expects {_names(expected)}"
        return DatabaseReadiness(False, problem, current, expected)
    if not set(current) & _known_revisions(str(migrations_dir)):
        note = f"database schema is at {_names(current)}, newer than this code ({_names(expected)})"
        return DatabaseReadiness(True, None, current, expected, note)
    problem = f"database schema is at {_names(current)}, code expects {_names(expected)}"
    return DatabaseReadiness(False, problem, current, expected)


def _database_revisions(connection: Connection) -> tuple[str, ...]:
    # What alembic's MigrationContext.get_current_heads reads; constructing a MigrationContext
    # logs two INFO lines, too many for a probe that runs every few seconds in every process.
    if not inspect(connection).has_table(ALEMBIC_VERSION_TABLE):
        return ()
    versions = table(ALEMBIC_VERSION_TABLE, column("version_num"))
    return tuple(sorted(connection.execute(select(versions.c.version_num)).scalars()))


@functools.lru_cache(maxsize=4)
def _migration_heads(migrations_dir: str) -> tuple[str, ...]:
    # The code does not change while the process runs: read the scripts once.
    return tuple(sorted(ScriptDirectory(migrations_dir).get_heads()))


@functools.lru_cache(maxsize=4)
def _known_revisions(migrations_dir: str) -> frozenset[str]:
    return frozenset(script.revision for script in ScriptDirectory(migrations_dir).walk_revisions())


def _names(revisions: tuple[str, ...]) -> str:
    return ", ".join(revisions) or "no revision"
