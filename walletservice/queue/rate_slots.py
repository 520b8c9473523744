"""A request rate shared by every worker process, through one row per destination.

Each request takes the next free slot in its own short transaction: one upsert moves
the row's `next_at` one interval on from max(next_at, now) and answers it, so slots
are handed out in order and evenly spaced across processes and machines, and a row
lock is held only for that statement (never across the HTTP request). The caller
sleeps until its slot, and takes another if it woke too late for it (google_wallet.pacing.missed_slot).
Clocks of the machines are assumed in step (NTP).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Engine, case, literal
from sqlalchemy.dialects import postgresql, sqlite

from walletservice.google_wallet.pacing import missed_slot, pacing_interval
from walletservice.models import RateSlot


class SharedRatePacer:
    """`wait()` returns when this process may send its next request to `name`; 0 or less: no limit."""

    def __init__(self, engine: Engine, name: str, per_second: float, *,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep) -> None:
        self._engine = engine
        self._name = name
        self._interval = pacing_interval(per_second)
        self._clock, self._sleep = clock, sleep

    def wait(self) -> float:
        """Sleep until this process's next slot; answers the slot (Unix time)."""
        now = self._clock()
        if not self._interval:
            return now
        while True:
            with self._engine.begin() as connection:
                next_at = connection.execute(self._take_slot(now)).scalar_one()
            slot = float(next_at) - self._interval
            if slot > now:
                self._sleep(slot - now)
            now = self._clock()
            if not missed_slot(slot, now, self._interval):
                return slot

    def _take_slot(self, now: float):  # type: ignore[no-untyped-def]
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        table = RateSlot.__table__
        later = case((table.c.next_at > literal(now), table.c.next_at), else_=literal(now)) + self._interval
        return (dialect.insert(table).values(name=self._name, next_at=now + self._interval)
                .on_conflict_do_update(index_elements=[table.c.name], set_={"next_at": later})
                .returning(table.c.next_at))
