"""Organizations (tenants) and their API keys."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from walletservice.models.base import Base, new_uuid, utcnow


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    name: Mapped[str]
    parent_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    # Where pass events are POSTed (webhooks.md); the secret signs them (HMAC-SHA256)
    # and is stored encrypted like certificate keys.
    webhook_url: Mapped[str | None] = mapped_column(String(2048))
    webhook_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    # The Authorization header value webhooks carry, as the organization set it (Passworks
    # sends its API key there, which we only hold hashed); encrypted like the secret.
    webhook_authorization_encrypted: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    api_keys: Mapped[list[ApiKey]] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )


class ApiKey(Base):
    """An API key, stored only as its SHA-256: keys are 256-bit random, so a slow
    hash adds nothing and a fast one keeps authentication off the hot path."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]

    organization: Mapped[Organization] = relationship(back_populates="api_keys")


class OrganizationCounter(Base):
    """Figures of an organization kept current by database triggers (migration
    d41c7e2a9b50): passes_with_devices, its passes with at least one registration."""

    __tablename__ = "organization_counters"

    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    passes_with_devices: Mapped[int] = mapped_column(BigInteger)
