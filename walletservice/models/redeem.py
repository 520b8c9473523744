"""Redeems of passes (Passworks: redeem, redeems, reset_redeem)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base, new_uuid, utcnow


class Redeem(Base):
    __tablename__ = "redeems"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    organization_id: Mapped[str] = mapped_column(String(36), index=True)
    campaign_id: Mapped[str] = mapped_column(String(36), index=True)
    pass_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("passes.id", ondelete="CASCADE"), index=True
    )
    redeem_code: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Set by reset_redeem: the redeem no longer counts against allow_multiple_redeems.
    reset_at: Mapped[dt.datetime | None]
