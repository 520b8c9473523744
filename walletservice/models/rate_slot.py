"""Request rates shared by every process: the next free slot per limited destination."""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base


class RateSlot(Base):
    __tablename__ = "rate_slots"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Unix time (seconds) at which the next request may start.
    next_at: Mapped[float] = mapped_column(Float)
