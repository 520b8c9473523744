"""Keep one process under Google's requests-per-second quota: evenly spaced request slots."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol


class Pacer(Protocol):
    def wait(self) -> None:
        """Return when the next request may go."""


class RequestPacer:
    """`wait()` returns when the next request may go: at most `per_second` a second, spread
    evenly (no bursts at second boundaries). Thread-safe; 0 or less means no limit."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._interval = 1.0 / per_second if per_second > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next_slot = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self._interval:
            return
        while True:
            with self._lock:
                now = self._clock()
                slot = max(now, self._next_slot)
                self._next_slot = slot + self._interval
            if slot > now:
                self._sleep(slot - now)
            if not missed_slot(slot, self._clock(), self._interval):
                return


def missed_slot(slot: float, now: float, interval: float) -> bool:
    """Woken more than half an interval after its slot (a busy machine oversleeps): sending now
    would crowd the next slot's request, so the caller takes a new slot instead."""
    return now - slot > interval / 2
