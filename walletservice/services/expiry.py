"""Expiry: passes whose expirationDate has passed are marked expired and pushed.

Wallet greys a pass out by its own expirationDate; the pass itself is not changed
(in particular not voided: voided means used or cancelled, and reports keep the
two apart). The pass gets a new update tag and a push, so every device fetches
it and re-evaluates it at once, including ones that were offline at the time,
and an "expired" event is recorded for the reports.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.models import Pass
from walletservice.models.base import utcnow
from walletservice.queue.pushes import enqueue_pass_push
from walletservice.services.events import record_pass_event
from walletservice.plumbing.json_values import JsonString
from walletservice.services.pass_content import has_expired
from walletservice.services.pass_locks import select_passes_for_update
from walletservice.plumbing.change_authors import Author, acting_as
from walletservice.services.update_tags import mark_passes_changed

DEFAULT_BATCH_SIZE = 500
# Stored times may carry any UTC offset, so the text comparison in SQL only narrows
# the candidates (offsets are at most 14 hours); Python decides exactly.
_TEXT_MARGIN = dt.timedelta(days=1)


@dataclass(frozen=True)
class ExpiryBatch:
    expired: int
    push_request_ids: list[str]
    # Where the next batch starts; None when every candidate was looked at.
    next_cursor: str | None


def expire_batch(
    session: Session, now: dt.datetime | None = None, after_id: str = "", batch_size: int = DEFAULT_BATCH_SIZE,
) -> ExpiryBatch:
    """Look at up to batch_size candidates after `after_id` (id order) and expire the due ones."""
    now = now or utcnow()
    expiration = JsonString(Pass.content, ("expirationDate",))
    candidates = select_passes_for_update(
        session,
        select(Pass)
        .where(Pass.expired_at.is_(None), expiration < (now + _TEXT_MARGIN).strftime("%Y-%m-%dT%H:%M"),
               Pass.id > after_id)
        .order_by(Pass.id)
        .limit(batch_size)
    )
    due = [pass_ for pass_ in candidates if has_expired(pass_.content, now)]
    for pass_ in due:
        pass_.expired_at = now
        record_pass_event(session, "expired", pass_)
    if due:
        with acting_as(Author(route="expiry")):
            mark_passes_changed(session, due)
    pushes = [enqueue_pass_push(session, organization_id, pass_ids).id
              for organization_id, pass_ids in _by_organization(due).items()]
    cursor = candidates[-1].id if len(candidates) == batch_size else None
    return ExpiryBatch(len(due), pushes, cursor)


def _by_organization(passes: list[Pass]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for pass_ in passes:
        grouped[pass_.organization_id].append(pass_.id)
    return grouped
