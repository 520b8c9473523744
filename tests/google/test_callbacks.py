"""POST /google/callbacks: Google's signed save/delete callbacks become installed/uninstalled events of
the google_wallet wallet; bad signatures are 401 and replays record nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from sqlalchemy import func, select

from tests.google.conftest import ISSUER_ID
from tests.google.test_sync import create_campaign, issue_pass
from tests.http_servers import loopback_server
from walletservice.db import transaction
from walletservice.google_sim.callbacks import CallbackSigner
from walletservice.models import GoogleCallbackNonce, PassEvent
from walletservice.models.base import utcnow
from walletservice.scheduling.housekeeping import purge_expired_callback_nonces


@pytest.fixture
def signer() -> CallbackSigner:
    return CallbackSigner(ISSUER_ID)


@pytest.fixture
def keys_url(signer) -> Iterator[str]:
    document = json.dumps(signer.keys_document()).encode()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(document)))
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *_args) -> None:
            pass

    for base in loopback_server(Keys):
        yield f"{base}/keys"


@pytest.fixture
def google_pass(google_app, client, account, icon, keys_url) -> dict:
    google_app.config["WALLET_GOOGLE_CALLBACK_KEYS_URL"] = keys_url
    campaign = create_campaign(client, account, "coupons", icon)
    return issue_pass(client, account, "coupons", campaign["id"])


def google_events() -> list[tuple[str, str | None, str | None]]:
    with transaction(write=False) as session:
        return [tuple(row) for row in session.execute(
            select(PassEvent.kind, PassEvent.wallet, PassEvent.device_os)
            .where(PassEvent.kind.in_(("installed", "uninstalled"))).order_by(PassEvent.id))]


def test_save_and_delete_are_recorded_as_google_wallet_installs_and_uninstalls(client, signer, google_pass):
    object_id = f"{ISSUER_ID}.p-{google_pass['id']}"
    for event_type in ("save", "del"):
        response = client.post("/google/callbacks", json=signer.callback(object_id, event_type))
        assert (response.status_code, response.get_json()) == (200, {"result": "recorded"})
    assert google_events() == [("installed", "google_wallet", "android"), ("uninstalled", "google_wallet", "android")]


def test_a_callback_with_a_bad_signature_is_401_and_records_nothing(client, signer, google_pass):
    body = signer.callback(f"{ISSUER_ID}.p-{google_pass['id']}")
    body["signedMessage"] = body["signedMessage"].replace('"save"', '"del"')

    response = client.post("/google/callbacks", json=body)

    assert response.status_code == 401 and "signature" in response.get_json()["error"]
    assert google_events() == []
    with transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(GoogleCallbackNonce)) == 0


def test_a_key_google_did_not_sign_is_401(client, google_pass):
    stranger = CallbackSigner(ISSUER_ID)  # its root key is not among the published ones
    response = client.post("/google/callbacks", json=stranger.callback(f"{ISSUER_ID}.p-{google_pass['id']}"))
    assert response.status_code == 401
    assert "root key" in response.get_json()["error"]


def test_a_callback_signed_for_another_issuer_is_401(client, signer, google_pass):
    for_other_issuer = CallbackSigner("1234")
    for_other_issuer.root = signer.root  # Google's key, but the message names another recipient
    response = client.post("/google/callbacks", json=for_other_issuer.callback(f"{ISSUER_ID}.p-{google_pass['id']}"))
    assert response.status_code == 401 and "message signature" in response.get_json()["error"]


def test_an_expired_message_is_401(client, signer, google_pass):
    body = signer.callback(f"{ISSUER_ID}.p-{google_pass['id']}", expires_in_ms=-1000)
    response = client.post("/google/callbacks", json=body)
    assert response.status_code == 401 and "expired" in response.get_json()["error"]


def test_a_replayed_nonce_records_nothing_more(client, signer, google_pass):
    body = signer.callback(f"{ISSUER_ID}.p-{google_pass['id']}", nonce="n-1")
    assert client.post("/google/callbacks", json=body).get_json() == {"result": "recorded"}

    again = client.post("/google/callbacks", json=body)

    assert (again.status_code, again.get_json()) == (200, {"result": "replayed"})
    assert len(google_events()) == 1


@pytest.mark.parametrize("body", [b"not json", b"[]", b"\x00\x00"])
def test_bodies_that_are_not_json_objects_are_400(client, google_pass, body):
    response = client.post("/google/callbacks", data=body, content_type="application/json")
    assert response.status_code == 400 and response.is_json


def test_housekeeping_forgets_nonces_once_their_message_has_expired(client, signer, google_pass):
    object_id = f"{ISSUER_ID}.p-{google_pass['id']}"
    client.post("/google/callbacks", json=signer.callback(object_id, nonce="short", expires_in_ms=1_000))
    client.post("/google/callbacks", json=signer.callback(object_id, nonce="long", expires_in_ms=3_600_000))

    with transaction() as session:
        purged = purge_expired_callback_nonces(session, now=utcnow() + dt.timedelta(seconds=5))
    with transaction(write=False) as session:
        assert (purged, list(session.scalars(select(GoogleCallbackNonce.nonce)))) == (1, ["long"])
