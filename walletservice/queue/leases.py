"""Ending the leases of a loop that died inside a live process.

Claimed work (push requests and deliveries, webhook deliveries, jobs) carries its
claimer's id and a lease. When a supervised loop fails, its supervisor has already
waited for the loop's threads, so nothing of it still works on those rows: the
fresh loop ends the leases at once instead of leaving the work idle until they run
out. A process that is killed cannot do this; its work comes back when its leases end.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from walletservice.models import BackgroundJob, PushDelivery, PushRequest, WebhookDelivery
from walletservice.models.base import utcnow

LEASED_WORK = (PushRequest, PushDelivery, WebhookDelivery, BackgroundJob)


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
