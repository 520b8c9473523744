"""An organization's webhook delivery log and the retry of a failed delivery
(Flask-free; docs/dashboard.md, "Webhooks")."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.errors import StateConflict
from walletservice.models import WebhookDelivery
from walletservice.queue.webhooks import requeue_failed_webhook

RECENT_DELIVERIES = 100


def recent_deliveries(session: Session, organization_id: str,
                      limit: int = RECENT_DELIVERIES) -> list[WebhookDelivery]:
    """Newest first, read through the organization_id index."""
    return list(session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.organization_id == organization_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()).limit(limit)))


def retry_failed_delivery(session: Session, organization_id: str, delivery_id: int,
                          now: dt.datetime) -> WebhookDelivery | None:
    """The delivery made due again; None when the organization has no delivery of that id,
    StateConflict when it has one that is not failed (pending, sent, or re-queued already)."""
    if requeue_failed_webhook(session, organization_id, delivery_id, now):
        return session.get(WebhookDelivery, delivery_id, populate_existing=True)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.organization_id != organization_id:
        return None
    raise StateConflict(f"only a failed delivery can be retried; this one is {delivery.state}")
