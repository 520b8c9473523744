"""Who may get a personalization token signed, and how often (issue 13, item 1).

Personalize signs with the tenant's Pass Type ID key and takes no credentials
(Apple documents none), so the only guards are: the pass carries personalization.json,
it is not personalized yet, the token looks like a device token (never a manifest),
and the first call wins.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import threading

import pytest
from sqlalchemy import func, select

from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import Campaign, Pass, Personalization
from walletservice.services.passes import update_pass_values

DEVICE_TOKEN = "dGhpc0lzQURldmljZVRva2VuRnJvbVdhbGxldA=="
ENROLL = {"personalizationToken": DEVICE_TOKEN, "requiredPersonalizationInfo": {"fullName": "Ada Lovelace"}}


def _make_personalizable(issued) -> None:  # type: ignore[no-untyped-def]
    with transaction() as session:
        campaign = session.get(Campaign, issued.campaign.id)
        campaign.design = {**campaign.design, "personalization": {
            "requiredPersonalizationFields": ["PKPassPersonalizationFieldName"],
            "description": "Join our rewards",
        }}
        update_pass_values(session, session.get(Pass, issued.pass_.id), campaign, {})


def _pass_state(issued) -> tuple[int, object, int]:  # type: ignore[no-untyped-def]
    db.session.rollback()
    pass_ = db.session.get(Pass, issued.pass_.id, populate_existing=True)
    count = db.session.execute(select(func.count()).select_from(Personalization)).scalar_one()
    return pass_.update_tag, pass_.personalized_at, count


def _stored_enrollment() -> dict[str, str]:
    db.session.rollback()
    return db.session.execute(select(Personalization.data)).scalar_one()


def _forged_manifest() -> str:
    pass_json = b'{"formatVersion":1,"serialNumber":"SKY-0001","description":"forged"}'
    return json.dumps({"pass.json": hashlib.sha1(pass_json).hexdigest()}, indent=2)


def _openssl_verifies(signature: bytes, content: bytes, ca_pem, tmp_path) -> bool:  # type: ignore[no-untyped-def]
    (tmp_path / "sig.der").write_bytes(signature)
    (tmp_path / "content").write_bytes(content)
    verify = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "sig.der"),
         "-content", str(tmp_path / "content"), "-CAfile", str(ca_pem), "-purpose", "any", "-out", "/dev/null"],
        capture_output=True, text=True,
    )
    return verify.returncode == 0


def test_device_token_on_personalizable_pass_is_signed_once_and_openssl_verifies(client, issued, dev_ca_pem, tmp_path):
    _make_personalizable(issued)
    response = client.post(f"{issued.pass_url}/personalize", json=ENROLL)
    assert response.status_code == 200
    assert _openssl_verifies(response.data, DEVICE_TOKEN.encode(), dev_ca_pem, tmp_path)
    assert _stored_enrollment() == {"fullName": "Ada Lovelace"}


def test_manifest_bytes_as_token_are_refused_and_nothing_is_signed(client, issued):
    _make_personalizable(issued)
    before = _pass_state(issued)
    response = client.post(f"{issued.pass_url}/personalize", json={"personalizationToken": _forged_manifest()})
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert _pass_state(issued) == before


@pytest.mark.parametrize("token", [
    '{"pass.json":"0"}', '["x"]', '"quoted"', "12345678901234567890", "true", "null",
    "has space inside it", "line\nbreak-token", "tab\ttoken-value", "nul\x00token-value",
    "brace{token}value", "semi;colon;token", "x" * 1025, "short",
])
def test_tokens_that_are_not_device_shaped_are_refused(client, issued, token):
    _make_personalizable(issued)
    before = _pass_state(issued)
    response = client.post(f"{issued.pass_url}/personalize", json={"personalizationToken": token})
    assert response.status_code == 400, token
    assert _pass_state(issued) == before


def test_pass_without_personalization_json_is_refused_and_unchanged(client, issued):
    before = _pass_state(issued)
    response = client.post(f"{issued.pass_url}/personalize", json=ENROLL)
    assert 400 <= response.status_code < 500
    assert response.status_code != 200
    assert _pass_state(issued) == before


def test_forged_manifest_on_pass_without_personalization_is_refused(client, issued):
    response = client.post(f"{issued.pass_url}/personalize", json={"personalizationToken": _forged_manifest()})
    assert 400 <= response.status_code < 500
    assert response.mimetype != "application/octet-stream"


def test_second_personalize_is_refused_and_changes_neither_data_nor_update_tag(client, issued):
    _make_personalizable(issued)
    assert client.post(f"{issued.pass_url}/personalize", json=ENROLL).status_code == 200
    after_first = _pass_state(issued)
    again = {"personalizationToken": "YW5vdGhlckRldmljZVRva2Vu", "requiredPersonalizationInfo": {"fullName": "Eve"}}
    response = client.post(f"{issued.pass_url}/personalize", json=again)
    assert response.status_code == 412
    assert response.mimetype == "application/json"
    assert _pass_state(issued) == after_first
    assert _stored_enrollment() == {"fullName": "Ada Lovelace"}


def test_wrong_apple_pass_token_when_sent_is_401_and_changes_nothing(client, issued):
    _make_personalizable(issued)
    before = _pass_state(issued)
    response = client.post(f"{issued.pass_url}/personalize", json=ENROLL,
                           headers={"Authorization": "ApplePass not-the-token"})
    assert response.status_code == 401
    assert _pass_state(issued) == before


def test_right_apple_pass_token_when_sent_is_accepted(client, issued):
    _make_personalizable(issued)
    response = client.post(f"{issued.pass_url}/personalize", json=ENROLL, headers=issued.auth)
    assert response.status_code == 200


def test_concurrent_personalize_calls_give_one_200_and_the_rest_4xx(app, issued):
    _make_personalizable(issued)
    callers = 6
    barrier = threading.Barrier(callers)
    statuses: list[int] = []

    def enroll(number: int) -> None:
        body = {"personalizationToken": f"ZGV2aWNlVG9rZW4{number}", "requiredPersonalizationInfo": {"fullName": f"N{number}"}}
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(f"{issued.pass_url}/personalize", json=body).status_code)

    threads = [threading.Thread(target=enroll, args=(number,)) for number in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [412] * (callers - 1)
    _tag, personalized_at, count = _pass_state(issued)
    assert personalized_at is not None and count == 1
