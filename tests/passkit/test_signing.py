"""Signing: detached CMS over manifest.json, checked with the real openssl binary."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12

from walletservice.passkit import CertificateError, SigningIdentity, devcerts, sign_manifest, sign_personalization_token

MANIFEST = b'{\n  "icon.png": "0123456789abcdef0123456789abcdef01234567"\n}'


def openssl_verify(openssl: str, tmp_path: Path, signature: bytes, content: bytes, ca_pem: bytes) -> subprocess.CompletedProcess:
    (tmp_path / "signature").write_bytes(signature)
    (tmp_path / "manifest.json").write_bytes(content)
    (tmp_path / "ca.pem").write_bytes(ca_pem)
    return subprocess.run(
        [openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", "signature", "-content", "manifest.json",
         "-CAfile", "ca.pem", "-purpose", "any", "-out", "/dev/null"],
        cwd=tmp_path, capture_output=True, text=True,
    )


def cms_dump(openssl: str, tmp_path: Path, signature: bytes) -> str:
    (tmp_path / "dump.der").write_bytes(signature)
    return subprocess.run(
        [openssl, "cms", "-cmsout", "-print", "-inform", "DER", "-in", "dump.der"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout


def test_signature_verifies_with_openssl(openssl, tmp_path, signing_identity, wwdr):
    result = openssl_verify(openssl, tmp_path, sign_manifest(MANIFEST, signing_identity), MANIFEST, wwdr.certificate_pem())

    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr


def test_signature_over_a_tampered_manifest_fails_openssl(openssl, tmp_path, signing_identity, wwdr):
    tampered = MANIFEST.replace(b"0123", b"fff0", 1)

    result = openssl_verify(openssl, tmp_path, sign_manifest(MANIFEST, signing_identity), tampered, wwdr.certificate_pem())

    assert result.returncode != 0
    assert "Verification successful" not in result.stderr


def test_signature_is_detached_with_signing_time_sha256_and_the_wwdr_certificate(openssl, tmp_path, signing_identity, wwdr):
    dump = cms_dump(openssl, tmp_path, sign_manifest(MANIFEST, signing_identity))

    assert "signingTime" in dump  # Wallet requires the S/MIME signing-time attribute
    assert "messageDigest" in dump
    assert "eContent: <ABSENT>" in dump  # detached: manifest.json is not embedded
    assert "sha256" in dump
    assert "CN=walletservice test WWDR" in dump


def test_signature_carries_the_signer_and_wwdr_certificates(signing_identity, pass_certificate, wwdr):
    certificates = pkcs7.load_der_pkcs7_certificates(sign_manifest(MANIFEST, signing_identity))

    assert set(certificates) == {pass_certificate.certificate, wwdr.certificate}


def test_personalization_token_is_signed_the_same_way(openssl, tmp_path, signing_identity, wwdr):
    token = b"a-personalization-token-from-wallet"

    result = openssl_verify(openssl, tmp_path, sign_personalization_token(token, signing_identity), token,
                            wwdr.certificate_pem())

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("token", [MANIFEST, b"", b'  ["x"]'])
def test_personalization_signer_refuses_a_manifest_or_any_json_document(signing_identity, token):
    with pytest.raises(ValueError, match="never a JSON document"):
        sign_personalization_token(token, signing_identity)


def test_identity_from_pem_refuses_a_key_of_another_certificate(pass_certificate, wwdr):
    with pytest.raises(CertificateError, match="the private key does not belong to the certificate"):
        SigningIdentity.from_pem(pass_certificate.certificate_pem(), wwdr.private_key_pem(), wwdr.certificate_pem())


def test_identity_refuses_a_wwdr_that_did_not_issue_the_certificate(pass_certificate):
    other_ca = devcerts.generate_ca("Some other WWDR")

    with pytest.raises(CertificateError, match="not issued by the given WWDR certificate .*WWDR G4"):
        SigningIdentity.from_pem(pass_certificate.certificate_pem(), pass_certificate.private_key_pem(),
                                 other_ca.certificate_pem())


def test_identity_from_combined_pem(pass_certificate, wwdr):
    combined = pass_certificate.certificate_pem() + pass_certificate.private_key_pem()

    identity = SigningIdentity.from_pem(combined, None, wwdr.certificate_pem())

    assert identity.certificate == pass_certificate.certificate


def test_identity_from_pkcs12_takes_the_wwdr_from_the_file(pass_certificate, wwdr):
    data = pkcs12.serialize_key_and_certificates(
        b"pass", pass_certificate.private_key, pass_certificate.certificate, [wwdr.certificate],
        serialization.BestAvailableEncryption(b"pw"),
    )

    identity = SigningIdentity.from_pkcs12(data, b"pw")

    assert identity.wwdr_certificate == wwdr.certificate


def test_identity_from_pkcs12_without_wwdr_needs_one(pass_certificate, wwdr):
    data = pkcs12.serialize_key_and_certificates(
        b"pass", pass_certificate.private_key, pass_certificate.certificate, None, serialization.NoEncryption()
    )

    with pytest.raises(CertificateError, match="WWDR certificate that issued this certificate was not given"):
        SigningIdentity.from_pkcs12(data, None)
    assert SigningIdentity.from_pkcs12(data, None, wwdr.certificate_pem()).wwdr_certificate == wwdr.certificate
