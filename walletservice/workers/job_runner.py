"""The job worker: claim a job, run its chunks, record progress (no job rules here).

Handlers are the JobKinds listed in walletservice/workers/job_kinds.py; they get the
app's settings as an argument, and a kind's own hook (e.g. the campaign merge's
release of its held push) runs when its job fails for good.

Runs next to the push worker (`wallet worker`, and in-process in embedded mode).
Several may run on several machines: a job is leased, every chunk renews the
lease, and a worker that finds its lease taken over stops touching the job.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from flask import Flask

from walletservice.db import database_unreachable, transaction
from walletservice.plumbing.change_authors import acting_as, job_author
from walletservice.queue.jobs import JobKind, claim_job, lock_held_job, record_chunk, record_crash, release_job
from walletservice.queue.retry import RetryPolicy
from walletservice.workers.job_kinds import JOB_KINDS, kinds_by_name
from walletservice.workers.supervisor import new_worker_id, no_pulse

log = logging.getLogger(__name__)


class JobWorker:
    def __init__(self, app: Flask, worker_id: str | None = None, kinds: Iterable[JobKind] = JOB_KINDS) -> None:
        config = app.config
        self.app = app
        self.worker_id = worker_id or new_worker_id()
        self.lease_seconds = config["WALLET_JOB_LEASE_SECONDS"]
        self.policy = RetryPolicy(max_attempts=config["WALLET_JOB_MAX_ATTEMPTS"],
                                  base_delay_seconds=config["WALLET_JOB_RETRY_BASE_SECONDS"])
        self.poll_seconds = config["WALLET_WORKER_POLL_SECONDS"]
        self.kinds = kinds_by_name(kinds)

    def run(self, stop: threading.Event, pulse: Callable[[], None] = no_pulse) -> None:
        log.info("job worker %s started", self.worker_id)
        while not stop.is_set():
            pulse()
            if not self.run_once(stop, pulse):
                stop.wait(self.poll_seconds)
        log.info("job worker %s stopped", self.worker_id)

    def run_until_idle(self, max_jobs: int = 1000) -> int:
        """Run jobs until none is claimable (tests, CLI). Returns jobs worked on."""
        worked = 0
        while worked < max_jobs and self.run_once():
            worked += 1
        return worked

    def run_once(self, stop: threading.Event | None = None, pulse: Callable[[], None] = no_pulse) -> bool:
        """Claim one job and run it until it is done, fails, or we must stop."""
        with self.app.app_context():
            with transaction() as session:
                job = claim_job(session, self.worker_id, self.lease_seconds)
                if job is None:
                    return False
                job_id, kind = job.id, job.kind
            log.info("job %s (%s) claimed", job_id, kind)
            while self._run_chunk(job_id, kind):
                pulse()
                if stop is not None and stop.is_set():
                    with transaction() as session:
                        release_job(session, job_id, self.worker_id)
                    break
            return True

    def _run_chunk(self, job_id: str, kind: str) -> bool:
        """One chunk in one transaction with its progress. True: more to do."""
        job_kind = self.kinds.get(kind)
        try:
            with transaction() as session:
                job = lock_held_job(session, job_id, self.worker_id)
                if job is None:
                    return False
                if job_kind is None:
                    raise LookupError(f"no handler for job kind {kind!r}")
                with acting_as(job_author(kind, job.id, job.organization_id, job.payload)):
                    chunk = job_kind.run_chunk(session, job, self.app.config)
                record_chunk(job, chunk, self.lease_seconds)
                return not chunk.done and chunk.wait_until is None
        except Exception as exc:  # noqa: BLE001 - any handler failure is recorded, never fatal
            if database_unreachable(exc):
                # Not the job's fault and the chunk rolled back: the supervisor reconnects, and
                # the job is re-claimed after its lease without spending one of its attempts.
                raise
            log.exception("job %s (%s) chunk failed", job_id, kind)
            with transaction() as session:
                job = lock_held_job(session, job_id, self.worker_id)
                if job is not None:
                    record_crash(job, f"{type(exc).__name__}: {exc}", self.policy)
                    if job.state == "failed" and job_kind is not None and job_kind.on_failure is not None:
                        job_kind.on_failure(session, job)
            return False
