"""The dashboard's certificates page (Flask-free; docs/dashboard.md, "Certificates"): the
organization's signing certificates with their expiry mark. Uploads go through
services.organization_certificates.upload_certificate, the v2 API's own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.models import SigningCertificate

ExpiryMark = Literal["expired", "expires soon", ""]


@dataclass(frozen=True)
class CertificateRow:
    certificate: SigningCertificate
    mark: ExpiryMark
    days_left: int


def expiry_mark(not_after: dt.datetime, now: dt.datetime, warning_days: int) -> ExpiryMark:
    """The overview's rule (its "Certificates expiring" card counts both marks):
    expired, or expiring within WALLET_CERTIFICATE_WARNING_DAYS."""
    if not_after <= now:
        return "expired"
    if not_after <= now + dt.timedelta(days=warning_days):
        return "expires soon"
    return ""


def organization_certificates(session: Session, organization_id: str, now: dt.datetime,
                              warning_days: int) -> list[CertificateRow]:
    """The organization's own certificates (the platform's shared ones are not its to
    renew), soonest to expire first."""
    certificates = session.scalars(
        select(SigningCertificate).where(SigningCertificate.organization_id == organization_id)
        .order_by(SigningCertificate.not_after, SigningCertificate.id))
    return [CertificateRow(certificate, expiry_mark(certificate.not_after, now, warning_days),
                           (certificate.not_after - now) // dt.timedelta(days=1))
            for certificate in certificates]
