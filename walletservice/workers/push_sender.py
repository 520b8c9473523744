"""The push worker: claim, send, record, repeat (no business rules here).

Several workers on several machines may run at once: claims are leased rows
(SKIP LOCKED on PostgreSQL), so two live workers never hold the same delivery,
and a crashed worker's claims come back when their lease ends. On SIGTERM the
worker finishes the batch in flight, records it, gives back the batch it had
claimed but not sent, and stops.

`run` pipelines: while one batch is on the wire (the APNs client's event-loop
thread), the main thread records the previous batch and claims the next, so
the database and the network are busy at the same time. At most two batches
are held at once. `run_once` is the same work without the overlap (tests).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import groupby

from flask import Flask

from walletservice.apns import Outcome, PushResult
from walletservice.db import transaction
from walletservice.queue.pushes import (
    ClaimedDelivery,
    claim_deliveries,
    claim_request_to_expand,
    expand_request,
    finish_completed_requests,
    release_deliveries,
)
from walletservice.queue.retry import RetryPolicy
from walletservice.runtime import runtime
from walletservice.workers.apns_clients import ApnsClients, ApnsSettings
from walletservice.workers.push_results import RecordedBatch, record_results
from walletservice.workers.supervisor import new_worker_id, no_pulse

log = logging.getLogger(__name__)

EXPANSIONS_PER_ROUND = 10
SWEEP_INTERVAL_SECONDS = 30.0


class PushWorker:
    def __init__(self, app: Flask, worker_id: str | None = None) -> None:
        config = app.config
        self.app = app
        self.worker_id = worker_id or new_worker_id()
        self.batch_size = config["WALLET_PUSH_BATCH_SIZE"]
        self.lease_seconds = config["WALLET_PUSH_LEASE_SECONDS"]
        self.poll_seconds = config["WALLET_WORKER_POLL_SECONDS"]
        self.policy = RetryPolicy(
            max_attempts=config["WALLET_PUSH_MAX_ATTEMPTS"],
            base_delay_seconds=config["WALLET_PUSH_RETRY_BASE_SECONDS"],
        )
        self._last_sweep = float("-inf")
        with app.app_context():
            self.clients = ApnsClients(ApnsSettings.from_config(config), runtime().certificates)

    def run(self, stop: threading.Event, pulse: Callable[[], None] = no_pulse) -> None:
        """Work until `stop` is set; the batch in flight is always finished and recorded
        (unless the database fails: then the supervisor restarts a fresh worker and the
        batches this one held are sent again after their lease, docs/operations.md)."""
        log.info("push worker %s started", self.worker_id)
        sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="push-send")
        in_flight: tuple[list[ClaimedDelivery], Future[list[PushResult]]] | None = None
        try:
            with self.app.app_context():
                while not stop.is_set() or in_flight is not None:
                    pulse()
                    claimed = [] if stop.is_set() else self._claim_next()
                    finished = None
                    if in_flight is not None:
                        batch, sending = in_flight
                        finished, in_flight = (batch, sending.result()), None
                    if claimed and not stop.is_set():
                        in_flight = (claimed, sender.submit(self._send_in_context, claimed))
                    elif claimed:
                        self._release(claimed)  # asked to stop while it waited: give it back unsent
                    if finished is not None:
                        self._record(*finished)  # while the next batch is on the wire
                    elif not claimed and not stop.is_set():
                        self._sweep_finished_requests()
                        stop.wait(self.poll_seconds)
        finally:
            sender.shutdown(wait=True)
            self.clients.close()
            log.info("push worker %s stopped", self.worker_id)

    def run_once(self) -> int:
        """Expand waiting requests, then send one claimed batch. Returns deliveries handled."""
        with self.app.app_context():
            claimed = self._claim_next()
            if not claimed:
                self._sweep_finished_requests()
                return 0
            self._record(claimed, self._send(claimed))
            return len(claimed)

    def _claim_next(self) -> list[ClaimedDelivery]:
        self._expand_requests()
        with transaction() as session:
            return claim_deliveries(session, self.worker_id, self.batch_size, self.lease_seconds)

    def _record(self, claimed: list[ClaimedDelivery], results: list[PushResult]) -> None:
        with transaction() as session:
            summary = record_results(session, claimed, results, self.policy)
        # Its own transaction, after the record commits: two workers recording the
        # last two batches at once would each see the other's batch as pending.
        with transaction() as session:
            finish_completed_requests(session, [delivery.push_request_id for delivery in claimed])
        self._log(summary)

    def _send_in_context(self, claimed: list[ClaimedDelivery]) -> list[PushResult]:
        with self.app.app_context():
            return self._send(claimed)

    def _release(self, claimed: list[ClaimedDelivery]) -> None:
        with transaction() as session:
            release_deliveries(session, self.worker_id, [delivery.id for delivery in claimed])

    def _sweep_finished_requests(self) -> None:
        """When idle, close requests a crashed worker left 'sending' (at most every 30 s)."""
        now = time.monotonic()
        if now - self._last_sweep < SWEEP_INTERVAL_SECONDS:
            return
        self._last_sweep = now
        with transaction() as session:
            finish_completed_requests(session)

    def _expand_requests(self) -> None:
        for _ in range(EXPANSIONS_PER_ROUND):
            with transaction() as session:
                request = claim_request_to_expand(session, self.worker_id, self.lease_seconds)
                if request is None:
                    return
                expand_request(session, request)

    def _send(self, claimed: Sequence[ClaimedDelivery]) -> list[PushResult]:
        results: dict[int, PushResult] = {}
        by_credential = groupby(sorted(claimed, key=_credential_key), key=_credential_key)
        for certificate_id, group in by_credential:
            deliveries = list(group)
            with transaction(write=False) as session:
                client = self.clients.client_for(session, certificate_id)
            for delivery, result in zip(deliveries, self._send_group(client, deliveries)):
                results[delivery.id] = result
        return [results[delivery.id] for delivery in claimed]

    def _send_group(self, client, deliveries: list[ClaimedDelivery]) -> list[PushResult]:  # type: ignore[no-untyped-def]
        """Send in chunks; after a configuration error the rest of this credential's
        batch is not sent (it would fail the same way) and is recorded as failed."""
        chunk_size = max(self.clients.settings.concurrency, 1)
        results: list[PushResult] = []
        for start in range(0, len(deliveries), chunk_size):
            chunk = deliveries[start:start + chunk_size]
            sent = client.send_batch([(d.push_token, d.pass_type_identifier) for d in chunk])
            results.extend(sent)
            config_errors = [r for r in sent if r.outcome is Outcome.CONFIG_ERROR]
            if config_errors:
                reason = config_errors[0].reason or "ConfigurationError"
                log.error("APNs configuration error %s for %s: stopping this batch", reason,
                          chunk[0].pass_type_identifier)
                results.extend(_not_sent(d, reason) for d in deliveries[start + chunk_size:])
                break
        return results

    def _log(self, summary: RecordedBatch) -> None:
        log.info("pushes: %d sent, %d retried, %d failed, %d registrations dropped",
                 summary.sent, summary.retried, summary.failed, summary.tokens_dropped)
        for reason in summary.configuration_errors:
            log.error("APNs configuration error: %s (check the pass type's certificate or key)", reason)


def _credential_key(delivery: ClaimedDelivery) -> str:
    return delivery.certificate_id or ""


def _not_sent(delivery: ClaimedDelivery, reason: str) -> PushResult:
    return PushResult(
        token=delivery.push_token, topic=delivery.pass_type_identifier, status=None,
        reason=reason, apns_id=None, timestamp=None, outcome=Outcome.CONFIG_ERROR,
    )
