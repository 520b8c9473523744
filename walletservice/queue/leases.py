"""The one claim-with-lease mechanism of every kind of durable work.

A row of work carries `lease_owner` and `lease_expires_at`. A worker claims due
rows by writing its id and a lease in one UPDATE whose candidates are selected
FOR UPDATE SKIP LOCKED: on PostgreSQL concurrent claimers skip each other's rows
instead of waiting; on SQLite the write transaction (BEGIN IMMEDIATE, db.py)
already makes the claimer the single writer. A row whose lease ran out (its
worker died) is claimable again, so nothing is lost and nothing needs a janitor.

When a supervised loop fails inside a live process, its supervisor has already
waited for the loop's threads, so nothing of it still works on its rows:
`end_leases` makes them claimable at once instead of when their leases run out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, or_, select, update
from sqlalchemy.orm import Session

from walletservice.models import BackgroundJob, PushDelivery, PushRequest, WebhookDelivery
from walletservice.models.base import utcnow

# Every table of leased work (what end_leases frees).
LEASED_WORK = (PushRequest, PushDelivery, WebhookDelivery, BackgroundJob)


def lease_free(model: Any, now: dt.datetime) -> ColumnElement[bool]:
    """Nobody holds the row: never claimed, released, or its claimer's lease ran out."""
    return or_(model.lease_expires_at.is_(None), model.lease_expires_at < now)  # type: ignore[no-any-return]


def claim(
    session: Session, model: Any, *, due: Sequence[ColumnElement[bool]], order_by: Sequence[Any], limit: int,
    worker_id: str, lease_seconds: float, now: dt.datetime, returning: Sequence[Any],
    count_attempt: bool = False,
) -> Sequence[Row[Any]]:
    """Lease up to `limit` rows of `model` that are `due` and free, oldest by `order_by` first.

    count_attempt: add one to the row's `attempts` (the retry policy counts claims).
    Returns the `returning` columns of the claimed rows (in no particular order)."""
    candidates = (
        select(model.id).where(*due, lease_free(model, now))
        .order_by(*order_by).limit(limit)
        .with_for_update(skip_locked=True)
    )
    values: dict[str, Any] = {"lease_owner": worker_id,
                              "lease_expires_at": now + dt.timedelta(seconds=lease_seconds)}
    if count_attempt:
        values["attempts"] = model.attempts + 1
    statement = update(model).where(model.id.in_(candidates.scalar_subquery())).values(**values)
    return session.execute(statement.returning(*returning)).all()


def release(session: Session, model: Any, worker_id: str, ids: Sequence[Any], *,
            where: Sequence[ColumnElement[bool]] = (), undo_attempt: bool = False) -> None:
    """Give claimed rows back at once (graceful shutdown); only those `worker_id` still holds."""
    if not ids:
        return
    values: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None}
    if undo_attempt:
        values["attempts"] = model.attempts - 1
    session.execute(update(model).where(model.id.in_(ids), model.lease_owner == worker_id, *where).values(**values))


def end_leases(session: Session, worker_id: str, now: dt.datetime | None = None) -> int:
    """Make everything `worker_id` holds claimable now. Returns how many rows it held."""
    expired = (now or utcnow()) - dt.timedelta(microseconds=1)
    held = 0
    for model in LEASED_WORK:
        result = session.execute(
            update(model)
            .where(model.lease_owner == worker_id, model.lease_expires_at > expired)
            .values(lease_expires_at=expired)
        )
        held += result.rowcount
    return held
