"""Push outbox rules: enqueue, expand into deliveries, claim with leases, progress.

Everything here takes a session and flushes; the API request or the worker's job
commits. Expansion is one INSERT ... SELECT in the database, so a campaign of
any size costs the worker constant memory and the API no per-pass work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, literal, or_, select, update
from sqlalchemy.orm import Session

from walletservice.db import lease_update, upsert_insert
from walletservice.errors import InvalidInput, NotFound
from walletservice.models import Device, Pass, PushDelivery, PushRequest, Registration
from walletservice.models.base import utcnow
from walletservice.services.events import RemovedRegistration, record_uninstalls


@dataclass(frozen=True)
class ClaimedDelivery:
    id: int
    push_request_id: str
    push_token: str
    pass_type_identifier: str
    certificate_id: str | None
    attempts: int


@dataclass(frozen=True)
class PushProgress:
    id: str
    state: str
    total: int
    sent: int
    failed: int
    pending: int
    failed_by_reason: dict[str, int] = field(default_factory=dict)
    created_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None


# A push that workers leave alone until release_held_push (see enqueue_campaign_push).
HELD_STATE = "waiting"


def enqueue_campaign_push(
    session: Session, organization_id: str, campaign_id: str, *, held: bool = False
) -> PushRequest:
    """Push every installed pass of a campaign. Call it in the transaction of the change.

    held=True: the push waits (state "waiting", which workers do not claim) until
    release_held_push, e.g. after a campaign merge job has rewritten the passes; its
    id can be answered at once."""
    request = PushRequest(organization_id=organization_id, campaign_id=campaign_id)
    if held:
        request.state = HELD_STATE
    session.add(request)
    session.flush()
    return request


def release_held_push(session: Session, push_id: str) -> None:
    """Let workers expand and send a held push (no-op if it was released already)."""
    session.execute(
        update(PushRequest).where(PushRequest.id == push_id, PushRequest.state == HELD_STATE)
        .values(state="expanding")
    )


def enqueue_pass_push(session: Session, organization_id: str, pass_ids: Sequence[str]) -> PushRequest:
    """Push the devices holding these passes. Call it in the transaction of the change."""
    if not pass_ids:
        raise InvalidInput("nothing to push: no passes given")
    request = PushRequest(organization_id=organization_id, pass_ids=sorted(set(pass_ids)))
    session.add(request)
    session.flush()
    return request


def claim_request_to_expand(
    session: Session, worker_id: str, lease_seconds: float, now: dt.datetime | None = None
) -> PushRequest | None:
    """Lease one request still to be expanded (or whose expanding worker died)."""
    now = now or utcnow()
    candidate = (
        select(PushRequest.id)
        .where(
            PushRequest.state == "expanding",
            or_(PushRequest.lease_expires_at.is_(None), PushRequest.lease_expires_at < now),
        )
        .order_by(PushRequest.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    claimed = session.execute(
        lease_update(PushRequest, candidate, lease_owner=worker_id,
                     lease_expires_at=now + dt.timedelta(seconds=lease_seconds))
        .returning(PushRequest.id)
    ).scalar_one_or_none()
    return session.get(PushRequest, claimed) if claimed else None


def expand_request(session: Session, request: PushRequest, now: dt.datetime | None = None) -> int:
    """Write one delivery per (push token, pass type) registered for the request's passes.

    Idempotent: a re-run after a crash adds nothing twice (unique constraint).
    """
    now = now or utcnow()
    scope = (
        Pass.campaign_id == request.campaign_id
        if request.campaign_id is not None
        else Pass.id.in_(request.pass_ids or [])
    )
    targets = (
        select(
            literal(request.id), Device.push_token, Pass.pass_type_identifier,
            func.min(Pass.certificate_id), literal("pending"), literal(0), literal(now),
        )
        .select_from(Registration)
        .join(Pass, Pass.id == Registration.pass_id)
        .join(Device, Device.id == Registration.device_id)
        .where(scope, Pass.organization_id == request.organization_id)
        .group_by(Device.push_token, Pass.pass_type_identifier)
    )
    table = PushDelivery.__table__
    columns = ["push_request_id", "push_token", "pass_type_identifier", "certificate_id",
               "state", "attempts", "next_attempt_at"]
    session.execute(
        upsert_insert(session, table).from_select(columns, targets).on_conflict_do_nothing()
    )
    total = session.execute(
        select(func.count()).select_from(PushDelivery).where(PushDelivery.push_request_id == request.id)
    ).scalar_one()
    request.total = total
    request.state = "sending" if total else "done"
    request.started_at = request.started_at or now
    request.finished_at = None if total else now
    request.lease_owner = request.lease_expires_at = None
    session.flush()
    return total


def claim_deliveries(
    session: Session, worker_id: str, batch_size: int, lease_seconds: float, now: dt.datetime | None = None
) -> list[ClaimedDelivery]:
    """Lease up to batch_size due deliveries. SKIP LOCKED on PostgreSQL; on SQLite
    the write transaction (BEGIN IMMEDIATE) already excludes other claimers."""
    now = now or utcnow()
    candidates = (
        select(PushDelivery.id)
        .where(
            PushDelivery.state == "pending",
            PushDelivery.next_attempt_at <= now,
            or_(PushDelivery.lease_expires_at.is_(None), PushDelivery.lease_expires_at < now),
        )
        .order_by(PushDelivery.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(
        lease_update(
            PushDelivery, candidates, lease_owner=worker_id,
            lease_expires_at=now + dt.timedelta(seconds=lease_seconds), attempts=PushDelivery.attempts + 1,
        )
        .returning(
            PushDelivery.id, PushDelivery.push_request_id, PushDelivery.push_token,
            PushDelivery.pass_type_identifier, PushDelivery.certificate_id, PushDelivery.attempts,
        )
    ).all()
    return sorted((ClaimedDelivery(*row) for row in rows), key=lambda claimed: claimed.id)


def release_deliveries(session: Session, worker_id: str, delivery_ids: Sequence[int]) -> None:
    """Give unsent claims back at once (graceful shutdown), undoing the attempt count."""
    if not delivery_ids:
        return
    session.execute(
        update(PushDelivery)
        .where(PushDelivery.id.in_(delivery_ids), PushDelivery.lease_owner == worker_id,
               PushDelivery.state == "pending")
        .values(lease_owner=None, lease_expires_at=None, attempts=PushDelivery.attempts - 1)
    )


def finish_completed_requests(
    session: Session, request_ids: Sequence[str] | None = None, now: dt.datetime | None = None
) -> int:
    """Mark requests done once none of their deliveries is pending (all of them if no ids)."""
    if request_ids is not None and not request_ids:
        return 0
    pending = exists().where(
        PushDelivery.push_request_id == PushRequest.id, PushDelivery.state == "pending"
    )
    statement = update(PushRequest).where(PushRequest.state == "sending", ~pending)
    if request_ids is not None:
        statement = statement.where(PushRequest.id.in_(set(request_ids)))
    return session.execute(statement.values(state="done", finished_at=now or utcnow())).rowcount or 0


def push_progress(session: Session, organization_id: str, push_id: str) -> PushProgress:
    request = session.get(PushRequest, push_id)
    if request is None or request.organization_id != organization_id:
        raise NotFound("push not found")
    counts: dict[str, int] = {"pending": 0, "sent": 0, "failed": 0}
    failed_by_reason: dict[str, int] = {}
    rows = session.execute(
        select(PushDelivery.state, PushDelivery.reason, func.count())
        .where(PushDelivery.push_request_id == push_id)
        .group_by(PushDelivery.state, PushDelivery.reason)
    ).all()
    for state, reason, count in rows:
        counts[state] = counts.get(state, 0) + count
        if state == "failed":
            failed_by_reason[reason or "Unknown"] = failed_by_reason.get(reason or "Unknown", 0) + count
    return PushProgress(
        id=request.id, state=request.state, total=request.total, sent=counts["sent"],
        failed=counts["failed"], pending=counts["pending"], failed_by_reason=failed_by_reason,
        created_at=request.created_at, started_at=request.started_at, finished_at=request.finished_at,
    )


def drop_registrations_for_token(
    session: Session, push_token: str, pass_type_identifier: str, unregistered_at: dt.datetime | None
) -> int:
    """APNs says the token is dead: remove its registrations for that pass type.

    With a 410 timestamp, only registrations older than it go: the device may
    have registered again since (Apple).
    """
    devices = select(Device.id).where(Device.push_token == push_token)
    condition = and_(
        Registration.device_id.in_(devices.scalar_subquery()),
        Registration.pass_type_identifier == pass_type_identifier,
    )
    if unregistered_at is not None:
        condition = and_(condition, Registration.updated_at < unregistered_at)
    table = Registration.__table__
    removed = session.execute(
        table.delete().where(condition)
        .returning(table.c.id, table.c.pass_id, table.c.device_os, table.c.wallet)
    ).all()
    # Webhook-friendly: each is an "uninstalled" event, as if the device had unregistered.
    record_uninstalls(session, [RemovedRegistration(*row) for row in removed], {"reason": "apns_unregistered"})
    session.execute(
        Device.__table__.delete().where(
            Device.push_token == push_token, ~exists().where(Registration.device_id == Device.id)
        )
    )
    return len(removed)
