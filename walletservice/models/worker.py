"""Liveness of the background loops: one row per loop per process."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base, utcnow


class WorkerHeartbeat(Base):
    """Written by a supervised loop every few seconds while it makes progress.

    A process that stops cleanly deletes its rows; a crashed one leaves them to
    go stale (walletservice/workers/heartbeats.py says how readiness reads them).
    """

    __tablename__ = "worker_heartbeats"

    process: Mapped[str] = mapped_column(String(128), primary_key=True)  # hostname:pid
    loop: Mapped[str] = mapped_column(String(32), primary_key=True)  # push-sender, scheduler, ...
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_beat_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[dt.datetime | None]
