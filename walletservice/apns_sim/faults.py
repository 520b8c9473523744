"""Faults the simulator can inject, set from any thread while it runs."""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass

_DEFAULT_REASONS = {429: "TooManyRequests", 500: "InternalServerError", 503: "ServiceUnavailable"}


@dataclass(frozen=True)
class ConnectionFault:
    """What to do to the connection after the current request."""

    drop: bool = False
    goaway: bool = False
    goaway_reason: str | None = None


_NO_FAULT = ConnectionFault()


class Faults:
    """Thread-safe fault switches. Counters count requests across all connections.

    * `fail_next(n, status, reason)`: the next n requests get that error.
    * `delay`: seconds to hold every answer (answers are scheduled, the loop never sleeps).
    * `drop_connection_after(n)`: the n-th request from now is not answered; its
      connection is aborted (no GOAWAY, no TLS close_notify) right after it arrives.
    * `goaway_after(n, reason)`: the n-th request from now is answered, then GOAWAY
      with last_stream_id = that stream (JSON `{"reason": ...}` as debug data if
      given) and the connection is closed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: collections.deque[tuple[int, str]] = collections.deque()
        self._drop_countdown = 0
        self._goaway_countdown = 0
        self._goaway_reason: str | None = None
        self._armed = False  # fast path: read without the lock
        self.delay = 0.0

    def fail_next(self, n: int, status: int = 500, reason: str | None = None) -> None:
        with self._lock:
            answer = (status, reason or _DEFAULT_REASONS.get(status, "InternalServerError"))
            self._failures.extend([answer] * n)
            self._armed = True

    def drop_connection_after(self, n: int) -> None:
        if n < 1:
            raise ValueError("n must be at least 1")
        with self._lock:
            self._drop_countdown = n
            self._armed = True

    def goaway_after(self, n: int, reason: str | None = None) -> None:
        if n < 1:
            raise ValueError("n must be at least 1")
        with self._lock:
            self._goaway_countdown = n
            self._goaway_reason = reason
            self._armed = True

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()
            self._drop_countdown = self._goaway_countdown = 0
            self._armed = False
            self.delay = 0.0

    # -- used by the server, once per request ---------------------------------------

    def take(self) -> tuple[tuple[int, str] | None, ConnectionFault]:
        """Consume this request's share of the armed faults."""
        if not self._armed:
            return None, _NO_FAULT
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
            fault = _NO_FAULT
            if self._drop_countdown:
                self._drop_countdown -= 1
                if not self._drop_countdown:
                    fault = ConnectionFault(drop=True)
            if self._goaway_countdown and not fault.drop:
                self._goaway_countdown -= 1
                if not self._goaway_countdown:
                    fault = ConnectionFault(goaway=True, goaway_reason=self._goaway_reason)
            self._armed = bool(self._failures or self._drop_countdown or self._goaway_countdown)
            return failure, fault
