"""The durable push outbox: one request per push call, one delivery per device token.

A PushRequest is written in the same transaction as the change that needs it, and
is all the API writes. Workers expand it into PushDelivery rows (one per push
token and pass type: a device holding 50 passes of a campaign gets one push) and
send those. Leases on both make work held by a crashed worker claimable again.
"""

from __future__ import annotations

import datetime as dt
from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base, BigIntegerKey, JSONType, new_uuid, utcnow


class PushRequest(Base):
    __tablename__ = "push_requests"
    __table_args__ = (Index("ix_push_requests_state_lease", "state", "lease_expires_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    # What to push: every installed pass of a campaign, or the listed passes.
    campaign_id: Mapped[str | None] = mapped_column(String(36))
    pass_ids: Mapped[list[str] | None] = mapped_column(JSONType)
    # expanding -> sending -> done; "waiting" first when held until a merge job is done
    state: Mapped[str] = mapped_column(String(16), default="expanding")
    total: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]


class PushDelivery(Base):
    __tablename__ = "push_deliveries"
    __table_args__ = (
        UniqueConstraint("push_request_id", "push_token", "pass_type_identifier"),
        # Claiming reads pending rows in id order: a partial index holds exactly those,
        # so a claim never sorts the whole backlog (bench/push_outbox_sql.py).
        Index(
            "ix_push_deliveries_pending", "id",
            postgresql_where=text("state = 'pending'"), sqlite_where=text("state = 'pending'"),
        ),
        # The dashboard reads a pass's pushes through its devices' tokens (timeline, stale devices).
        Index("ix_push_deliveries_token_type", "push_token", "pass_type_identifier", "finished_at"),
    )

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    # Indexed by the unique constraint below, which leads with this column.
    push_request_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("push_requests.id", ondelete="CASCADE")
    )
    push_token: Mapped[str] = mapped_column(String(512))
    pass_type_identifier: Mapped[str]
    certificate_id: Mapped[str | None] = mapped_column(String(36))
    # pending -> sent | failed
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[dt.datetime | None]
    status: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(64))
    apns_id: Mapped[str | None] = mapped_column(String(64))
    finished_at: Mapped[dt.datetime | None]
