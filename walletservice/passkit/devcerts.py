"""Throwaway certificate authorities and certificates for development and tests.

Nothing here talks to Apple. A local CA stands in for Apple's WWDR intermediate,
and it issues a Pass Type ID certificate shaped like Apple's (UID = pass type id,
OU = team id, the Pass Type ID extension), so the signing and push code paths are
the same with dev and real certificates.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

# Apple marks Pass Type ID certificates with this extension (value: ASN.1 NULL).
PASS_TYPE_ID_EXTENSION_OID = ObjectIdentifier("1.2.840.113635.100.6.1.16")
# Apple's APNs topic list extension, present on Pass Type ID certificates.
APNS_TOPICS_EXTENSION_OID = ObjectIdentifier("1.2.840.113635.100.6.3.6")
_ASN1_NULL = b"\x05\x00"


@dataclass(frozen=True)
class KeyPair:
    """A certificate with its private key."""

    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def private_key_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def generate_ca(common_name: str, *, valid_days: int = 3650) -> KeyPair:
    """A self-signed CA that may issue end-entity certificates."""
    key = _rsa_key()
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "walletservice development"),
    ])
    now = _now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return KeyPair(certificate, key)


# Signer (a throwaway development CA, never Apple's). Bytes: certificates this module
# builds. Who: the operator running `flask wallet certs` / the test fixtures only.
def _issue(
    ca: KeyPair,
    subject: x509.Name,
    extensions: list[tuple[x509.ExtensionType, bool]],
    *,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> KeyPair:
    key = _rsa_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.certificate.public_key()),
            critical=False,
        )
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return KeyPair(builder.sign(ca.private_key, hashes.SHA256()), key)


def issue_pass_type_certificate(
    ca: KeyPair,
    pass_type_identifier: str,
    team_identifier: str,
    *,
    valid_days: int = 365,
    not_before: dt.datetime | None = None,
) -> KeyPair:
    """A certificate shaped like Apple's "Pass Type ID: pass.x" certificates."""
    start = not_before or (_now() - dt.timedelta(days=1))
    subject = x509.Name([
        x509.NameAttribute(NameOID.USER_ID, pass_type_identifier),
        x509.NameAttribute(NameOID.COMMON_NAME, f"Pass Type ID: {pass_type_identifier}"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, team_identifier),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "walletservice development"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
    ])
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            True,
        ),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False),
        (x509.UnrecognizedExtension(PASS_TYPE_ID_EXTENSION_OID, _ASN1_NULL), False),
    ]
    return _issue(
        ca, subject, extensions, not_before=start, not_after=start + dt.timedelta(days=valid_days)
    )


def issue_server_certificate(ca: KeyPair, hostnames: list[str], *, valid_days: int = 825) -> KeyPair:
    """A TLS server certificate for loopback test servers (the APNs simulator)."""
    names: list[x509.GeneralName] = []
    for host in hostnames:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    now = _now()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0])])
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.SubjectAlternativeName(names), False),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
    ]
    return _issue(
        ca, subject, extensions,
        not_before=now - dt.timedelta(days=1), not_after=now + dt.timedelta(days=valid_days),
    )


def generate_apns_auth_key() -> ec.EllipticCurvePrivateKey:
    """A P-256 key like the .p8 keys Apple issues for APNs token authentication."""
    return ec.generate_private_key(ec.SECP256R1())
