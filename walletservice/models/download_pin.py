"""Guesses at a pass's download PIN, counted so they can be limited (services.download_pins)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base


class DownloadPinAttempts(Base):
    """One row per pass that has been guessed at since its last correct PIN.

    A table of its own rather than columns of `passes`: a guesser's writes then never
    take the pass row's lock, which updates, merges and device fetches contend for.
    """

    __tablename__ = "download_pin_attempts"

    pass_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("passes.id", ondelete="CASCADE"), primary_key=True
    )
    # Attempts since the last correct PIN or the end of the last lock.
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None]
    # Locks since the last correct PIN: each lasts twice as long as the one before, so a
    # guesser gets fewer guesses a day the longer it keeps trying (services.download_pins).
    lockouts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
