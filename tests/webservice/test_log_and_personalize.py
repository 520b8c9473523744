"""POST /v1/log and POST /v1/passes/{type}/{serial}/personalize."""

from __future__ import annotations

import subprocess

from sqlalchemy import func, select

from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import DeviceLogEntry, Personalization


def _count(model) -> int:  # type: ignore[no-untyped-def]
    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_log_stores_messages(client, app):
    response = client.post("/wallet/v1/log", json={"logs": ["Web service error for pass.x: 500", "second"]})
    assert response.status_code == 200
    messages = db.session.execute(select(DeviceLogEntry.message).order_by(DeviceLogEntry.id)).scalars().all()
    assert messages == ["Web service error for pass.x: 500", "second"]


def test_log_bounds_entry_count_and_length(client, app):
    app.config.update(WALLET_MAX_LOG_ENTRIES=3, WALLET_MAX_LOG_ENTRY_CHARS=10)
    client.post("/wallet/v1/log", json={"logs": ["x" * 50] * 10})
    messages = db.session.execute(select(DeviceLogEntry.message)).scalars().all()
    assert messages == ["x" * 10] * 3


def test_log_with_empty_or_malformed_body_returns_400(client):
    for body in (b"", b"{", b"[]", b'{"logs": "text"}', b'{"logs": [1]}', b"{}"):
        response = client.post("/wallet/v1/log", data=body, content_type="application/json")
        assert response.status_code == 400, body
    assert _count(DeviceLogEntry) == 0


def test_log_with_oversized_body_returns_413(client, app):
    app.config["WALLET_MAX_WEBSERVICE_BODY_BYTES"] = 1000
    response = client.post("/wallet/v1/log", json={"logs": ["x" * 2000]})
    assert response.status_code == 413
    assert _count(DeviceLogEntry) == 0


def _personalizable(issued):  # type: ignore[no-untyped-def]
    from walletservice.models import Campaign

    with transaction() as session:
        campaign = session.get(Campaign, issued.campaign.id)
        campaign.design = {**campaign.design, "personalization": {
            "requiredPersonalizationFields": ["PKPassPersonalizationFieldName"],
            "description": "Join our rewards",
        }}
        pass_ = session.merge(issued.pass_)
        from walletservice.services.passes import update_pass_values

        update_pass_values(session, pass_, campaign, {})


def test_personalize_stores_data_and_returns_signature_verifiable_with_openssl(client, issued, dev_ca_pem, tmp_path):
    _personalizable(issued)
    before = client.get(issued.pass_url, headers=issued.auth)
    import io
    import zipfile

    assert "personalization.json" in zipfile.ZipFile(io.BytesIO(before.data)).namelist()
    body = {"personalizationToken": "dG9rLTEyMw==", "requiredPersonalizationInfo": {"fullName": "Ada Lovelace"}}
    response = client.post(f"{issued.pass_url}/personalize", json=body)
    assert response.status_code == 200
    assert response.mimetype == "application/octet-stream"
    (tmp_path / "sig.der").write_bytes(response.data)
    (tmp_path / "token").write_bytes(b"dG9rLTEyMw==")
    verify = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "sig.der"),
         "-content", str(tmp_path / "token"), "-CAfile", str(dev_ca_pem), "-purpose", "any",
         "-out", "/dev/null"],
        capture_output=True, text=True,
    )
    assert verify.returncode == 0, verify.stderr
    stored = db.session.execute(select(Personalization)).scalar_one()
    assert stored.data == {"fullName": "Ada Lovelace"}
    # Wallet then fetches the pass with the Last-Modified it holds: a 304 would strand it unpersonalized.
    after = client.get(issued.pass_url, headers={**issued.auth, "If-Modified-Since": before.headers["Last-Modified"]})
    assert after.status_code == 200
    assert "personalization.json" not in zipfile.ZipFile(io.BytesIO(after.data)).namelist()


def test_personalize_unknown_pass_returns_404(client, issued):
    url = f"/wallet/v1/passes/{issued.pass_type}/NOPE/personalize"
    assert client.post(url, json={"personalizationToken": "t"}).status_code == 404


def test_personalize_with_bad_body_returns_400_and_stores_nothing(client, issued):
    for body in ({}, {"personalizationToken": 5}, {"personalizationToken": "t", "requiredPersonalizationInfo": []},
                 {"personalizationToken": "t", "requiredPersonalizationInfo": {"shoeSize": "44"}}):
        response = client.post(f"{issued.pass_url}/personalize", json=body)
        assert response.status_code == 400, body
    assert _count(Personalization) == 0
