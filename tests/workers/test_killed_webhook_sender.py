"""A real `wallet worker` killed with SIGKILL in the middle of a webhook burst: the
deliveries it had claimed stay leased until their lease runs out, then another worker
claims and delivers them. Nothing is lost; only what the dead worker held may arrive twice."""

from __future__ import annotations

import collections
import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select

from tests.factories import make_campaign, make_organization, make_pass
from tests.delivery.conftest import register, token_for
from tests.workers.conftest import STARTUP_SECONDS, WebhookReceiver, wait_for
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import Organization, WebhookDelivery
from walletservice.models.base import as_utc, utcnow
from walletservice.services.webhooks import set_webhook_url
from walletservice.workers.webhook_sender import ROUNDS_PER_BATCH

pytestmark = pytest.mark.timeout(300)

DEVICES = 24  # each pass's `created` and `installed` webhooks: 48 deliveries
CONCURRENCY = 4
BATCH = CONCURRENCY * ROUNDS_PER_BATCH  # what one sender claims at once
TIMEOUT_SECONDS = 1
LEASE_MARGIN_SECONDS = 4  # the lease is 5 timeouts + this margin (webhook_sender.WebhookSender): 9 s


def _worker_env(app: Flask) -> dict[str, str]:
    env = {name: str(app.config[name]) for name in ("WALLET_DATABASE_URL", "WALLET_CERTS_DIR", "WALLET_SECRET_KEY")}
    return env | {
        "WALLET_WEBHOOK_ALLOW_PRIVATE": "true", "WALLET_WEBHOOK_CONCURRENCY": str(CONCURRENCY),
        "WALLET_WEBHOOK_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS), "WALLET_WEBHOOK_RETRY_BASE_SECONDS": "0",
        "WALLET_WEBHOOK_LEASE_MARGIN_SECONDS": str(LEASE_MARGIN_SECONDS),
        "WALLET_WORKER_POLL_SECONDS": "0.05", "WALLET_SMTP_URL": "", "WALLET_MAIL_FROM": "",
    }


def _webhook_burst(receiver_url: str) -> set[int]:
    """The pending deliveries of DEVICES passes created and installed (two webhooks each)."""
    organization, _ = make_organization()
    with transaction() as session:
        set_webhook_url(session, session.get(Organization, organization.id), receiver_url,
                        "test-secret-key-not-for-production", allow_private=True)
    campaign = make_campaign(db.session.get(Organization, organization.id))
    for index in range(DEVICES):
        register(make_pass(campaign, serial_number=f"W{index:04d}"), f"device{index}", token_for(7000 + index))
    return set(_delivery_states())


def _delivery_states() -> dict[int, str]:
    db.session.rollback()
    return dict(db.session.execute(select(WebhookDelivery.id, WebhookDelivery.state)).all())


def _held_leases() -> dict[int, dt.datetime]:
    """Pending deliveries under a lease that has not run out, with the lease's end."""
    db.session.rollback()
    rows = db.session.execute(select(WebhookDelivery.id, WebhookDelivery.lease_expires_at).where(
        WebhookDelivery.state == "pending", WebhookDelivery.lease_expires_at > utcnow())).all()
    return {delivery_id: as_utc(expires) for delivery_id, expires in rows}


def test_a_killed_webhook_sender_s_claims_are_delivered_after_their_lease_and_none_is_lost(
        app: Flask, webhook_receiver: WebhookReceiver, start_process) -> None:  # type: ignore[no-untyped-def]
    receiver = webhook_receiver
    deliveries = _webhook_burst(receiver.url)
    assert len(deliveries) == 2 * DEVICES
    receiver.delay = 0.3  # a slow receiver: the kill lands while a batch is on the wire
    env = _worker_env(app)
    first = start_process(["-m", "flask", "--app", "app", "wallet", "worker"], env, "first-worker")
    wait_for(lambda: receiver.posts >= CONCURRENCY, STARTUP_SECONDS, "a batch of webhooks on the wire")

    first.kill()
    first.wait(10)
    killed_at = utcnow()
    held = _held_leases()
    assert 0 < len(held) <= BATCH, "the dead worker held a claimed batch"
    receiver.delay = 0.0
    start_process(["-m", "flask", "--app", "app", "wallet", "worker"], env, "second-worker")

    wait_for(lambda: set(_delivery_states().values()) == {"sent"}, STARTUP_SECONDS, "every webhook delivered")
    with receiver.lock:
        delivered = collections.Counter(delivery_id for delivery_id, _at in receiver.arrivals)
    assert set(delivered) == deliveries  # none lost
    assert sum(count - 1 for count in delivered.values()) <= BATCH  # only a held batch may go twice
    with receiver.lock:
        resent = [(delivery_id, at) for delivery_id, at in receiver.arrivals if delivery_id in held and at > killed_at]
    assert {delivery_id for delivery_id, _at in resent} == set(held)
    # Claimed again only once their lease had run out, not before.
    assert all(at >= held[delivery_id] for delivery_id, at in resent)
