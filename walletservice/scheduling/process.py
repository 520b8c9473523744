"""The scheduler process: compete for the lease; while leader, run APScheduler.

`flask --app app wallet scheduler` runs one; any number may run at once, and
only the lease holder fires jobs. Jobs live in the project database
(SQLAlchemy job store), so they survive restarts and leader changes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models.base import utcnow
from walletservice.models.scheduling import APSCHEDULER_JOBS_TABLE
from walletservice.scheduling import jobs
from walletservice.scheduling.leader import release_leadership, try_acquire_leadership
from walletservice.workers.supervisor import no_pulse

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
# APScheduler job (a function in walletservice.scheduling.jobs) -> its interval setting.
# Integrators' schedules are rows polled by due_schedules, not APScheduler jobs of
# their own (docs/schedules.md says why).
BUILT_IN_JOBS = {
    "due_schedules": "WALLET_SCHEDULE_POLL_SECONDS",
    "expire_passes": "WALLET_EXPIRY_INTERVAL_SECONDS",
    "housekeeping": "WALLET_HOUSEKEEPING_INTERVAL_SECONDS",
}


class SchedulerProcess:
    def __init__(self, app: Flask, holder: str | None = None) -> None:
        self.app = app
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease_seconds = float(app.config["WALLET_SCHEDULER_LEASE_SECONDS"])
        self._leader_until: dt.datetime | None = None
        # When this process last started firing: schedules due long before were missed.
        self.leading_since: dt.datetime | None = None
        self._scheduler: BackgroundScheduler | None = None
        jobs.register_process(self.holder, self)

    def is_leader(self) -> bool:
        """True while our lease is known to be valid (renewed at a third of its length)."""
        return self._leader_until is not None and utcnow() < self._leader_until

    def run(self, stop: threading.Event, pulse: Callable[[], None] = no_pulse) -> None:
        log.info("scheduler %s started", self.holder)
        try:
            while not stop.is_set():
                self.tick()
                pulse()
                stop.wait(self.lease_seconds / 3)
        finally:
            self.shutdown()

    def tick(self) -> bool:
        """Take or renew the lease; start or stop APScheduler to match. Returns leadership."""
        started_at = utcnow()
        with self.app.app_context(), transaction() as session:
            leader = try_acquire_leadership(session, LEASE_NAME, self.holder, self.lease_seconds, started_at)
        # Counted from before the attempt: the lease may have been written that early.
        self._leader_until = started_at + dt.timedelta(seconds=self.lease_seconds) if leader else None
        if leader and self._scheduler is None:
            self._start_scheduler()
        elif not leader and self._scheduler is not None:
            log.warning("scheduler %s lost the lease; stopping its jobs", self.holder)
            self._stop_scheduler()
        return leader

    def shutdown(self) -> None:
        self._stop_scheduler()
        try:
            if self._leader_until is not None:
                self._leader_until = None
                with self.app.app_context(), transaction() as session:
                    release_leadership(session, LEASE_NAME, self.holder)
        finally:
            # Also when the database is away (the lease then simply expires).
            jobs.unregister_process(self.holder)
            log.info("scheduler %s stopped", self.holder)

    def _start_scheduler(self) -> None:
        with self.app.app_context():
            engine = db.engine
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=APSCHEDULER_JOBS_TABLE)},
            timezone=dt.timezone.utc,
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": self.app.config["WALLET_SCHEDULER_MISFIRE_GRACE_SECONDS"]},
        )
        for name, interval in BUILT_IN_JOBS.items():
            scheduler.add_job(
                f"walletservice.scheduling.jobs:{name}", "interval", seconds=self.app.config[interval],
                id=name, kwargs={"holder": self.holder}, replace_existing=True, next_run_time=utcnow(),
            )
        self.leading_since = utcnow()
        scheduler.start()
        self._scheduler = scheduler
        log.info("scheduler %s is the leader", self.holder)

    def _stop_scheduler(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
