"""Built-in maintenance rules (no Flask): each takes a session and reports what it did."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from walletservice.models import (
    BackgroundJob,
    DashboardSignInAddressAttempts,
    DashboardSignInAttempts,
    Device,
    DeviceLogEntry,
    GoogleCallbackNonce,
    IdempotencyKey,
    PushDelivery,
    Registration,
    SigningCertificate,
)
from walletservice.models.base import utcnow


@dataclass(frozen=True)
class ExpiringCertificate:
    id: str
    pass_type_identifier: str
    not_after: dt.datetime


def prune_device_logs(session: Session, retention_days: int, now: dt.datetime | None = None) -> int:
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    return session.execute(delete(DeviceLogEntry).where(DeviceLogEntry.created_at < cutoff)).rowcount or 0


def prune_finished_jobs(session: Session, retention_days: int, now: dt.datetime | None = None) -> int:
    """Jobs done or failed before the cutoff: their payloads hold integrators' data (bulk
    changes, e-mail addresses) that has no use once the process has been read."""
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    return session.execute(delete(BackgroundJob).where(
        BackgroundJob.state.in_(("done", "failed")), BackgroundJob.finished_at < cutoff)).rowcount or 0


def purge_expired_idempotency_keys(session: Session, now: dt.datetime | None = None) -> int:
    """Idempotency keys past their 24 hours (services.idempotency), stored answers and all:
    a key is not replayed after that anyway, and the answers hold integrators' data."""
    return session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.expires_at < (now or utcnow()))).rowcount or 0


SIGN_IN_ATTEMPTS_KEPT = dt.timedelta(days=1)


def prune_sign_in_attempts(session: Session, now: dt.datetime | None = None) -> int:
    """Dashboard sign-in counts idle for a day and not locked: anyone may type any address,
    so the table must not grow with every address ever tried. A guesser who waits a day
    starts a new count, as after a lock (services.attempt_limits)."""
    now = now or utcnow()
    pruned = 0
    for table in (DashboardSignInAttempts, DashboardSignInAddressAttempts):  # per address typed, per client
        pruned += session.execute(delete(table).where(
            table.last_attempt_at < now - SIGN_IN_ATTEMPTS_KEPT,
            (table.locked_until.is_(None)) | (table.locked_until < now))).rowcount or 0
    return pruned


def purge_expired_callback_nonces(session: Session, now: dt.datetime | None = None) -> int:
    """Nonces of Google callbacks whose message has expired: a replay of one is refused as expired."""
    return session.execute(delete(GoogleCallbackNonce).where(
        GoogleCallbackNonce.expires_at < (now or utcnow()))).rowcount or 0


def remove_devices_without_registrations(session: Session) -> int:
    orphan = ~exists().where(Registration.device_id == Device.id)
    return session.execute(delete(Device).where(orphan)).rowcount or 0


def expired_push_leases(session: Session, now: dt.datetime | None = None) -> int:
    """Deliveries held by a worker that stopped renewing: claimable again, counted for the log."""
    return session.execute(
        select(func.count()).select_from(PushDelivery).where(
            PushDelivery.state == "pending", PushDelivery.lease_expires_at < (now or utcnow())
        )
    ).scalar_one()


def fail_abandoned_deliveries(session: Session, max_attempts: int, now: dt.datetime | None = None) -> int:
    """Deliveries whose every attempt ended with the worker gone (its lease ran out, e.g. a
    crash while sending): record them failed, so their push request can finish."""
    now = now or utcnow()
    return session.execute(
        update(PushDelivery)
        .where(PushDelivery.state == "pending", PushDelivery.attempts >= max_attempts,
               PushDelivery.lease_expires_at < now)
        .values(state="failed", reason="WorkerLost", finished_at=now, lease_owner=None, lease_expires_at=None)
    ).rowcount or 0


def certificates_expiring_within(
    session: Session, days: int, now: dt.datetime | None = None
) -> list[ExpiringCertificate]:
    now = now or utcnow()
    rows = session.execute(
        select(SigningCertificate.id, SigningCertificate.pass_type_identifier, SigningCertificate.not_after)
        .where(SigningCertificate.not_after < now + dt.timedelta(days=days))
        .order_by(SigningCertificate.not_after)
    ).all()
    return [ExpiringCertificate(*row) for row in rows]
