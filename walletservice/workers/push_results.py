"""Recording what APNs answered, acting on each answer as Apple's APNs status codes say."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, String, bindparam, cast, func, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from walletservice.apns import Outcome, PushResult
from walletservice.models import PushDelivery
from walletservice.models.base import utcnow
from walletservice.queue.pushes import ClaimedDelivery
from walletservice.queue.retry import RetryPolicy
from walletservice.services.devices import drop_registrations_for_token
from walletservice.services.events import record_push_events


@dataclass
class RecordedBatch:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    tokens_dropped: int = 0
    configuration_errors: set[str] = field(default_factory=set)


def record_results(
    session: Session,
    claimed: Sequence[ClaimedDelivery],
    results: Sequence[PushResult],
    policy: RetryPolicy,
    now: dt.datetime | None = None,
) -> RecordedBatch:
    now = now or utcnow()
    summary = RecordedBatch()
    updates: list[dict[str, object]] = []
    delivered: list[tuple[int, str | None]] = []
    sent_by_request: Counter[str] = Counter()
    for delivery, result in zip(claimed, results, strict=True):
        if result.outcome is Outcome.DELIVERED:
            delivered.append((delivery.id, result.apns_id))
            sent_by_request[delivery.push_request_id] += 1
            continue
        updates.append(_delivery_update(session, delivery, result, policy, now, summary))
    summary.sent += len(delivered)
    _record_delivered(session, delivered, now)
    if updates:
        session.execute(update(PushDelivery), updates)
    record_push_events(session, sent_by_request)  # the reports' pushes_count
    return summary


def _record_delivered(session: Session, delivered: list[tuple[int, str | None]], now: dt.datetime) -> None:
    """The common case, 200s, in one statement without the ORM: recording is the
    worker's main-thread cost per push (docs/benchmarks.md, "Where a worker's time goes")."""
    if not delivered:
        return
    table = PushDelivery.__table__
    done = {"state": "sent", "lease_owner": None, "lease_expires_at": None, "status": 200, "reason": None,
            "finished_at": now}
    if session.get_bind().dialect.name == "postgresql":
        ids, apns_ids = zip(*delivered)
        sent = func.unnest(
            cast(list(ids), ARRAY(BigInteger)), cast(list(apns_ids), ARRAY(String))
        ).table_valued("id", "apns_id").render_derived(name="sent")
        session.execute(update(table).where(table.c.id == sent.c.id).values(apns_id=sent.c.apns_id, **done))
    else:  # SQLite: an executemany of prepared updates in the same transaction
        statement = update(table).where(table.c.id == bindparam("delivery_id")).values(
            apns_id=bindparam("delivery_apns_id"), **done)
        session.execute(statement, [{"delivery_id": id_, "delivery_apns_id": apns_id} for id_, apns_id in delivered])


def _delivery_update(
    session: Session, delivery: ClaimedDelivery, result: PushResult, policy: RetryPolicy,
    now: dt.datetime, summary: RecordedBatch,
) -> dict[str, object]:
    done = {"id": delivery.id, "lease_owner": None, "lease_expires_at": None,
            "status": result.status, "reason": result.reason}
    outcome = result.outcome
    if outcome is Outcome.DROP_TOKEN:
        summary.tokens_dropped += drop_registrations_for_token(
            session, delivery.push_token, delivery.pass_type_identifier, result.timestamp
        )
    elif outcome is Outcome.CONFIG_ERROR:
        summary.configuration_errors.add(result.reason or "ConfigurationError")
    elif outcome in (Outcome.RETRY, Outcome.REFRESH_TOKEN) and delivery.attempts < policy.max_attempts:
        summary.retried += 1
        next_attempt = now + dt.timedelta(seconds=policy.delay(delivery.attempts))
        return {**done, "state": "pending", "next_attempt_at": next_attempt}
    summary.failed += 1
    return {**done, "state": "failed", "reason": result.reason or outcome.name, "finished_at": now}
