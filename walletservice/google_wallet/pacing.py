"""Keep one process under Google's requests-per-second quota: evenly spaced request slots."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol


# Requests are spaced a little wider than 1/rate so that no one-second window, as Google
# counts them on arrival, holds more than `rate`: a request may leave up to LATE_ALLOWANCE
# after its slot (a busy machine oversleeps) and arrive with network jitter, which can bring
# the rate+1st request of an evenly spaced train inside the window (the benchmark saw 21 at 20/s).
LATE_ALLOWANCE_SECONDS = 0.02
TIMING_MARGIN_SECONDS = 0.05  # the late allowance plus up to 30 ms of arrival jitter


def pacing_interval(per_second: float) -> float:
    """Seconds between request slots for at most `per_second` in any one-second window; 0: no limit."""
    return (1.0 + TIMING_MARGIN_SECONDS) / per_second if per_second > 0 else 0.0


class Pacer(Protocol):
    def wait(self) -> None:
        """Return when the next request may go."""


class RequestPacer:
    """`wait()` returns when the next request may go: at most `per_second` a second, spread
    evenly (no bursts at second boundaries). Thread-safe; 0 or less means no limit."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._interval = pacing_interval(per_second)
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
    """Woken too long after its slot (a busy machine oversleeps): sending now would crowd the
    next slot's request, so the caller takes a new slot instead. Late by more than half an
    interval, or than LATE_ALLOWANCE_SECONDS, which pacing_interval's margin covers."""
    return now - slot > min(interval / 2, LATE_ALLOWANCE_SECONDS)
