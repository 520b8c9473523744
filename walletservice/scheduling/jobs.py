"""Entry points APScheduler stores by name ("walletservice.scheduling.jobs:housekeeping").

A stored job names the scheduler process (holder) that added it; the process
registers itself here, and every run first checks that it still holds the lease
(a fence: a paused leader whose lease was taken over must not fire).
"""

from __future__ import annotations

import logging
from typing import Protocol

from flask import Flask

from walletservice.db import transaction
from walletservice.outbox.pushes import finish_completed_requests
from walletservice.scheduling import housekeeping as rules

log = logging.getLogger(__name__)


class LeaderProcess(Protocol):
    app: Flask

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
        devices = rules.remove_devices_without_registrations(session)
        finished = finish_completed_requests(session)
        stalled = rules.expired_push_leases(session)
        expiring = rules.certificates_expiring_within(session, config["WALLET_CERTIFICATE_WARNING_DAYS"])
    log.info("housekeeping: %d device logs pruned, %d devices without registrations removed, "
             "%d push requests finished, %d deliveries back from dead workers", logs, devices, finished, stalled)
    for certificate in expiring:
        log.warning("signing certificate %s (%s) expires on %s: renew it",
                    certificate.id, certificate.pass_type_identifier, certificate.not_after.date())
