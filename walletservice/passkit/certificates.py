"""Reading Pass Type ID certificates: PKCS#12 and PEM loading, and what a certificate says.

Apple's Pass Type ID certificates carry the pass type id in the subject UID
(0.9.2342.19200300.100.1.1), the team id in OU, a CN of "Pass Type ID: pass.x", and
the extension 1.2.840.113635.100.6.1.16. They expire after about a year; expiry is
reported here, and the service decides what to do about it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID, ObjectIdentifier

PASS_TYPE_ID_EXTENSION_OID = ObjectIdentifier("1.2.840.113635.100.6.1.16")
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
_PEM_PRIVATE_KEY = re.compile(
    rb"-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----.+?-----END \1-----", re.DOTALL
)


class CertificateError(ValueError):
    """A certificate or key that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class CertificateInfo:
    """What a certificate says about the passes it may sign."""

    pass_type_identifier: str | None
    team_identifier: str | None
    common_name: str | None
    not_before: dt.datetime
    not_after: dt.datetime
    is_pass_type_certificate: bool
    fingerprint_sha256: str  # lowercase hex of the DER certificate's SHA-256

    def is_valid_at(self, moment: dt.datetime) -> bool:
        return self.not_before <= moment <= self.not_after


def describe_certificate(certificate: x509.Certificate) -> CertificateInfo:
    uid = _subject_value(certificate, NameOID.USER_ID)
    common_name = _subject_value(certificate, NameOID.COMMON_NAME)
    has_extension = _has_extension(certificate, PASS_TYPE_ID_EXTENSION_OID)
    # Fallback for certificates whose extensions were stripped by an export tool.
    looks_like_one = bool(uid and uid.startswith("pass.") and (common_name or "").startswith("Pass Type ID:"))
    return CertificateInfo(
        pass_type_identifier=uid,
        team_identifier=_subject_value(certificate, NameOID.ORGANIZATIONAL_UNIT_NAME),
        common_name=common_name,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        is_pass_type_certificate=has_extension or looks_like_one,
        fingerprint_sha256=certificate.fingerprint(hashes.SHA256()).hex(),
    )


def load_pkcs12(
    data: bytes, password: bytes | None
) -> tuple[x509.Certificate, PrivateKey, list[x509.Certificate]]:
    """(certificate, private key, other certificates) from a .p12 as Keychain exports it."""
    if not data or data[:1] != b"\x30":  # PKCS#12 is a DER SEQUENCE
        raise CertificateError("not a PKCS#12 (.p12) file")
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(data, _password_bytes(password))
    except ValueError:
        raise CertificateError("could not open the .p12: wrong password, or not a PKCS#12 file") from None
    if key is None:
        raise CertificateError("the .p12 holds no private key; export the certificate with its key")
    key = _usable_key(key)
    others = list(others)
    if certificate is None:  # some tools store the key's certificate among the others
        certificate = next((other for other in others if _same_public_key(other, key)), None)
        if certificate is None:
            raise CertificateError("the .p12 holds no certificate for its private key")
        others.remove(certificate)
    check_key_matches(certificate, key)
    return certificate, key, others


def load_pem_bundle(
    certificate_pem: bytes, private_key_pem: bytes | None, password: bytes | None = None
) -> tuple[x509.Certificate, PrivateKey | None, list[x509.Certificate]]:
    """(certificate, private key or None, other certificates) from PEM text.

    certificate_pem may hold a chain and, as APNs tools write it, the key too; the
    certificate returned is the one the key belongs to (or the first one).
    """
    certificates = load_pem_certificates(certificate_pem)
    key_pem = private_key_pem if private_key_pem is not None else _embedded_key(certificate_pem)
    if key_pem is None:
        return certificates[0], None, certificates[1:]
    key = load_pem_private_key(key_pem, password)
    for index, certificate in enumerate(certificates):
        if _same_public_key(certificate, key):
            return certificate, key, certificates[:index] + certificates[index + 1:]
    raise CertificateError("the private key does not belong to the certificate")


def load_pem_certificates(pem: bytes) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(_pem_bytes(pem))
    except ValueError:
        raise CertificateError("no PEM certificate found (expected -----BEGIN CERTIFICATE-----)") from None


def load_pem_private_key(pem: bytes, password: bytes | None = None) -> PrivateKey:
    data, secret = _pem_bytes(pem), _password_bytes(password)
    try:
        key = serialization.load_pem_private_key(data, secret)
    except TypeError:  # encrypted without a password, or a password for a plain key
        if secret is None:
            raise CertificateError("the private key is encrypted; give its password") from None
        key = _load_plain_key(data)
    except ValueError:
        raise CertificateError(_key_error(data)) from None
    return _usable_key(key)


def _load_plain_key(data: bytes) -> object:
    try:
        return serialization.load_pem_private_key(data, None)
    except ValueError:
        raise CertificateError(_key_error(data)) from None


def _key_error(data: bytes) -> str:
    if b"ENCRYPTED" in data:
        return "wrong password for the private key"
    return "no PEM private key found (expected -----BEGIN PRIVATE KEY-----)"


def check_key_matches(certificate: x509.Certificate, private_key: PrivateKey) -> None:
    """CertificateError unless the key is the certificate's ("Manifest signature did not verify")."""
    if not _same_public_key(certificate, private_key):
        raise CertificateError("the private key does not belong to the certificate")


def _same_public_key(certificate: x509.Certificate, private_key: PrivateKey) -> bool:
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return certificate.public_key().public_bytes(*spki) == private_key.public_key().public_bytes(*spki)


def _usable_key(key: object) -> PrivateKey:
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise CertificateError(f"unsupported key type {type(key).__name__}; signing needs an RSA or EC key")
    return key


def _embedded_key(pem: bytes) -> bytes | None:
    match = _PEM_PRIVATE_KEY.search(_pem_bytes(pem))
    return match.group(0) if match else None


def _subject_value(certificate: x509.Certificate, oid: ObjectIdentifier) -> str | None:
    attributes = certificate.subject.get_attributes_for_oid(oid)
    if not attributes:
        return None
    value = attributes[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _has_extension(certificate: x509.Certificate, oid: ObjectIdentifier) -> bool:
    try:
        certificate.extensions.get_extension_for_oid(oid)
    except x509.ExtensionNotFound:
        return False
    return True


def _pem_bytes(pem: bytes | str) -> bytes:
    return pem.encode("ascii") if isinstance(pem, str) else bytes(pem)


def _password_bytes(password: bytes | str | None) -> bytes | None:
    if password is None:
        return None
    return password.encode("utf-8") if isinstance(password, str) else bytes(password)
