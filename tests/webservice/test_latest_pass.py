"""GET /v1/passes/{passType}/{serial} (Apple: 200 pkpass with Last-Modified, 304, 401)."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select
from werkzeug.http import http_date

from tests.web.test_bundles import assert_signed_pkpass
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import PassBundle
from walletservice.services.passes import update_pass_values


def _pass_json(data: bytes) -> dict:  # type: ignore[type-arg]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.loads(archive.read("pass.json"))


def test_latest_pass_returns_signed_bundle_with_last_modified(client, issued):
    response = client.get(issued.pass_url, headers=issued.auth)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.apple.pkpass"
    assert response.headers["Last-Modified"]
    pass_json = _pass_json(response.data)
    assert pass_json["serialNumber"] == issued.serial
    assert pass_json["passTypeIdentifier"] == issued.pass_type
    assert pass_json["authenticationToken"] == issued.token
    assert pass_json["webServiceURL"] == "https://wallet.example.test/wallet"


def test_fetched_pass_has_a_sha1_manifest_and_a_signature_openssl_verifies(client, issued, dev_ca_pem, tmp_path):
    response = client.get(issued.pass_url, headers=issued.auth)

    assert_signed_pkpass(response.data, dev_ca_pem, tmp_path / "fetched")


def test_latest_pass_with_wrong_token_returns_401(client, issued):
    response = client.get(issued.pass_url, headers={"Authorization": "ApplePass not-the-token-at-all"})
    assert response.status_code == 401
    assert response.data == b""


def test_latest_pass_unknown_serial_returns_401(client, issued):
    response = client.get(f"/wallet/v1/passes/{issued.pass_type}/UNKNOWN", headers=issued.auth)
    assert response.status_code == 401


def test_if_modified_since_at_last_modified_returns_304_without_body(client, issued):
    first = client.get(issued.pass_url, headers=issued.auth)
    response = client.get(
        issued.pass_url, headers={**issued.auth, "If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert response.status_code == 304
    assert response.data == b""


def test_if_modified_since_before_change_returns_new_pass(client, issued):
    first = client.get(issued.pass_url, headers=issued.auth)
    with transaction() as session:
        update_pass_values(session, session.merge(issued.pass_), session.merge(issued.campaign),
                           {"fields": {"gate": "Z9"}})
    response = client.get(
        issued.pass_url, headers={**issued.auth, "If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert response.status_code == 200
    assert _pass_json(response.data)["boardingPass"]["headerFields"][0]["value"] == "Z9"
    assert response.headers["Last-Modified"] != first.headers["Last-Modified"]


def test_head_is_answered_like_get_without_body(client, issued):
    get = client.get(issued.pass_url, headers=issued.auth)
    head = client.head(issued.pass_url, headers=issued.auth)
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Last-Modified"] == get.headers["Last-Modified"]
    assert head.headers["Content-Type"] == "application/vnd.apple.pkpass"


def test_repeat_fetch_is_served_from_cache(client, issued):
    first = client.get(issued.pass_url, headers=issued.auth).data
    second = client.get(issued.pass_url, headers=issued.auth).data
    assert first == second  # the signature carries a signing time: equal bytes mean no re-signing
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(PassBundle)).scalar_one() == 1


def test_garbage_if_modified_since_is_ignored(client, issued):
    response = client.get(issued.pass_url, headers={**issued.auth, "If-Modified-Since": "not a date"})
    assert response.status_code == 200


def test_future_if_modified_since_returns_304(client, issued):
    response = client.get(
        issued.pass_url, headers={**issued.auth, "If-Modified-Since": http_date(4102444800)}
    )
    assert response.status_code == 304
