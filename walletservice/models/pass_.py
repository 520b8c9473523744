"""Passes, their update tags and the cache of signed bundles."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base, BigIntegerKey, new_uuid, utcnow


class Pass(Base):
    __tablename__ = "passes"
    __table_args__ = (
        UniqueConstraint("pass_type_identifier", "serial_number"),
        # Redeem by code looks passes up per campaign; code_type fixed shares one code.
        Index("ix_passes_campaign_redeem_code", "campaign_id", "redeem_code"),
        Index("ix_passes_organization_user_provided_id", "organization_id", "user_provided_id"),
        # Passcreator's list pages by (created_at, id) within an organization (keyset).
        Index("ix_passes_organization_created", "organization_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    pass_type_identifier: Mapped[str]
    team_identifier: Mapped[str] = mapped_column(String(32))
    serial_number: Mapped[str] = mapped_column(String(64))
    # Never changes: installed copies keep the token they were issued with (Apple).
    authentication_token: Mapped[str] = mapped_column(String(64))
    certificate_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("signing_certificates.id", ondelete="RESTRICT")
    )
    # The unguessable part of the customer's download link.
    download_id: Mapped[str] = mapped_column(String(43), unique=True)
    # Per-pass values: {"fields": {key: value}, plus top-level overrides}.
    values: Mapped[dict[str, Any]]
    # The merged design this pass is built from, so a rebuild is deterministic.
    content: Mapped[dict[str, Any]]
    # Strictly increasing per pass type; the device's passesUpdatedSince.
    update_tag: Mapped[int] = mapped_column(BigInteger)
    # Whole seconds, strictly increasing per pass: the Last-Modified header.
    modified_at: Mapped[dt.datetime]
    voided: Mapped[bool] = mapped_column(default=False)
    # Redeeming (Passworks): the code assigned by the campaign's code_type, how often
    # and when last redeemed.
    redeem_code: Mapped[str | None] = mapped_column(String(64))
    redeemed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    redeemed_at: Mapped[dt.datetime | None]
    # Set by the expiry job once expiration_date has passed and the pass was pushed.
    expired_at: Mapped[dt.datetime | None]
    first_downloaded_at: Mapped[dt.datetime | None]
    last_fetched_at: Mapped[dt.datetime | None]
    # Passcreator's userProvidedId: the integrator's own key for the pass.
    user_provided_id: Mapped[str | None]
    # Integrator data that is not pass.json (Passworks metadata; Passcreator
    # storedValue, bundleId, downloadPin, eligibleValidationPlaces...).
    extra: Mapped[dict[str, Any] | None]
    # Set once the customer enrolled; the pass then ships without personalization.json.
    personalized_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Every value a searchPhrase matches, joined by U+001F: written by a database trigger
    # whenever id, user_provided_id, content or values change (migration d41c7e2a9b50), and
    # read only in SQL (deferred: a loaded copy could be stale). On PostgreSQL
    # ix_passes_search_text_trigrams (GIN, pg_trgm) indexes it; the migration creates it,
    # as the model cannot say "PostgreSQL only" to Alembic (migrations/env.py skips it).
    search_text: Mapped[str | None] = mapped_column(Text, deferred=True)


class PassTypeTagCounter(Base):
    """The last update tag handed out per pass type.

    Incrementing this row inside the transaction that changes a pass holds a row
    lock until commit, so tags become visible in the order they were issued and
    a device can never skip a tag that commits late (a sequence cannot promise
    that). Contention is per pass type, which is also the scope of the list call.
    """

    __tablename__ = "pass_type_tag_counters"

    pass_type_identifier: Mapped[str] = mapped_column(primary_key=True)
    last_tag: Mapped[int] = mapped_column(BigInteger, default=0)


class PassBundle(Base):
    """The signed .pkpass for one version (update tag) of a pass."""

    __tablename__ = "pass_bundles"

    pass_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("passes.id", ondelete="CASCADE"), primary_key=True
    )
    update_tag: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PassRevision(Base):
    """One version of a pass, written in the transaction that made it (services.pass_revisions).

    `n` counts a pass's versions from 1 (its issue); the newest row is the pass as it is.
    Who and how: the route (or job, or scheduled rule) that wrote it, and for API calls the
    calling organization and API key.
    """

    __tablename__ = "pass_revisions"
    __table_args__ = (UniqueConstraint("pass_id", "n"),)

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    pass_id: Mapped[str] = mapped_column(String(36), ForeignKey("passes.id", ondelete="CASCADE"))
    n: Mapped[int] = mapped_column(Integer)
    values: Mapped[dict[str, Any]]
    content: Mapped[dict[str, Any]]
    voided: Mapped[bool]
    update_tag: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    route: Mapped[str] = mapped_column(String(300))
    # The caller: no foreign keys, so the record outlives a revoked key or a moved pass.
    organization_id: Mapped[str | None] = mapped_column(String(36))
    api_key_id: Mapped[str | None] = mapped_column(String(36))
    # Set on a restore: the revision whose content this one brought back.
    restored_from: Mapped[int | None] = mapped_column(Integer)
    # The pass's values kept beside its content, restored with it: {"user_provided_id": ...,
    # "extra": {...}}. NULL on revisions written before they were kept.
    properties: Mapped[dict[str, Any] | None]
