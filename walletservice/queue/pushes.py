"""The push outbox: enqueue, expand into deliveries, claim with leases, progress.

Everything here takes a session and flushes; the API request or the worker's job
commits. Expansion is one INSERT ... SELECT in the database, so a campaign of
any size costs the worker constant memory and the API no per-pass work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import exists, func, literal, select, update
from sqlalchemy.orm import Session

from walletservice.db import upsert_insert
from walletservice.errors import InvalidInput, NotFound
from walletservice.models import Device, Pass, PushDelivery, PushRequest, Registration
from walletservice.models.base import utcnow
from walletservice.queue.leases import claim, release


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
    claimed = claim(
        session, PushRequest, due=[PushRequest.state == "expanding"], order_by=[PushRequest.created_at], limit=1,
        worker_id=worker_id, lease_seconds=lease_seconds, now=now, returning=[PushRequest.id],
    )
    return session.get(PushRequest, claimed[0].id) if claimed else None


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
    rows = claim(
        session, PushDelivery,
        due=[PushDelivery.state == "pending", PushDelivery.next_attempt_at <= now],
        order_by=[PushDelivery.id], limit=batch_size, worker_id=worker_id, lease_seconds=lease_seconds, now=now,
        count_attempt=True,
        returning=[PushDelivery.id, PushDelivery.push_request_id, PushDelivery.push_token,
                   PushDelivery.pass_type_identifier, PushDelivery.certificate_id, PushDelivery.attempts],
    )
    return sorted((ClaimedDelivery(*row) for row in rows), key=lambda claimed: claimed.id)


def release_deliveries(session: Session, worker_id: str, delivery_ids: Sequence[int]) -> None:
    """Give unsent claims back at once (graceful shutdown), undoing the attempt count."""
    release(session, PushDelivery, worker_id, delivery_ids, where=[PushDelivery.state == "pending"],
            undo_attempt=True)


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
