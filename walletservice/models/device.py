"""Devices, their registrations for passes, logs and personalization data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base, BigIntegerKey, utcnow


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    device_library_identifier: Mapped[str] = mapped_column(unique=True)
    # Indexed: APNs answers name a token (410: drop its registrations), and the overview's
    # stale devices go from pushed tokens to devices.
    push_token: Mapped[str] = mapped_column(String(512), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("device_id", "pass_id"),
        # The list call filters by device and pass type: one index seek, no scan.
        Index("ix_registrations_device_pass_type", "device_id", "pass_type_identifier"),
    )

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    pass_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("passes.id", ondelete="CASCADE"), index=True
    )
    pass_type_identifier: Mapped[str]
    # Which wallet app and OS registered, from the User-Agent (Passworks registrations).
    wallet: Mapped[str | None] = mapped_column(String(32))
    device_os: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Refreshed when the device registers again; APNs 410 answers older than this
    # must not delete the registration.
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DeviceLogEntry(Base):
    __tablename__ = "device_log_entries"

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    message: Mapped[str] = mapped_column(Text)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class DeviceLogClientWindow(Base):
    """POST /v1/log calls of one client address in the current minute (services.device_logs).

    One row per address, rewritten by one upsert per call, so every web process
    counts against the same limit; housekeeping deletes rows of past minutes.
    """

    __tablename__ = "device_log_client_windows"

    client_address: Mapped[str] = mapped_column(String(64), primary_key=True)
    minute: Mapped[int] = mapped_column(BigInteger)  # Unix time // 60 of the window counted
    calls: Mapped[int] = mapped_column(Integer)


class DeviceLogDrops(Base):
    """Device log entries refused or deleted before their time, per reason, since the start:
    the counter `walletservice_device_logs_dropped_total` (operations/metrics.py)."""

    __tablename__ = "device_log_drops"

    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    entries: Mapped[int] = mapped_column(BigInteger)


class Personalization(Base):
    """What a customer entered when enrolling through a personalizable pass."""

    __tablename__ = "personalizations"

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    pass_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("passes.id", ondelete="CASCADE"), unique=True
    )
    personalization_token: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
