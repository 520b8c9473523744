"""Recording what APNs answered, as Apple says to act on each answer (digest 3.6)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import update
from sqlalchemy.orm import Session

from walletservice.apns import Outcome, PushResult
from walletservice.models import PushDelivery
from walletservice.models.base import utcnow
from walletservice.outbox.pushes import ClaimedDelivery, drop_registrations_for_token


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, a bounded number of attempts."""

    max_attempts: int = 5
    base_delay_seconds: float = 2.0
    max_delay_seconds: float = 900.0

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        ceiling = min(self.max_delay_seconds, self.base_delay_seconds * 2 ** max(attempts - 1, 0))
        # "Equal jitter": at least half the backoff, so retries never bunch at zero.
        return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


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
    for delivery, result in zip(claimed, results, strict=True):
        updates.append(_delivery_update(session, delivery, result, policy, now, summary))
    if updates:
        session.execute(update(PushDelivery), updates)
    return summary


def _delivery_update(
    session: Session, delivery: ClaimedDelivery, result: PushResult, policy: RetryPolicy,
    now: dt.datetime, summary: RecordedBatch,
) -> dict[str, object]:
    done = {"id": delivery.id, "lease_owner": None, "lease_expires_at": None,
            "status": result.status, "reason": result.reason}
    outcome = result.outcome
    if outcome is Outcome.DELIVERED:
        summary.sent += 1
        return {**done, "state": "sent", "apns_id": result.apns_id, "reason": None, "finished_at": now}
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
