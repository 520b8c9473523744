"""Pass Type ID signing certificates. Private keys are stored encrypted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base, new_uuid, utcnow


class SigningCertificate(Base):
    __tablename__ = "signing_certificates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    # NULL: a platform certificate imported by the operator, usable by every organization.
    organization_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    pass_type_identifier: Mapped[str] = mapped_column(index=True)
    team_identifier: Mapped[str] = mapped_column(String(32))
    certificate_pem: Mapped[str] = mapped_column(Text)
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    wwdr_certificate_pem: Mapped[str] = mapped_column(Text)
    fingerprint_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    not_before: Mapped[dt.datetime]
    not_after: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
