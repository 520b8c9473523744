"""POST /v1/log: what devices report, kept within limits (docs/security.md, "Device logs and input limits").

Anyone can call the endpoint (Wallet sends no credentials), so three limits bound it:
calls per client address per minute, entries and characters per call, and the rows
kept in all. Every entry refused or deleted early is counted per reason, for the
counter `walletservice_device_logs_dropped_total`. All state is in the database, so
every web process enforces the same limits.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Insert, bindparam, case, delete, insert, select
from sqlalchemy.orm import Session

from walletservice.db import upsert_insert
from walletservice.errors import BadRequest
from walletservice.models import DeviceLogClientWindow, DeviceLogDrops, DeviceLogEntry

RATE_LIMITED = "rate_limited"
STORAGE_CAP = "storage_cap"
TOO_LARGE = "too_large"
DROP_REASONS = (RATE_LIMITED, STORAGE_CAP, TOO_LARGE)
WINDOW_SECONDS = 60
# The cap is enforced when the newest id crosses a multiple of this (at most every
# thousand entries), so a call rarely deletes anything; in between the table may
# hold up to this many rows above the cap.
MAX_TRIM_INTERVAL = 1000


@dataclass(frozen=True)
class DeviceLogLimits:
    calls_per_minute: int  # per client address; 0: no limit
    max_rows: int  # kept in all, oldest deleted first; 0: no cap
    max_entries: int  # per call; the rest are dropped
    max_chars: int  # per entry; longer ones are truncated

    @property
    def trim_interval(self) -> int:
        return max(1, min(MAX_TRIM_INTERVAL, self.max_rows // 10))


def log_messages(payload: object) -> list[str]:
    """The messages of a POST /v1/log body: {"logs": ["message", ...]}."""
    if not isinstance(payload, dict) or not isinstance(payload.get("logs"), list):
        raise BadRequest('body must be a JSON object {"logs": ["message", ...]}')
    messages = payload["logs"]
    if not all(isinstance(message, str) for message in messages):
        raise BadRequest("every log entry must be a string")
    return messages


def seconds_until_admitted(session: Session, client_address: str, calls_per_minute: int, now: dt.datetime) -> int:
    """Count this call against the client's minute: 0 when it is within the limit, else
    the seconds until the next minute (Retry-After). One upsert, which also holds the
    client's row until commit, so concurrent calls from any process are counted in turn."""
    if calls_per_minute <= 0:
        return 0
    minute = int(now.timestamp()) // WINDOW_SECONDS
    calls = session.execute(_call_counter(session), {"client": client_address, "minute": minute}).scalar_one()
    if calls <= calls_per_minute:
        return 0
    return max(1, math.ceil((minute + 1) * WINDOW_SECONDS - now.timestamp()))


_CALL_COUNTERS: dict[str, Insert] = {}  # per dialect: built once, as every call runs it


def _call_counter(session: Session) -> Insert:
    dialect = session.get_bind().dialect.name
    statement = _CALL_COUNTERS.get(dialect)
    if statement is None:
        table = DeviceLogClientWindow.__table__
        minute = bindparam("minute")
        statement = _CALL_COUNTERS[dialect] = (
            upsert_insert(session, table)
            .values(client_address=bindparam("client"), minute=minute, calls=1)
            .on_conflict_do_update(
                index_elements=[table.c.client_address],
                set_={"calls": case((table.c.minute == minute, table.c.calls + 1), else_=1), "minute": minute},
            )
            .returning(table.c.calls)
        )
    return statement


def record_device_logs(
    session: Session, messages: list[str], client_address: str | None, limits: DeviceLogLimits, now: dt.datetime
) -> int:
    """Store the messages (the first max_entries, each cut to max_chars), then keep the
    table within max_rows; returns how many were stored."""
    kept = messages[:limits.max_entries]
    count_dropped(session, TOO_LARGE, len(messages) - len(kept))
    if not kept:
        return 0
    table = DeviceLogEntry.__table__
    ids = session.execute(
        insert(table).returning(table.c.id),
        [{"message": message[:limits.max_chars], "remote_addr": client_address, "created_at": now}
         for message in kept],
    ).scalars().all()
    if limits.max_rows > 0 and max(ids) // limits.trim_interval > (min(ids) - 1) // limits.trim_interval:
        trimmed = session.execute(delete(DeviceLogEntry).where(DeviceLogEntry.id <= max(ids) - limits.max_rows))
        count_dropped(session, STORAGE_CAP, trimmed.rowcount or 0)
    return len(kept)


def count_dropped(session: Session, reason: str, entries: int) -> None:
    if entries <= 0:
        return
    table = DeviceLogDrops.__table__
    session.execute(
        upsert_insert(session, table)
        .values(reason=reason, entries=entries)
        .on_conflict_do_update(index_elements=[table.c.reason], set_={"entries": table.c.entries + entries})
    )


def dropped_entries(session: Session) -> dict[str, int]:
    """Entries dropped so far, for every reason (0 for those that never happened)."""
    counted = {reason: entries for reason, entries in session.execute(
        select(DeviceLogDrops.reason, DeviceLogDrops.entries))}
    return {reason: int(counted.get(reason, 0)) for reason in DROP_REASONS}


def prune_client_windows(session: Session, now: dt.datetime) -> int:
    """Forget the counts of minutes that have ended (housekeeping)."""
    minute = int(now.timestamp()) // WINDOW_SECONDS
    return session.execute(
        delete(DeviceLogClientWindow).where(DeviceLogClientWindow.minute < minute)).rowcount or 0
