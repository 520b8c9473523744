"""NFC (Value Added Services) key pairs of an organization. Private keys are stored encrypted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base, new_uuid, utcnow


class NfcKey(Base):
    __tablename__ = "nfc_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    # Base64 of the P-256 SubjectPublicKeyInfo: what pass.json's nfc.encryptionPublicKey carries.
    public_key: Mapped[str] = mapped_column(Text)
    # PKCS#8 PEM, encrypted by services.key_encryption; the organization's NFC readers need it.
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
