"""Webhook deliveries: enqueued in the transaction of their event, claimed with a lease.

A crashed worker's claims are sent again after the lease, so a receiver may see a
delivery twice: X-Wallet-Delivery identifies it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from walletservice.models import WebhookDelivery
from walletservice.models.base import utcnow
from walletservice.queue.leases import claim


@dataclass(frozen=True)
class ClaimedWebhook:
    id: int
    organization_id: str
    url: str
    payload: dict[str, Any]
    attempts: int


def enqueue_webhook(session: Session, organization_id: str, event_id: int, url: str,
                    payload: dict[str, Any], due_at: dt.datetime) -> None:
    """Deliver `payload` to `url` from `due_at`. Call it in the transaction of the event."""
    session.add(WebhookDelivery(organization_id=organization_id, event_id=event_id, url=url,
                                payload=payload, next_attempt_at=due_at))


def claim_webhooks(session: Session, worker_id: str, batch_size: int, lease_seconds: float,
                   now: dt.datetime | None = None) -> list[ClaimedWebhook]:
    """Lease up to batch_size due deliveries, the longest waiting first."""
    now = now or utcnow()
    rows = claim(
        session, WebhookDelivery,
        due=[WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= now],
        order_by=[WebhookDelivery.next_attempt_at, WebhookDelivery.id], limit=batch_size,
        worker_id=worker_id, lease_seconds=lease_seconds, now=now, count_attempt=True,
        returning=[WebhookDelivery.id, WebhookDelivery.organization_id, WebhookDelivery.url,
                   WebhookDelivery.payload, WebhookDelivery.attempts],
    )
    return sorted((ClaimedWebhook(*row) for row in rows), key=lambda claimed: claimed.id)


def requeue_failed_webhook(session: Session, organization_id: str, delivery_id: int, now: dt.datetime) -> bool:
    """Make a failed delivery of the organization due again at `now`, with a fresh retry
    budget. One UPDATE guarded by its state: a delivery that is pending or sent (or that a
    second click already re-queued) is left alone and False is answered."""
    result = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.organization_id == organization_id,
               WebhookDelivery.state == "failed")
        .values(state="pending", next_attempt_at=now, attempts=0, finished_at=None,
                lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False))
    return bool(result.rowcount)
