"""The webhook sender against a real HTTP receiver on loopback."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.http_servers import free_port, serve_in_thread, trickle
from tests.factories import make_campaign, make_organization, make_pass
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import Organization, PassEvent, WebhookDelivery
from walletservice.queue.webhooks import claim_webhooks
from walletservice.workers.webhook_sender import WebhookSender
from walletservice.services.webhooks import (
    rotate_webhook_secret,
    set_webhook_authorization,
    set_webhook_url,
    verify_signature,
    webhook_settings,
)

pytestmark = pytest.mark.timeout(60)


@dataclass
class Receiver:
    """An HTTP server answering each POST with the next planned status (then 200)."""

    server: ThreadingHTTPServer
    planned: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            current = state["receiver"]
            current.received.append((dict(self.headers.items()), body))
            status = current.planned.pop(0) if current.planned else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = Receiver(server)
    for _port in serve_in_thread(server):
        yield state["receiver"]


@pytest.fixture
def webhook_app(app):  # type: ignore[no-untyped-def]
    app.config.update(WALLET_WEBHOOK_RETRY_BASE_SECONDS=0.0, WALLET_WEBHOOK_MAX_ATTEMPTS=3,
                      WALLET_WEBHOOK_TIMEOUT_SECONDS=2.0, WALLET_WEBHOOK_CONCURRENCY=2,
                      WALLET_WEBHOOK_ALLOW_PRIVATE=True)  # the receiver listens on loopback
    return app


@pytest.fixture
def sender(webhook_app) -> Iterator[WebhookSender]:  # type: ignore[no-untyped-def]
    sender = WebhookSender(webhook_app, "test-sender")
    yield sender
    sender.close()


def _organization_with_webhook(url: str) -> tuple[Organization, str]:
    organization, _ = make_organization("Toy Town")
    with transaction() as session:
        settings = set_webhook_url(session, session.get(Organization, organization.id), url,
                                   "test-secret-key-not-for-production", allow_private=True)
    return organization, str(settings.secret)


def _drain(sender: WebhookSender, rounds: int = 10) -> None:
    for _ in range(rounds):
        if sender.run_once() == 0:
            return
    raise AssertionError("sender still busy")


def _deliveries() -> list[WebhookDelivery]:
    db.session.rollback()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def _webhooks_counted() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.coalesce(func.sum(PassEvent.count), 0))
                             .where(PassEvent.kind == "webhook_sent")) or 0


def _free_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}/nobody-listens"


def test_a_webhook_is_posted_signed_and_counted(receiver, sender):  # type: ignore[no-untyped-def]
    organization, secret = _organization_with_webhook(receiver.url)
    pass_ = make_pass(make_campaign(organization), serial_number="WH-1")
    _drain(sender)
    [(headers, body)] = receiver.received
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Authorization"] == secret
    assert headers["X-Wallet-Signature"].startswith("sha256=")
    assert verify_signature(secret, headers, body)
    assert not verify_signature(secret, headers, body + b" ")
    assert not verify_signature(secret, {**headers, "X-Wallet-Timestamp": "1"}, body)
    payload = json.loads(body)
    assert (payload["event"], payload["pass_id"], payload["serial_number"]) == ("created", pass_.id, "WH-1")
    [delivery] = _deliveries()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("sent", 1, 200)
    assert headers["X-Wallet-Delivery"] == str(delivery.id)
    assert _webhooks_counted() == 1


def test_the_configured_authorization_value_arrives_exactly_and_clearing_it_sends_the_secret(receiver, sender):  # type: ignore[no-untyped-def]
    """A receiver written for Passworks compares Authorization with the API key (webhooks.md)."""
    organization, secret = _organization_with_webhook(receiver.url)
    value = "Token pk_live 0b5e0c1f6a9d4e7b8c2d3f4a5b6c7d8e"
    with transaction() as session:
        set_webhook_authorization(session, session.get(Organization, organization.id), value,
                                  "test-secret-key-not-for-production")
    campaign = make_campaign(organization)
    make_pass(campaign, serial_number="WH-AUTH-1")
    _drain(sender)
    [(headers, body)] = receiver.received
    assert headers["Authorization"] == value
    assert verify_signature(secret, headers, body)  # the HMAC signature header stays
    with transaction() as session:
        set_webhook_authorization(session, session.get(Organization, organization.id), None,
                                  "test-secret-key-not-for-production")
    make_pass(campaign, serial_number="WH-AUTH-2")
    _drain(sender)
    assert receiver.received[1][0]["Authorization"] == secret


def test_a_proxy_in_the_environment_is_not_used(receiver, webhook_app, monkeypatch):  # type: ignore[no-untyped-def]
    """The address check pins the receiver's address; a proxy from the environment would
    connect elsewhere. Here the "proxy" listens nowhere, so using it would fail the delivery."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, _free_port_url().removesuffix("/nobody-listens"))
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    sender = WebhookSender(webhook_app, "test-sender")
    try:
        organization, _secret = _organization_with_webhook(receiver.url)
        make_pass(make_campaign(organization), serial_number="WH-PROXY")
        _drain(sender)
    finally:
        sender.close()
    assert len(receiver.received) == 1
    assert [delivery.state for delivery in _deliveries()] == ["sent"]


