"""Entry points APScheduler stores by name ("walletservice.scheduling.jobs:housekeeping").

A stored job names the scheduler process (holder) that added it; the process
registers itself here, and every run first checks that it still holds the lease
(a fence: a paused leader whose lease was taken over must not fire).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Protocol

from flask import Flask

from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.queue.pushes import finish_completed_requests
from walletservice.models.base import utcnow
from walletservice.runtime import runtime
from walletservice.scheduling import housekeeping as rules
from walletservice.scheduling.runs import RunSettings, fire_in_threads
from walletservice.services.device_logs import prune_client_windows
from walletservice.services.public_events import prune_event_windows
from walletservice.services.expiry import expire_batch
from walletservice.services.google_retirement_sweep import sweep_retirements

log = logging.getLogger(__name__)


class LeaderProcess(Protocol):
    app: Flask
    leading_since: dt.datetime | None

    def is_leader(self) -> bool: ...


_processes: dict[str, LeaderProcess] = {}


def register_process(holder: str, process: LeaderProcess) -> None:
    _processes[holder] = process


def unregister_process(holder: str) -> None:
    _processes.pop(holder, None)


def _leader(holder: str) -> LeaderProcess | None:
    process = _processes.get(holder)
    if process is None or not process.is_leader():
        log.warning("job skipped: %s does not hold the scheduler lease", holder)
        return None
    return process


def housekeeping(holder: str) -> None:
    process = _leader(holder)
    if process is None:
        return
    config = process.app.config
    with process.app.app_context(), transaction() as session:
        logs = rules.prune_device_logs(session, config["WALLET_DEVICE_LOG_RETENTION_DAYS"])
        prune_client_windows(session, utcnow())
        prune_event_windows(session, utcnow(), config["WALLET_PUBLIC_EVENT_WINDOW_SECONDS"])
        devices = rules.remove_devices_without_registrations(session)
        jobs = rules.prune_finished_jobs(session, config["WALLET_JOB_RETENTION_DAYS"])
        keys = rules.purge_expired_idempotency_keys(session)
        rules.prune_sign_in_attempts(session)
        nonces = rules.purge_expired_callback_nonces(session)
        abandoned = rules.fail_abandoned_deliveries(session, config["WALLET_PUSH_MAX_ATTEMPTS"])
        finished = finish_completed_requests(session)
        stalled = rules.expired_push_leases(session)
        expiring = rules.certificates_expiring_within(session, config["WALLET_CERTIFICATE_WARNING_DAYS"])
        retirements = sweep_retirements(session, utcnow(), max_requeues=config["WALLET_GOOGLE_RETIREMENT_MAX_REQUEUES"],
                                        max_age_days=config["WALLET_GOOGLE_RETIREMENT_MAX_DAYS"])
    log.info("housekeeping: %d device logs pruned, %d devices without registrations removed, "
             "%d finished jobs pruned, %d expired idempotency keys purged, %d abandoned deliveries failed, "
             "%d push requests finished, %d deliveries back from dead workers, %d expired Google callback nonces, "
             "%d organizations' Google retirements queued again, %d Google retirements given up",
             logs, devices, jobs, keys, abandoned, finished, stalled, nonces,
             retirements.requeued, retirements.given_up)
    for certificate in expiring:
        log.warning("signing certificate %s (%s) expires on %s: renew it",
                    certificate.id, certificate.pass_type_identifier, certificate.not_after.date())


def due_schedules(holder: str) -> None:
    """Fire the schedules that are due. Stops a fifth of the poll interval before the
    next poll starts, so polls do not overlap; the next one continues a backlog."""
    process = _leader(holder)
    if process is None:
        return
    config = process.app.config
    with process.app.app_context():
        settings = RunSettings.from_config(runtime().certificates, config, awake_since=process.leading_since)
        # SQLite has one writer at a time: more threads would only wait for its lock.
        threads = config["WALLET_SCHEDULE_FIRING_THREADS"] if db.engine.dialect.name == "postgresql" else 1
        results = fire_in_threads(process.app, settings, threads, 0.8 * config["WALLET_SCHEDULE_POLL_SECONDS"])
    if results:
        outcomes = [result.outcome for result in results]
        log.info("schedules: %d done, %d failed, %d missed",
                 outcomes.count("done"), outcomes.count("failed"), outcomes.count("missed"))


def expire_passes(holder: str) -> None:
    """Mark passes past their expiration date expired, in batches of one transaction each."""
    process = _leader(holder)
    if process is None:
        return
    expired, cursor = 0, ""
    with process.app.app_context():
        while cursor is not None and process.is_leader():
            with transaction() as session:
                batch = expire_batch(session, after_id=cursor)
            expired, cursor = expired + batch.expired, batch.next_cursor
    if expired:
        log.info("expiry: %d passes expired and pushed", expired)
