"""Google Wallet sync state: per campaign (its class) and per pass (its object)."""

from __future__ import annotations

import datetime as dt

from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import BigIntegerKey, Base, JSONType, new_uuid, utcnow


class GoogleWalletClass(Base):
    """android_pay.md's gwallet_status and gwallet_message of a campaign with gwallet_usage."""

    __tablename__ = "google_wallet_classes"

    campaign_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    # local (new), updated (changed since), syncing, sync_done, failed (see message).
    status: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    # Set once the class exists at Google; objects are created only after it.
    synced_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class GoogleWalletObject(Base):
    """The version of a pass Google holds: the update tag last inserted or patched."""

    __tablename__ = "google_wallet_objects"

    pass_id: Mapped[str] = mapped_column(String(36), ForeignKey("passes.id", ondelete="CASCADE"), primary_key=True)
    synced_tag: Mapped[int] = mapped_column(BigInteger)
    synced_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The push message (services.push_message) last sent as a Google message, as stored.
    message_value: Mapped[str | None] = mapped_column(Text)
    # Unix times of the messages sent with notification in the last 24 hours (Google allows 3).
    notified_at: Mapped[list[Any] | None] = mapped_column(JSONType)
    # Messages sent without notification because the 3 were used up.
    unnotified_messages: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The AddMessageRequest decided with the last PATCH and not yet sent (services.google_messages).
    pending_message: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # The job claim ("<job id>:<claims>") that decided the pending message and is to send it. Any
    # other claim (a retry, a takeover after a worker died mid-send, another job) checks Google first.
    message_claim: Mapped[str | None] = mapped_column(String(48))


class GoogleCallbackNonce(Base):
    """Nonces of the callbacks already taken, so a replayed callback records nothing."""

    __tablename__ = "google_callback_nonces"

    nonce: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The message's own expiry (expTimeMillis): after it the message is refused anyway, so
    # housekeeping may forget the nonce.
    expires_at: Mapped[dt.datetime]


class GoogleIssuerAccount(Base):
    """An organization's own Google Wallet issuer and service account key; without one the
    server's (WALLET_GOOGLE_ISSUER_ID) is used. The key file is encrypted like signing keys."""

    __tablename__ = "google_issuer_accounts"

    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(String(32))
    client_email: Mapped[str] = mapped_column(String(320))
    private_key_id: Mapped[str | None] = mapped_column(String(128))
    # The whole JSON key file, encrypted with services.key_encryption.
    service_account_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class GoogleWalletRetirement(Base):
    """Google objects to set INACTIVE (services.google_retirement): a pass or campaign was
    deleted, or the organization left this issuer. The issuer is pinned when the work is
    queued, since the organization may change issuer before it runs."""

    __tablename__ = "google_wallet_retirements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    # deleted (the pass or campaign is gone), disabled (the campaign turned gwallet_usage off)
    # or issuer_replaced (the organization left the issuer).
    reason: Mapped[str] = mapped_column(String(16))
    # The campaign that turned Google off (reason disabled); no foreign key, it may be deleted since.
    campaign_id: Mapped[str | None] = mapped_column(String(36))
    # Both null: the server's issuer. Otherwise a copy of the organization's own account as it
    # was, still encrypted (services.key_encryption), so the old key outlives its replacement.
    issuer_id: Mapped[str | None] = mapped_column(String(32))
    service_account_encrypted: Mapped[str | None] = mapped_column(Text)
    # Times housekeeping queued a job again after the last one ended with objects left
    # (services.google_retirement_sweep); bounded by WALLET_GOOGLE_RETIREMENT_MAX_REQUEUES.
    requeues: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class GoogleWalletRetiredObject(Base):
    """One object of a retirement, deleted once Google has it INACTIVE."""

    __tablename__ = "google_wallet_retired_objects"

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    retirement_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("google_wallet_retirements.id", ondelete="CASCADE"), index=True)
    google_type: Mapped[str] = mapped_column(String(32))  # e.g. "offer"
    pass_id: Mapped[str] = mapped_column(String(36))  # the pass is usually gone: no foreign key
    # Retryable failures (429, 5xx, no connection) of this object alone, and when it may be tried
    # again: one object Google keeps refusing must not hold up the others (services.google_retirer).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_try_at: Mapped[dt.datetime | None]
