"""The certificates an organization may sign with: its own, and the platform's read-only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput
from walletservice.models import SigningCertificate
from walletservice.models.base import utcnow
from walletservice.services.certificates import read_pem_upload, read_pkcs12_upload, store_certificate
from walletservice.services.collection_filters import Attribute, FilterSpec
from walletservice.services.lookups import one_or_not_found

EXPIRY_WARNING = dt.timedelta(days=30)

CERTIFICATE_FILTERS = FilterSpec({
    "id": Attribute(SigningCertificate.id, str),
    "pass_type_identifier": Attribute(SigningCertificate.pass_type_identifier, str),
    "team_identifier": Attribute(SigningCertificate.team_identifier, str),
    "expires_at": Attribute(SigningCertificate.not_after, dt.datetime),
    "created_at": Attribute(SigningCertificate.created_at, dt.datetime),
}, tiebreaker=SigningCertificate.id)


@dataclass(frozen=True)
class CertificateFiles:
    """An upload as received: a .p12 with its password, or a PEM certificate and key."""

    p12: bytes | None = None
    certificate_pem: bytes | None = None
    private_key_pem: bytes | None = None
    password: str | None = None
    wwdr_certificate: bytes | None = None  # PEM or DER; may travel inside the .p12 or PEM chain


@dataclass(frozen=True)
class CertificateStatus:
    """What the API shows beyond the stored columns."""

    issued_to: str | None
    expires_soon: bool
    expired: bool


def certificates_visible_to(organization_id: str) -> Select[tuple[SigningCertificate]]:
    return select(SigningCertificate).where(or_(
        SigningCertificate.organization_id == organization_id,
        SigningCertificate.organization_id.is_(None),
    ))


def get_visible_certificate(session: Session, organization_id: str, certificate_id: str) -> SigningCertificate:
    statement = certificates_visible_to(organization_id).where(SigningCertificate.id == certificate_id)
    return one_or_not_found(session, statement, "certificate")


def upload_certificate(
    session: Session, organization_id: str, files: CertificateFiles, secret_key: str
) -> tuple[SigningCertificate, bool]:
    """Check and store the organization's certificate. (row, True if newly stored)."""
    password = files.password.encode("utf-8") if files.password else None
    if files.p12 is not None:
        if files.certificate_pem is not None or files.private_key_pem is not None:
            raise InvalidInput("give either a .p12 or a PEM certificate and key, not both", field="certificate")
        upload = read_pkcs12_upload(files.p12, password, files.wwdr_certificate)
    elif files.certificate_pem is not None and files.private_key_pem is not None:
        upload = read_pem_upload(files.certificate_pem, files.private_key_pem, password, files.wwdr_certificate)
    else:
        raise InvalidInput("give a .p12 (p12) or a PEM certificate and its private key (certificate, private_key)",
                           field="certificate")
    row, stored_now = store_certificate(session, upload, secret_key, organization_id=organization_id)
    if row.organization_id != organization_id:
        # Only the private key's holder gets this far, so naming the conflict leaks nothing.
        raise InvalidInput("this certificate is already registered to another account", field="certificate")
    return row, stored_now


def certificate_status(certificate: SigningCertificate, now: dt.datetime | None = None) -> CertificateStatus:
    now = now or utcnow()
    return CertificateStatus(
        issued_to=_issued_to(certificate.certificate_pem),
        expires_soon=certificate.not_after <= now + EXPIRY_WARNING,
        expired=certificate.not_after <= now,
    )


def _issued_to(certificate_pem: str) -> str | None:
    """The subject's organization (O), as Keychain shows it; else its common name."""
    subject = x509.load_pem_x509_certificate(certificate_pem.encode("ascii")).subject
    for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
        values = subject.get_attributes_for_oid(oid)
        if values:
            value = values[0].value
            return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return None
