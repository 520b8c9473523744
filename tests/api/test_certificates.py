"""Certificates: list, get and upload (v2/certificates.md, plus uploading)."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from cryptography.hazmat.primitives import serialization

from tests.api.conftest import Account, p12_bytes, row_counts, error_text
from tests.factories import run_at_once
from walletservice.db import transaction
from walletservice.passkit import devcerts
from walletservice.services.certificates import CertificateUpload, import_certificate

TEAM = "TOYTOWN123"


def _json_p12(client, account: Account, p12: bytes, password: str | None = "s3cret", wwdr: str | None = None):
    fields = {"p12": base64.b64encode(p12).decode(), "password": password}
    if wwdr is not None:
        fields["wwdr_certificate"] = wwdr
    return client.post("/v2/certificates", json={"certificate": fields}, headers=account.basic)


def test_upload_a_p12_with_its_wwdr_inside(client, account: Account, pass_certificate, wwdr):
    response = _json_p12(client, account, p12_bytes(pass_certificate, [wwdr.certificate]))

    assert response.status_code == 201
    body = response.get_json()
    assert body["pass_type_identifier"] == "pass.com.example.toytown"
    assert body["team_identifier"] == TEAM
    assert body["issued_to"] == "walletservice development"
    assert body["expires_soon"] is False and body["expired"] is False and body["shared"] is False
    assert body["expires_at"] == pass_certificate.certificate.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_uploading_the_same_certificate_again_answers_200_with_the_stored_one(client, account, pass_certificate, wwdr):
    data = p12_bytes(pass_certificate, [wwdr.certificate])
    first = _json_p12(client, account, data).get_json()

    again = _json_p12(client, account, data)

    assert again.status_code == 200
    assert again.get_json()["id"] == first["id"]


def test_the_same_certificate_uploaded_at_once_is_stored_once(app, account, pass_certificate, wwdr):
    """The later inserts meet the first's unique fingerprint (PostgreSQL makes them wait for
    its commit) and answer with the stored row: once a 500 on PostgreSQL."""
    data = base64.b64encode(p12_bytes(pass_certificate, [wwdr.certificate])).decode()

    answers = run_at_once(app, 6, lambda thread_client: thread_client.post(
        "/v2/certificates", json={"certificate": {"p12": data, "password": "s3cret"}}, headers=account.basic))

    assert sorted(answer.status_code for answer in answers) == [200] * 5 + [201]
    assert len({answer.get_json()["id"] for answer in answers}) == 1
    assert row_counts()["signing_certificates"] == 1


def test_upload_pem_certificate_and_key_as_multipart_with_a_der_wwdr(client, account, pass_certificate, wwdr):
    form = {
        "certificate[certificate]": (io.BytesIO(pass_certificate.certificate_pem()), "pass.pem"),
        "certificate[private_key]": (io.BytesIO(pass_certificate.private_key_pem()), "pass.key"),
        "certificate[wwdr_certificate]": (
            io.BytesIO(wwdr.certificate.public_bytes(serialization.Encoding.DER)), "AppleWWDRCAG4.cer"),
    }

    response = client.post("/v2/certificates", data=form, headers=account.basic, content_type="multipart/form-data")

    assert response.status_code == 201
    assert response.get_json()["team_identifier"] == TEAM


def test_expiring_certificate_is_flagged(client, account, wwdr):
    soon = devcerts.issue_pass_type_certificate(wwdr, "pass.com.example.soon", TEAM, valid_days=20)

    body = _json_p12(client, account, p12_bytes(soon, [wwdr.certificate])).get_json()

    assert body["expires_soon"] is True and body["expired"] is False


def _refusal(response) -> str:
    assert response.status_code == 422, response.get_json()
    return error_text(response)


def test_expired_certificate_is_refused(client, account, wwdr):
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=400)
    expired = devcerts.issue_pass_type_certificate(wwdr, "pass.old", TEAM, valid_days=30, not_before=long_ago)

    assert "expired" in _refusal(_json_p12(client, account, p12_bytes(expired, [wwdr.certificate])))
    assert row_counts()["signing_certificates"] == 0


def test_a_certificate_that_is_not_a_pass_type_id_is_refused(client, account, wwdr):
    server = devcerts.issue_server_certificate(wwdr, ["example.com"])

    assert "not a Pass Type ID" in _refusal(_json_p12(client, account, p12_bytes(server, [wwdr.certificate])))


def test_a_wwdr_that_did_not_issue_the_certificate_is_refused(client, account, pass_certificate):
    stranger = devcerts.generate_ca("someone else's CA")

    message = _refusal(_json_p12(client, account, p12_bytes(pass_certificate),
                                 wwdr=stranger.certificate_pem().decode()))

    assert "WWDR" in message or "issue" in message


def test_a_p12_without_wwdr_asks_for_it(client, account, pass_certificate):
    assert "WWDR" in _refusal(_json_p12(client, account, p12_bytes(pass_certificate)))


@pytest.mark.parametrize("fields, expected", [
    ({"p12": "***not base64***"}, "certificate.p12"),
    ({"p12": 12}, "certificate.p12"),
    ({"password": ["x"]}, "certificate.password"),
    ({"certificate": "-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----", "private_key": "k"},
     "no PEM certificate"),
    ({}, "give a .p12"),
    ({"p12": base64.b64encode(b"0garbage").decode(), "password": "x"}, "PKCS#12"),
    ({"password": "a\x00b"}, "certificate.password"),
])
def test_bad_upload_fields_are_422_naming_the_problem(client, account, fields, expected):
    response = client.post("/v2/certificates", json={"certificate": fields}, headers=account.basic)

    assert expected in _refusal(response)
    assert row_counts()["signing_certificates"] == 0


def test_wrong_p12_password_is_refused(client, account, pass_certificate, wwdr):
    message = _refusal(_json_p12(client, account, p12_bytes(pass_certificate, [wwdr.certificate]), "wrong"))

    assert "password" in message


def test_missing_root_object_is_422(client, account):
    assert "certificate" in _refusal(client.post("/v2/certificates", json={"p12": "x"}, headers=account.basic))


def _platform_certificate(app, wwdr) -> str:
    key_pair = devcerts.issue_pass_type_certificate(wwdr, "pass.com.example.platform", "PLATFORM01")
    with transaction() as session:
        row = import_certificate(
            session, CertificateUpload(key_pair.certificate_pem(), key_pair.private_key_pem(), wwdr.certificate_pem()),
            app.config["WALLET_SECRET_KEY"],
        )
        return row.id


def test_list_shows_own_and_platform_certificates_but_not_others(client, app, account, other_account,
                                                                  pass_certificate, wwdr):
    platform_id = _platform_certificate(app, wwdr)
    foreign = _json_p12(client, other_account, p12_bytes(pass_certificate, [wwdr.certificate])).get_json()

    listed = client.get("/v2/certificates", headers=account.basic).get_json()

    assert [(c["id"], c["shared"]) for c in listed] == [(platform_id, True)]
    assert client.get(f"/v2/certificates/{platform_id}", headers=account.basic).status_code == 200
    assert client.get(f"/v2/certificates/{foreign['id']}", headers=account.basic).status_code == 404


def test_another_accounts_certificate_cannot_be_claimed_by_uploading_it(client, account, other_account,
                                                                        pass_certificate, wwdr):
    data = p12_bytes(pass_certificate, [wwdr.certificate])
    _json_p12(client, other_account, data)

    assert "another account" in _refusal(_json_p12(client, account, data))
    assert client.get("/v2/certificates", headers=account.basic).get_json() == []
