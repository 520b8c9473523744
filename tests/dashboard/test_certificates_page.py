"""The certificates page: the organization's signing certificates with their expiry mark,
and the upload of a .p12 (owners only), checked by the v2 API's own service: a wrong
password, a file that is not a .p12, a certificate that is not a Pass Type ID one, or a
body too large are refused on the page with a 4xx and store nothing."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.api.conftest import new_account, p12_bytes
from tests.dashboard.conftest import Team, csrf_from, signed_in_client
from walletservice.db import transaction
from walletservice.models import DashboardAuditEntry, SigningCertificate
from walletservice.passkit import devcerts
from walletservice.services.certificates import CertificateUpload, import_certificate
from walletservice.services.key_encryption import decrypt_private_key

TEAM_ID = "TOYTOWN123"
PASSWORD = "s3cret"


def upload(client: FlaskClient, p12: bytes, password: str = PASSWORD, **extra: object):  # type: ignore[no-untyped-def]
    token = csrf_from(client, "/dashboard/certificates")
    return client.post("/dashboard/certificates", content_type="multipart/form-data",
                       data={"csrf_token": token, "p12": (io.BytesIO(p12), "pass.p12"), "password": password,
                             **extra})


def _stored() -> list[SigningCertificate]:
    with transaction(write=False) as session:
        return list(session.scalars(select(SigningCertificate)))


def _audit() -> list[DashboardAuditEntry]:
    with transaction(write=False) as session:
        return list(session.scalars(select(DashboardAuditEntry)))


def test_an_owner_uploads_a_p12_which_is_stored_encrypted_listed_and_audited(
        app: Flask, team: Team, wwdr: devcerts.KeyPair, pass_certificate: devcerts.KeyPair,
        caplog: pytest.LogCaptureFixture) -> None:
    client = signed_in_client(app, team.owner)
    caplog.set_level(logging.DEBUG)
    response = upload(client, p12_bytes(pass_certificate, [wwdr.certificate]))
    page = response.get_data(as_text=True)
    assert response.status_code == 201, page
    assert 'data-testid="certificate-notice">Certificate stored.' in page
    assert page.count('data-testid="certificate-row"') == 1
    assert "pass.com.example.toytown" in page and TEAM_ID in page
    [certificate] = _stored()
    assert certificate.organization_id == team.account.id
    assert "PRIVATE KEY" not in certificate.private_key_encrypted  # encrypted, as the API stores it
    assert decrypt_private_key(app.config["WALLET_SECRET_KEY"], certificate.private_key_encrypted).startswith(
        b"-----BEGIN PRIVATE KEY-----")
    [entry] = _audit()
    assert (entry.action, entry.target_id, entry.user_email, entry.before) == (
        "certificate.upload", certificate.id, team.owner, None)
    assert entry.after["pass_type_identifier"] == "pass.com.example.toytown"
    assert PASSWORD not in repr(entry.after) and "PRIVATE" not in repr(entry.after)
    assert PASSWORD not in caplog.text and "PRIVATE KEY" not in caplog.text
    # The same file again: nothing new, nothing audited.
    again = upload(client, p12_bytes(pass_certificate, [wwdr.certificate]))
    assert again.status_code == 200 and "stored already" in again.get_data(as_text=True)
    assert len(_stored()) == 1 and len(_audit()) == 1


def _server_certificate(wwdr: devcerts.KeyPair) -> bytes:
    return p12_bytes(devcerts.issue_server_certificate(wwdr, ["example.com"]), [wwdr.certificate])


@pytest.mark.parametrize(("what", "make", "password", "message"), [
    ("a wrong password", lambda wwdr, cert: p12_bytes(cert, [wwdr.certificate]), "not it", "wrong password"),
    ("not a p12", lambda wwdr, cert: b"just some text, not a certificate", PASSWORD, "not a PKCS#12"),
    ("no Pass Type ID certificate", lambda wwdr, cert: _server_certificate(wwdr), PASSWORD,
     "not a Pass Type ID certificate"),
    ("no WWDR certificate", lambda wwdr, cert: p12_bytes(cert), PASSWORD, "holds no WWDR certificate"),
])
def test_a_refused_upload_is_a_422_with_the_reason_on_the_page_and_stores_nothing(
        app: Flask, team: Team, wwdr: devcerts.KeyPair, pass_certificate: devcerts.KeyPair,
        what: str, make, password: str, message: str) -> None:  # type: ignore[no-untyped-def]
    response = upload(signed_in_client(app, team.owner), make(wwdr, pass_certificate), password)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page
    assert 'data-testid="certificate-error"' in page and message in page
    assert _stored() == [] and _audit() == []


def test_a_wwdr_certificate_given_beside_the_p12_is_used(
        app: Flask, team: Team, wwdr: devcerts.KeyPair, pass_certificate: devcerts.KeyPair) -> None:
    response = upload(signed_in_client(app, team.owner), p12_bytes(pass_certificate),
                      wwdr_certificate=(io.BytesIO(wwdr.certificate_pem()), "wwdr.pem"))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert len(_stored()) == 1


def test_a_file_over_the_request_limit_is_a_413_with_a_message_on_the_page(app: Flask, team: Team) -> None:
    too_big = b"\x30" + b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = upload(signed_in_client(app, team.owner), too_big)
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)
    assert _stored() == []


def test_no_file_is_a_422(app: Flask, team: Team) -> None:
    client = signed_in_client(app, team.owner)
    response = client.post("/dashboard/certificates", content_type="multipart/form-data",
                           data={"csrf_token": csrf_from(client, "/dashboard/certificates"), "password": "x"})
    assert response.status_code == 422 and "Choose a .p12 file" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_owners_upload(app: Flask, team: Team, wwdr: devcerts.KeyPair, pass_certificate: devcerts.KeyPair,
                            role: str) -> None:
    client = signed_in_client(app, getattr(team, role))
    assert 'data-testid="certificate-upload"' not in client.get("/dashboard/certificates").get_data(as_text=True)
    assert upload(client, p12_bytes(pass_certificate, [wwdr.certificate])).status_code == 403
    assert _stored() == []


def test_the_list_marks_certificates_expiring_within_the_warning_days_and_hides_other_organizations(
        app: Flask, team: Team, wwdr: devcerts.KeyPair) -> None:
    warning_days = app.config["WALLET_CERTIFICATE_WARNING_DAYS"]
    soon = devcerts.issue_pass_type_certificate(wwdr, "pass.com.example.soon", TEAM_ID, valid_days=warning_days - 2)
    later = devcerts.issue_pass_type_certificate(wwdr, "pass.com.example.later", TEAM_ID,
                                                 valid_days=warning_days + 30)
    client = signed_in_client(app, team.owner)
    for certificate in (soon, later):
        assert upload(client, p12_bytes(certificate, [wwdr.certificate])).status_code == 201
    _store_expired(team.account.id, wwdr)
    _store_expired(new_account("Skyport Airways").id, wwdr, "pass.com.example.stranger")
    page = signed_in_client(app, team.viewer).get("/dashboard/certificates").get_data(as_text=True)
    assert page.count('data-testid="certificate-row"') == 3 and "stranger" not in page
    # Soonest to expire first: the expired one, then the one expiring soon, then the other.
    assert page.index("pass.com.example.old") < page.index("pass.com.example.soon") < page.index(
        "pass.com.example.later")
    marks = [cell.split("</td>")[0] for cell in page.split('data-testid="certificate-expiry">')[1:]]
    assert "expired" in marks[0] and "expires soon" in marks[1] and "expire" not in marks[2]


def _store_expired(organization_id: str, wwdr: devcerts.KeyPair, identifier: str = "pass.com.example.old") -> str:
    """An expired certificate as one stored before it expired (an upload refuses it now)."""
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=400)
    old = devcerts.issue_pass_type_certificate(wwdr, identifier, TEAM_ID, valid_days=30, not_before=long_ago)
    with transaction() as session:
        row = import_certificate(session, CertificateUpload(old.certificate_pem(), old.private_key_pem(),
                                                            wwdr.certificate_pem()),
                                 "secret", organization_id=organization_id, now=long_ago + dt.timedelta(days=1))
        return row.id