def test_a_5xx_then_a_429_are_retried_until_answered(receiver, sender):  # type: ignore[no-untyped-def]
    organization, secret = _organization_with_webhook(receiver.url)
    receiver.planned = [503, 429]
    make_pass(make_campaign(organization))
    _drain(sender)
    [delivery] = _deliveries()
    assert (delivery.state, delivery.attempts) == ("sent", 3)
    assert len(receiver.received) == 3
    bodies = {body for _headers, body in receiver.received}
    assert len(bodies) == 1  # the same payload each time, each signed afresh
    assert all(verify_signature(secret, headers, body) for headers, body in receiver.received)
    assert _webhooks_counted() == 1


def test_retries_are_bounded_and_end_failed_with_the_reason(receiver, sender):  # type: ignore[no-untyped-def]
    organization, _secret = _organization_with_webhook(receiver.url)
    receiver.planned = [500, 500, 500, 500]
    make_pass(make_campaign(organization))
    _drain(sender)
    [delivery] = _deliveries()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("failed", 3, 500)
    assert delivery.last_error == "HTTP 500 after 3 attempts"
    assert len(receiver.received) == 3
    assert _webhooks_counted() == 0


def test_a_4xx_fails_at_once(receiver, sender):  # type: ignore[no-untyped-def]
    organization, _secret = _organization_with_webhook(receiver.url)
    receiver.planned = [404]
    make_pass(make_campaign(organization))
    _drain(sender)
    [delivery] = _deliveries()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("failed", 1, "HTTP 404")
    assert len(receiver.received) == 1


def test_a_receiver_on_a_private_address_is_refused_unless_allowed(receiver, webhook_app):  # type: ignore[no-untyped-def]
    # The URL was accepted while private addresses were allowed; the sender checks again.
    organization, _secret = _organization_with_webhook(receiver.url)
    make_pass(make_campaign(organization))
    webhook_app.config["WALLET_WEBHOOK_ALLOW_PRIVATE"] = False
    refusing = WebhookSender(webhook_app, "refusing-sender")
    try:
        _drain(refusing)
    finally:
        refusing.close()
    [delivery] = _deliveries()
    assert (delivery.state, delivery.attempts) == ("failed", 1)
    assert "non-public address" in delivery.last_error
    assert receiver.received == []


