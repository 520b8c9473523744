"""The webhook sender: claim pending webhook deliveries, POST them signed, record, repeat.

Claims are leased rows of the queue floor (walletservice/queue/webhooks.py), so several
workers share the queue and a crashed worker's claims are sent again after the lease.
A receiver may therefore see a delivery twice: X-Wallet-Delivery identifies it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from walletservice.db import transaction
from walletservice.models import Organization, WebhookDelivery
from walletservice.models.base import utcnow
from walletservice.plumbing.outbound_http import RefusedDestination, pinned_request
from walletservice.queue.retry import RetryPolicy
from walletservice.queue.webhooks import ClaimedWebhook, claim_webhooks
from walletservice.services.events import record_event
from walletservice.services.webhooks import WebhookSettings, signed_headers, webhook_settings
from walletservice.workers.supervisor import new_worker_id, no_pulse

log = logging.getLogger(__name__)

USER_AGENT = "walletservice-webhooks/1"
# Rounds of POSTs in one claimed batch (batch = concurrency * rounds).
ROUNDS_PER_BATCH = 4


@dataclass(frozen=True)
class WebhookAnswer:
    """What one POST got: an HTTP status, or the error that prevented one."""

    status: int | None
    error: str | None = None
    permanent: bool = False  # not worth retrying whatever the status

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        # Network errors, 429 and 5xx may pass later; any other answer will not.
        if self.permanent:
            return False
        return self.status is None or self.status == 429 or self.status >= 500

    @property
    def reason(self) -> str:
        return self.error if self.status is None else f"HTTP {self.status}"


def organization_webhooks(session: Session, organization_ids: set[str],
                          secret_key: str) -> dict[str, WebhookSettings]:
    """The current webhook settings (secret, Authorization value) of each organization
    that still has a webhook URL."""
    organizations = session.scalars(select(Organization).where(Organization.id.in_(organization_ids)))
    found = {}
    for organization in organizations:
        settings = webhook_settings(organization, secret_key)
        if settings.url and settings.secret:
            found[organization.id] = settings
    return found


def record_webhook_answers(session: Session, claimed: Sequence[ClaimedWebhook],
                           answers: Sequence[WebhookAnswer], policy: RetryPolicy,
                           now: dt.datetime | None = None) -> dict[str, int]:
    """Sent, retried later, or failed with its reason; a sent webhook counts in reports."""
    now = now or utcnow()
    tally = {"sent": 0, "retried": 0, "failed": 0}
    for delivery, answer in zip(claimed, answers, strict=True):
        values: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None,
                                  "last_status": answer.status, "last_error": answer.error}
        if answer.delivered:
            values.update(state="sent", finished_at=now)
            _count_sent(session, delivery)
        elif answer.retryable and delivery.attempts < policy.max_attempts:
            values.update(next_attempt_at=now + dt.timedelta(seconds=policy.delay(delivery.attempts)))
        else:
            reason = answer.reason if not answer.retryable else f"{answer.reason} after {delivery.attempts} attempts"
            values.update(state="failed", finished_at=now, last_error=reason)
        state = values.get("state")
        tally["sent" if state == "sent" else "failed" if state == "failed" else "retried"] += 1
        session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery.id).values(**values))
    return tally


def _count_sent(session: Session, delivery: ClaimedWebhook) -> None:
    payload = delivery.payload
    record_event(session, "webhook_sent", organization_id=delivery.organization_id,
                 campaign_id=payload.get("campaign_id"), pass_id=payload.get("pass_id"),
                 details={"delivery_id": delivery.id, "event": payload.get("event")})


def post_webhook(client: httpx.Client, delivery: ClaimedWebhook, settings: WebhookSettings | None, *,
                 allow_private: bool = False) -> WebhookAnswer:
    if settings is None or settings.secret is None:
        return WebhookAnswer(status=None, error="the organization removed its webhook", permanent=True)
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
    headers = {**signed_headers(settings.secret, int(time.time()), body, settings.authorization),
               "User-Agent": USER_AGENT,
               "X-Wallet-Delivery": str(delivery.id), "X-Wallet-Event": str(delivery.payload.get("event"))}
    try:
        request = pinned_request(client, "POST", delivery.url, allow_private=allow_private,
                                 content=body, headers=headers)
        # Only the status counts: the body is never read, so a receiver cannot hold the
        # worker (the timeout is per read, not per response) or fill its memory with one.
        response = client.send(request, stream=True)
        response.close()
    except RefusedDestination as exc:  # checked when sending: DNS can change after the URL was set
        return WebhookAnswer(status=None, error=f"refused: {exc}", permanent=exc.permanent)
    except httpx.HTTPError as exc:  # connection refused, timeout, TLS, protocol errors
        return WebhookAnswer(status=None, error=f"{type(exc).__name__}: {exc}"[:500])
    return WebhookAnswer(status=response.status_code)


class WebhookSender:
    """Claim, POST, record, repeat; a thread of `wallet worker` and of the embedded mode."""

    def __init__(self, app: Flask, worker_id: str | None = None) -> None:
        config = app.config
        self.app = app
        self.worker_id = worker_id or new_worker_id()
        self.concurrency = max(config["WALLET_WEBHOOK_CONCURRENCY"], 1)
        self.timeout = config["WALLET_WEBHOOK_TIMEOUT_SECONDS"]
        self.batch_size = self.concurrency * ROUNDS_PER_BATCH
        # A batch takes at most ROUNDS_PER_BATCH timeouts; the lease outlasts it.
        self.lease_seconds = self.timeout * (ROUNDS_PER_BATCH + 1) + config["WALLET_WEBHOOK_LEASE_MARGIN_SECONDS"]
        self.poll_seconds = config["WALLET_WORKER_POLL_SECONDS"]
        self.allow_private = bool(config["WALLET_WEBHOOK_ALLOW_PRIVATE"])
        self.policy = RetryPolicy(max_attempts=config["WALLET_WEBHOOK_MAX_ATTEMPTS"],
                                  base_delay_seconds=config["WALLET_WEBHOOK_RETRY_BASE_SECONDS"])
        # Redirects are not followed: a 3xx is the receiver's misconfiguration (failed).
        # No proxy from the environment: the request must go to the address that was checked.
        self.client = httpx.Client(timeout=self.timeout, follow_redirects=False, trust_env=False)
        self.pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="webhook")

    def run(self, stop: threading.Event, pulse: Callable[[], None] = no_pulse) -> None:
        """Until `stop`; a database fault ends it, and its supervisor starts a fresh sender."""
        try:
            while not stop.is_set():
                pulse()
                if self.run_once() == 0:
                    stop.wait(self.poll_seconds)
        finally:
            self.close()

    def run_once(self) -> int:
        """Send one claimed batch. Returns how many webhooks were handled."""
        with self.app.app_context():
            secret_key = self.app.config["WALLET_SECRET_KEY"]
            with transaction() as session:
                claimed = claim_webhooks(session, self.worker_id, self.batch_size, self.lease_seconds)
                webhooks = organization_webhooks(session, {d.organization_id for d in claimed}, secret_key)
            if not claimed:
                return 0
            answers = list(self.pool.map(
                lambda d: post_webhook(self.client, d, webhooks.get(d.organization_id), allow_private=self.allow_private),
                claimed))
            with transaction() as session:
                tally = record_webhook_answers(session, claimed, answers, self.policy)
        log.info("webhooks: %(sent)d sent, %(retried)d to retry, %(failed)d failed", tally)
        return len(claimed)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.client.close()

