"""What happened to passes (for reports and webhooks) and the webhook outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base, BigIntegerKey, utcnow


class PassEvent(Base):
    """One thing that happened: created, downloaded, viewed, installed, fetched,
    redeemed, uninstalled, pushed, updated, expired, removed.

    Reports count these rows, so they are written in the transaction of the change
    they describe. No foreign key to the pass: a deleted pass keeps its history.
    """

    __tablename__ = "pass_events"
    __table_args__ = (
        Index("ix_pass_events_campaign_occurred", "campaign_id", "occurred_at"),
        Index("ix_pass_events_pass_kind", "pass_id", "kind"),
    )

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = mapped_column(String(36), index=True)
    campaign_id: Mapped[str | None] = mapped_column(String(36))
    pass_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(24))
    # ios, android, wp or None when unknown (the reports' per-OS split).
    device_os: Mapped[str | None] = mapped_column(String(16))
    wallet: Mapped[str | None] = mapped_column(String(32))
    # How many things one row stands for, e.g. the passes of a campaign push.
    count: Mapped[int] = mapped_column(Integer, default=1)
    details: Mapped[dict[str, Any] | None]
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CampaignDayCounter(Base):
    """A report counter that is not a pass event (api_calls_count,
    distribution_updates_count): one row per campaign, UTC day and counter, raised by one
    `INSERT ... ON CONFLICT DO UPDATE SET n = n + 1` (services.campaign_counters), so
    concurrent requests never lose an increment and the table grows by days, not calls."""

    __tablename__ = "campaign_day_counters"

    campaign_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    counter: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class EventDayCount(Base):
    """pass_events summed per campaign, UTC day, kind and OS ('' when unknown): what the
    reports and the dashboard read, so no request scans events.

    Kept by database triggers on pass_events in the inserting transaction (migration
    d41c7e2a9b50 says why triggers); nothing in Python writes it. Deleting events does
    not lower it: the counts outlive the rows (docs/dashboard.md, "Speed").
    """

    __tablename__ = "event_day_counts"

    campaign_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    device_os: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class WebhookDelivery(Base):
    """One event POSTed to an organization's webhook URL, retried until it is
    answered 2xx or recorded as failed (leases as in the push outbox)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index(
            "ix_webhook_deliveries_pending", "next_attempt_at",
            postgresql_where=text("state = 'pending'"), sqlite_where=text("state = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(BigIntegerKey)
    url: Mapped[str] = mapped_column(String(2048))
    payload: Mapped[dict[str, Any]]
    # pending -> sent | failed
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[dt.datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]


class PublicEventWindow(Base):
    """A public page view or download of a pass recorded for one client address in one
    window (services.public_events): later ones in the window only count `repeats`.

    No foreign key to the pass: a row lives one window, housekeeping deletes it.
    The address is kept as a hash: the row only needs to tell clients apart.
    """

    __tablename__ = "public_event_windows"

    pass_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    client_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # Unix time // window length
    repeats: Mapped[int] = mapped_column(Integer)  # events not recorded in this window


class PublicEventRepeats(Base):
    """Repeats of windows deleted by housekeeping, per kind: with the live windows'
    repeats, the counter `walletservice_public_events_deduplicated_total`."""

    __tablename__ = "public_event_repeats"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    events: Mapped[int] = mapped_column(BigInteger)
