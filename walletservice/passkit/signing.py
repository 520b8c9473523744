"""Signing manifest.json (and personalization tokens) the way Wallet checks it.

Apple: the signature is a detached PKCS#7 (CMS) SignedData in DER over the exact bytes
of manifest.json, made with the Pass Type ID certificate, with the WWDR intermediate
in the certificate set and the S/MIME signing-time attribute ("Include the date and
time that the pass was signed"). So signed attributes stay on (never NoAttributes /
`openssl smime -noattr`), and a missing or wrong WWDR is refused up front, because
Wallet reports both only as "Manifest signature did not verify successfully".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from .certificates import (
    CertificateError,
    CertificateInfo,
    PrivateKey,
    check_key_matches,
    describe_certificate,
    load_pem_bundle,
    load_pem_certificates,
    load_pkcs12,
)

_OPTIONS = (pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary)


@dataclass(frozen=True)
class SigningIdentity:
    """A Pass Type ID certificate, its private key and the WWDR certificate that issued it."""

    certificate: x509.Certificate
    private_key: PrivateKey
    wwdr_certificate: x509.Certificate

    def __post_init__(self) -> None:
        check_key_matches(self.certificate, self.private_key)
        _check_issued_by(self.certificate, self.wwdr_certificate)

    @cached_property
    def info(self) -> CertificateInfo:
        """What the certificate says, read once: every bundle checks it."""
        return describe_certificate(self.certificate)

    @classmethod
    def from_pem(
        cls,
        certificate_pem: bytes,
        private_key_pem: bytes | None,
        wwdr_pem: bytes,
        password: bytes | None = None,
    ) -> SigningIdentity:
        """From PEM files; private_key_pem may be None when certificate_pem holds the key too."""
        certificate, key, _ = load_pem_bundle(certificate_pem, private_key_pem, password)
        if key is None:
            raise CertificateError("no private key given for the pass certificate")
        return cls(certificate, key, load_pem_certificates(wwdr_pem)[0])

    @classmethod
    def from_pkcs12(
        cls, data: bytes, password: bytes | None, wwdr_pem: bytes | None = None
    ) -> SigningIdentity:
        """From a .p12; the WWDR certificate is taken from it when wwdr_pem is not given."""
        certificate, key, others = load_pkcs12(data, password)
        candidates = load_pem_certificates(wwdr_pem) if wwdr_pem is not None else others
        issuer = next((other for other in candidates if other.subject == certificate.issuer), None)
        if issuer is None:
            raise CertificateError("the WWDR certificate that issued this certificate was not given")
        return cls(certificate, key, issuer)


def sign_manifest(manifest: bytes, identity: SigningIdentity) -> bytes:
    """The `signature` file: detached CMS SignedData (DER, SHA-256, signing-time) over manifest."""
    # Signer (docs/security.md, "Signers"). Bytes: only a manifest.json that
    # bundle.build_pkpass wrote itself from validated files whose pass.json names this
    # certificate's pass type and team. Who: whoever may fetch that pass (its device
    # token, its download link, its tenant's API key); never bytes a caller sends.
    builder = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(manifest)
        .add_signer(identity.certificate, identity.private_key, hashes.SHA256())
        .add_certificate(identity.wwdr_certificate)
    )
    return builder.sign(serialization.Encoding.DER, _OPTIONS)


def sign_personalization_token(token: bytes, identity: SigningIdentity) -> bytes:
    """The reply to Apple's personalize request: the token signed like a manifest."""
    # Signer (docs/security.md, "Signers"). Bytes: a device's personalizationToken,
    # already restricted to 8-1024 base64/url-safe characters that do not parse as JSON
    # (services.personalization.check_device_token), so it can never be a manifest.
    # Who: anyone (Apple sends no credentials), but only once per pass, and only for a
    # pass that carries personalization.json and is not personalized yet.
    if not token or token.lstrip()[:1] in (b"{", b"["):
        raise ValueError("a personalization token is never a JSON document")
    return sign_manifest(token, identity)


def _check_issued_by(certificate: x509.Certificate, wwdr: x509.Certificate) -> None:
    try:
        certificate.verify_directly_issued_by(wwdr)
    except (ValueError, TypeError, InvalidSignature):
        raise CertificateError(
            "the pass certificate was not issued by the given WWDR certificate "
            f"({wwdr.subject.rfc4514_string()}); Pass Type ID certificates issued after "
            "2022-01-27 chain to Apple WWDR G4"
        ) from None