@pytest.fixture
def endless_receiver() -> Iterator[str]:
    """Answers 200 with a body that trickles in, a byte at a time, well within each read timeout."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers["Content-Length"]))
            trickle(self, "application/octet-stream", 10**9, seconds=20)

        def log_message(self, *_args: object) -> None:
            pass

    for port in serve_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), Handler)):
        yield f"http://127.0.0.1:{port}/hooks"


def test_a_receiver_body_is_not_read_so_an_endless_one_cannot_hold_the_sender(endless_receiver, sender):  # type: ignore[no-untyped-def]
    organization, _secret = _organization_with_webhook(endless_receiver)
    make_pass(make_campaign(organization), serial_number="WH-ENDLESS")

    started = time.monotonic()
    _drain(sender)

    # Only the status matters; a body (here 1 GB at a byte per 0.1 s) is never downloaded.
    assert time.monotonic() - started < 5
    [delivery] = _deliveries()
    assert (delivery.state, delivery.last_status) == ("sent", 200)


def test_a_receiver_that_is_down_is_retried_then_failed(sender):  # type: ignore[no-untyped-def]
    organization, _secret = _organization_with_webhook(_free_port_url())
    make_pass(make_campaign(organization))
    _drain(sender)
    [delivery] = _deliveries()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("failed", 3, None)
    assert delivery.last_error.startswith("ConnectError") and delivery.last_error.endswith("after 3 attempts")


def test_a_removed_webhook_fails_its_queued_deliveries(receiver, sender):  # type: ignore[no-untyped-def]
    organization, _secret = _organization_with_webhook(receiver.url)
    make_pass(make_campaign(organization))
    with transaction() as session:
        set_webhook_url(session, session.get(Organization, organization.id), None, "test-secret-key-not-for-production")
    _drain(sender)
    [delivery] = _deliveries()
    assert (delivery.state, delivery.last_error) == ("failed", "the organization removed its webhook")
    assert receiver.received == []


def test_a_rotated_secret_signs_queued_webhooks(receiver, sender, webhook_app):  # type: ignore[no-untyped-def]
    organization, old_secret = _organization_with_webhook(receiver.url)
    make_pass(make_campaign(organization))
    with transaction() as session:
        new = rotate_webhook_secret(session, session.get(Organization, organization.id),
                                    webhook_app.config["WALLET_SECRET_KEY"])
    _drain(sender)
    [(headers, body)] = receiver.received
    assert verify_signature(str(new.secret), headers, body) and not verify_signature(old_secret, headers, body)


def test_a_claimed_webhook_is_not_claimed_again_until_its_lease_ends(receiver, webhook_app):  # type: ignore[no-untyped-def]
    organization, _secret = _organization_with_webhook(receiver.url)
    make_pass(make_campaign(organization))
    with transaction() as session:
        first = claim_webhooks(session, "worker-a", 10, lease_seconds=60)
    with transaction() as session:
        second = claim_webhooks(session, "worker-b", 10, lease_seconds=60)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=61)
    with transaction() as session:
        third = claim_webhooks(session, "worker-b", 10, lease_seconds=60, now=later)
    assert (len(first), len(second), len(third)) == (1, 0, 1)
    assert third[0].attempts == 2


def test_the_sender_thread_delivers_and_stops(receiver, webhook_app):  # type: ignore[no-untyped-def]
    organization, _secret = _organization_with_webhook(receiver.url)
    make_pass(make_campaign(organization))
    webhook_app.config["WALLET_WORKER_POLL_SECONDS"] = 0.05
    stop = threading.Event()
    thread = threading.Thread(target=WebhookSender(webhook_app).run, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 20
    while not receiver.received and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(10)
    assert not thread.is_alive()
    assert len(receiver.received) == 1


def test_webhook_settings_decrypt_only_with_the_same_key(app):  # type: ignore[no-untyped-def]
    organization, secret = _organization_with_webhook("https://hooks.example.test/")
    db.session.rollback()
    stored = db.session.get(Organization, organization.id)
    assert secret not in (stored.webhook_secret_encrypted or "")
    assert webhook_settings(stored, "test-secret-key-not-for-production").secret == secret


def test_the_wallet_worker_process_sends_webhooks(receiver, webhook_app):  # type: ignore[no-untyped-def]
    organization, _secret = _organization_with_webhook(receiver.url)
    make_pass(make_campaign(organization))
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "WALLET_WORKER_POLL_SECONDS": "0.05",
           "WALLET_WEBHOOK_ALLOW_PRIVATE": "true",
           "WALLET_APNS_URL": "https://127.0.0.1:9"}  # no push is due: APNs is never called
    for name in ("WALLET_DATABASE_URL", "WALLET_CERTS_DIR", "WALLET_SECRET_KEY"):
        env[name] = str(webhook_app.config[name])
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "wallet", "worker"],
                               cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0, process.stderr.read().decode() if process.stderr else ""
    assert len(receiver.received) == 1
    [delivery] = _deliveries()
    assert delivery.state == "sent"
