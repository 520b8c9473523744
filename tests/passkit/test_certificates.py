"""Reading and describing Pass Type ID certificates."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from walletservice.passkit import CertificateError, describe_certificate, devcerts, load_pem_bundle, load_pkcs12

from .factories import PASS_TYPE_ID, TEAM_ID


def p12(key_pair: devcerts.KeyPair, others=(), password: bytes | None = b"s3cret") -> bytes:
    encryption = (serialization.BestAvailableEncryption(password) if password
                  else serialization.NoEncryption())
    return pkcs12.serialize_key_and_certificates(
        b"pass", key_pair.private_key, key_pair.certificate, list(others) or None, encryption
    )


def test_describes_a_pass_type_certificate(pass_certificate):
    info = describe_certificate(pass_certificate.certificate)

    assert info.pass_type_identifier == PASS_TYPE_ID
    assert info.team_identifier == TEAM_ID
    assert info.common_name == f"Pass Type ID: {PASS_TYPE_ID}"
    assert info.is_pass_type_certificate is True
    assert info.fingerprint_sha256 == pass_certificate.certificate.fingerprint(hashes.SHA256()).hex()
    assert info.not_before.tzinfo is not None and info.not_before < info.not_after
    assert info.is_valid_at(dt.datetime.now(dt.timezone.utc))


def test_a_tls_server_certificate_is_not_a_pass_type_certificate(wwdr):
    server = devcerts.issue_server_certificate(wwdr, ["localhost"])

    info = describe_certificate(server.certificate)

    assert info.is_pass_type_certificate is False
    assert info.pass_type_identifier is None and info.team_identifier is None
    assert info.common_name == "localhost"


def test_expired_certificate_is_described_not_refused(wwdr):
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    expired = devcerts.issue_pass_type_certificate(wwdr, "pass.old", TEAM_ID, valid_days=30, not_before=long_ago)

    info = describe_certificate(expired.certificate)

    assert info.not_after == long_ago + dt.timedelta(days=30)
    assert not info.is_valid_at(dt.datetime.now(dt.timezone.utc))


def test_pkcs12_round_trip_with_the_right_password(pass_certificate, wwdr):
    certificate, key, others = load_pkcs12(p12(pass_certificate, [wwdr.certificate]), b"s3cret")

    assert certificate == pass_certificate.certificate
    assert key.private_numbers() == pass_certificate.private_key.private_numbers()
    assert others == [wwdr.certificate]


def test_pkcs12_without_a_password(pass_certificate):
    certificate, _, others = load_pkcs12(p12(pass_certificate, password=None), None)

    assert certificate == pass_certificate.certificate and others == []


@pytest.mark.parametrize("password", [b"wrong", None])
def test_pkcs12_with_a_wrong_password_is_refused(pass_certificate, password):
    with pytest.raises(CertificateError, match="could not open the .p12: wrong password, or not a PKCS#12 file"):
        load_pkcs12(p12(pass_certificate), password)


def test_garbage_is_not_a_pkcs12(pass_certificate):
    with pytest.raises(CertificateError, match="not a PKCS#12"):
        load_pkcs12(pass_certificate.certificate_pem(), b"x")


def test_pkcs12_without_a_key_is_refused(pass_certificate):
    data = pkcs12.serialize_key_and_certificates(
        b"pass", None, pass_certificate.certificate, None, serialization.NoEncryption()
    )

    with pytest.raises(CertificateError, match="holds no private key"):
        load_pkcs12(data, None)


def test_pem_certificate_and_key(pass_certificate):
    certificate, key, others = load_pem_bundle(pass_certificate.certificate_pem(), pass_certificate.private_key_pem())

    assert certificate == pass_certificate.certificate and key is not None and others == []


def test_combined_pem_with_chain_and_key_finds_the_keys_certificate(pass_certificate, wwdr):
    combined = wwdr.certificate_pem() + pass_certificate.certificate_pem() + pass_certificate.private_key_pem()

    certificate, key, others = load_pem_bundle(combined, None)

    assert certificate == pass_certificate.certificate
    assert key is not None and others == [wwdr.certificate]


def test_pem_without_a_key_returns_none_for_the_key(pass_certificate):
    assert load_pem_bundle(pass_certificate.certificate_pem(), None)[1] is None


def test_encrypted_pem_key_needs_its_password(pass_certificate):
    encrypted = pass_certificate.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    )
    cert_pem = pass_certificate.certificate_pem()

    assert load_pem_bundle(cert_pem, encrypted, b"pw")[1] is not None
    with pytest.raises(CertificateError, match="the private key is encrypted; give its password"):
        load_pem_bundle(cert_pem, encrypted)
    with pytest.raises(CertificateError, match="wrong password for the private key"):
        load_pem_bundle(cert_pem, encrypted, b"nope")


def test_password_for_a_plain_pem_key_is_ignored(pass_certificate):
    assert load_pem_bundle(pass_certificate.certificate_pem(), pass_certificate.private_key_pem(), b"pw")[1]


def test_key_of_another_certificate_is_refused(pass_certificate, wwdr):
    with pytest.raises(CertificateError, match="the private key does not belong to the certificate"):
        load_pem_bundle(pass_certificate.certificate_pem(), wwdr.private_key_pem())


@pytest.mark.parametrize("certificate_pem, key_pem, message", [
    (b"garbage", None, "no PEM certificate found"),
    (None, b"garbage", "no PEM private key found"),
])
def test_garbage_pem_is_refused(pass_certificate, certificate_pem, key_pem, message):
    with pytest.raises(CertificateError, match=message):
        load_pem_bundle(certificate_pem or pass_certificate.certificate_pem(), key_pem)
