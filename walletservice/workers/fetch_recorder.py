"""Pass fetches recorded in batches, off the request path.

A 200 from "get the latest pass" is the web service's hot path (benchmarked in
docs/benchmarks.md). Writing its "fetched" event in the request added a write
transaction, with its commit's flush to disk, to every fetch and cut the rate to
a third. So the request only appends to this process's buffer, and a thread
writes the buffer in one transaction every WALLET_FETCH_EVENTS_FLUSH_SECONDS (and
at exit). The cost: a process killed with SIGKILL loses at most that much of
fetch statistics and "fetched" webhooks; a failed write is retried with the next
batch. Nothing an integrator sent is ever buffered here.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading

from flask import Flask

from walletservice.db import transaction
from walletservice.services.events import PassFetch, record_pass_fetches

log = logging.getLogger(__name__)

# Past this many waiting fetches (a database outage), the oldest are dropped.
MAX_BUFFERED = 100_000
# A batch this large is written at once instead of waiting for the timer.
FLUSH_AT = 1_000


class FetchRecorder:
    def __init__(self, app: Flask, flush_seconds: float) -> None:
        self._app = app
        self._flush_seconds = flush_seconds
        self._pending: list[PassFetch] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._owner_pid: int | None = None

    def record(self, fetch: PassFetch) -> None:
        with self._lock:
            self._pending.append(fetch)
            if self._owner_pid != os.getpid():
                self._start()  # first use in this process (threads do not survive a fork)
            if len(self._pending) >= FLUSH_AT:
                self._wake.set()

    def flush(self) -> int:
        """Write what is waiting; returns how many fetches were written."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        try:
            with self._app.app_context(), transaction() as session:
                record_pass_fetches(session, batch)
        except Exception:  # noqa: BLE001 - statistics must never take the server down
            log.exception("recording %d pass fetches failed; retrying with the next batch", len(batch))
            with self._lock:
                self._pending = [*batch, *self._pending][-MAX_BUFFERED:]
            return 0
        return len(batch)

    def _start(self) -> None:
        self._owner_pid = os.getpid()
        threading.Thread(target=self._run, name="fetch-recorder", daemon=True).start()
        atexit.register(self.flush)

    def _run(self) -> None:
        while True:
            self._wake.wait(self._flush_seconds)
            self._wake.clear()
            self.flush()
