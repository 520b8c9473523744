"""Campaigns: the template every pass of one kind is issued from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text
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
    # The template the presentation came from (Passworks creates one per campaign).
    template_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("templates.id", ondelete="SET NULL")
    )
    # The last sequential redeem code handed out (code_type "sequential").
    last_redeem_code: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Template(Base):
    """A reusable presentation (Passworks v2 templates): colors, images, barcode."""

    __tablename__ = "templates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str]
    description: Mapped[str | None] = mapped_column(Text)
    # Apple's style key, as campaigns.style.
    style: Mapped[str] = mapped_column(String(16))
    # The Passworks presentation attributes (icon_id, colors, barcode, transit_type...).
    attributes: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
