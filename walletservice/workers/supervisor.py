"""Run a background loop in a thread and keep it running through database and network faults.

A loop is an object with `run(stop, pulse)`: it works until `stop` is set and
calls `pulse()` once per round of progress. When `run` raises, the supervisor
logs the fault once (and once more when the loop is back), drops the thread's
session and the pooled connections so the next attempt reconnects, waits a
bounded, jittered, growing delay, and starts a fresh loop object under the same
worker id. The fresh loop first ends the leases the dead one held
(walletservice/queue/leases.py), so that work is claimed again at once.

`pulse()` writes the heartbeat row (walletservice/workers/heartbeats.py) at most
every few seconds, from the loop's own thread: a loop that hangs stops beating.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx
from flask import Flask
from sqlalchemy.exc import DBAPIError

from walletservice.db import database_unreachable, transaction
from walletservice.extensions import db
from walletservice.queue.leases import end_leases
from walletservice.workers.heartbeats import forget_loop, prune_dead_rows, record_beat, record_error

log = logging.getLogger(__name__)

# Loop names, as they appear in worker_heartbeats, /readyz and `wallet status`.
PUSH_SENDER = "push-sender"
WEBHOOK_SENDER = "webhook-sender"
JOB_RUNNER = "job-runner"
SCHEDULER = "scheduler"

# At most this often a loop writes its heartbeat (a quarter of the stale limit if that is shorter).
BEAT_INTERVAL_SECONDS = 5.0


class Loop(Protocol):
    def run(self, stop: threading.Event, pulse: Callable[[], None]) -> None: ...


def no_pulse() -> None:
    """The pulse of a loop run without a supervisor (tests, one-off runs)."""


def fault_kind(exc: BaseException) -> str | None:
    """'database' or 'network' for faults that pass by themselves; None for anything else (a bug)."""
    if database_unreachable(exc):
        return "database"
    if isinstance(exc, (httpx.TransportError, OSError)):
        return "network"
    return None


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def new_worker_id() -> str:
    """The claimer id of a loop run without a supervisor (tests, one-off runs)."""
    return f"{process_name()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Backoff:
    """Exponential, capped, with jitter so many loops do not reconnect in step."""

    base_seconds: float = 0.25
    max_seconds: float = 5.0

    def delay(self, failures: int) -> float:
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(failures - 1, 0))
        return random.uniform(ceiling / 2, ceiling)


@dataclass
class _Outage:
    started: float  # time.monotonic()
    error: str
    failures: int = 1


class Supervisor:
    def __init__(self, app: Flask, name: str, make_loop: Callable[[str], Loop], stop: threading.Event,
                 *, backoff: Backoff = Backoff(), process: str | None = None) -> None:
        self.app = app
        self.name = name
        self.make_loop = make_loop
        self.stop = stop
        self.backoff = backoff
        self.process = process or process_name()
        # The claimer id of every loop object this supervisor starts (lease_owner, scheduler holder).
        self.worker_id = f"{self.process}:{uuid.uuid4().hex[:8]}"
        self.stale_seconds = float(app.config["WALLET_LOOP_STALE_SECONDS"])
        self.beat_interval = min(BEAT_INTERVAL_SECONDS, self.stale_seconds / 4)
        self.restarts = 0
        self._outage: _Outage | None = None
        self._last_beat = float("-inf")
        self._thread: threading.Thread | None = None

    def start(self, *, daemon: bool = False) -> None:
        self._thread = threading.Thread(target=self.run, name=self.name, daemon=daemon)
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        """Until `stop`: run the loop; after a fault, back off and run a fresh one."""
        while not self.stop.is_set():
            try:
                if self.restarts:
                    self._end_predecessor_leases()
                self.make_loop(self.worker_id).run(self.stop, self.pulse)
                if not self.stop.is_set():
                    raise RuntimeError(f"{self.name} returned before it was asked to stop")
            except Exception as exc:  # noqa: BLE001 - logged with its traceback or kind, then retried
                self._failed(exc)
                self.stop.wait(self.backoff.delay(self._outage.failures if self._outage else 1))
        self._forget()

    def pulse(self) -> None:
        """The loop made progress: write the heartbeat when due, and end an outage."""
        now = time.monotonic()
        if self._outage is None and now - self._last_beat < self.beat_interval:
            return
        outage = self._outage
        with self.app.app_context(), transaction() as session:
            record_beat(session, self.process, self.name, error=outage.error if outage else None)
            prune_dead_rows(session, self.name, self.stale_seconds)
        self._last_beat = now
        if outage is not None:
            self._outage = None
            log.warning("%s is working again after %.1f s (%d failed attempts)",
                        self.name, now - outage.started, outage.failures)

    def _failed(self, exc: Exception) -> None:
        self.restarts += 1
        error = _describe(exc)
        kind = fault_kind(exc)
        if self._outage is None:
            self._outage = _Outage(time.monotonic(), error)
            if kind is None:
                log.exception("%s failed; restarting it with backoff", self.name)
            else:
                log.warning("%s stopped by a %s fault (%s); retrying with backoff until it passes",
                            self.name, kind, error)
        else:
            self._outage.failures += 1
            if kind is None and error != self._outage.error:
                log.exception("%s failed again, differently; restarting it with backoff", self.name)
            self._outage.error = error
        self._reset_connections()
        self._try(lambda session: record_error(session, self.process, self.name, error))

    def _end_predecessor_leases(self) -> None:
        with self.app.app_context(), transaction() as session:
            held = end_leases(session, self.worker_id)
        if held:
            log.info("%s: %d claimed rows of the failed loop are claimable again", self.name, held)

    def _reset_connections(self) -> None:
        # The pool may hold connections the server has already closed; start over.
        with self.app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()

    def _forget(self) -> None:
        self._try(lambda session: forget_loop(session, self.process, self.name))

    def _try(self, write: Callable[..., None]) -> None:
        """A best-effort heartbeat write: while the database is away it cannot succeed."""
        try:
            with self.app.app_context(), transaction() as session:
                write(session)
        except DBAPIError as exc:
            log.debug("%s: heartbeat not written: %s", self.name, _describe(exc))


def _describe(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    cause = type(getattr(exc, "orig", None) or exc).__name__
    return f"{cause}: {text[0] if text else ''}"[:300]
