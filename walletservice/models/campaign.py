"""Campaigns: the template every pass of one kind is issued from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base, new_uuid, utcnow


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str]
    # Apple's style key: boardingPass, coupon, eventTicket, generic or storeCard.
    style: Mapped[str] = mapped_column(String(16))
    # Passworks' states: published, paused, archived (services.campaigns.STATE_MOVES).
    state: Mapped[str] = mapped_column(String(16), default="published")
    certificate_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("signing_certificates.id", ondelete="RESTRICT")
    )
    pass_type_identifier: Mapped[str]
    team_identifier: Mapped[str] = mapped_column(String(32))
    # The design in Apple's key names (see walletservice.passkit.design), with
    # images as {"icon": asset_id, ...}; per-pass values override field values.
    design: Mapped[dict[str, Any]]
    # What is not pass.json: per-field behaviour (fixed/dynamic) and the download
    # page's og, og_description, javascript and stylesheet. None reads as {}.
    settings: Mapped[dict[str, Any] | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
