"""The Prometheus view of operations.status, read from the database at scrape time.

Each app has its own CollectorRegistry (not prometheus_client's global one), so
several apps in one process (tests) never clash. Nearly every value is a gauge: counts
of open work and ages, read fresh on each scrape, not counters kept in memory. The one
counter, device log entries dropped, is kept in the database too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from walletservice.operations.status import OperationalStatus
from walletservice.workers.heartbeats import LoopHealth

PREFIX = "walletservice_"


class OperationalStatusCollector:
    """Turns one OperationalStatus into metric families; `read_status` opens the transaction."""

    def __init__(self, read_status: Callable[[], OperationalStatus]) -> None:
        self.read_status = read_status

    def collect(self) -> Iterator[Metric]:
        status = self.read_status()
        pushes, jobs, webhooks, scheduler = status.pushes, status.jobs, status.webhooks, status.scheduler
        yield _gauge("push_deliveries_pending", "Push deliveries not yet sent or failed.", pushes.pending)
        yield _gauge("push_deliveries_due", "Pending push deliveries due now that no worker holds.", pushes.due)
        yield _gauge("push_deliveries_leased", "Pending push deliveries a worker holds (in flight).", pushes.leased)
        yield _gauge("push_deliveries_oldest_due_age_seconds",
                     "How long the oldest due push delivery has waited for a worker; 0 if none.",
                     pushes.oldest_due_age_seconds)
        yield _by_state("push_requests_open", "Push requests not done yet, per state.", pushes.open_requests)
        yield _by_state("background_jobs_open", "Background jobs queued or running, per state.", jobs.open)
        yield _gauge("background_jobs_oldest_queued_age_seconds",
                     "Age of the oldest queued background job; 0 if none.", jobs.oldest_queued_age_seconds)
        yield _gauge("background_jobs_failed_last_hour", "Background jobs recorded as failed in the last hour.",
                     jobs.failed_last_hour)
        yield _gauge("webhook_deliveries_pending", "Webhook deliveries not yet sent or failed.", webhooks.pending)
        yield _gauge("webhook_deliveries_oldest_due_age_seconds",
                     "How long the oldest due webhook delivery has waited for a worker; 0 if none.",
                     webhooks.oldest_due_age_seconds)
        yield _gauge("scheduler_leader_present", "1 while a scheduler holds a live leader lease, else 0.",
                     1 if scheduler.leader else 0)
        if scheduler.lease_remaining_seconds is not None:
            yield _gauge("scheduler_lease_remaining_seconds",
                         "Seconds until the scheduler leader lease expires; negative once it has.",
                         scheduler.lease_remaining_seconds)
        if scheduler.leader:
            info = GaugeMetricFamily(PREFIX + "scheduler_leader_info", "The scheduler holding the leader lease.",
                                     labels=["holder"])
            info.add_metric([scheduler.leader], 1)
            yield info
        yield _device_logs_dropped(status.device_logs_dropped)
        yield _public_events_deduplicated(status.public_events_deduplicated)
        yield _gauge("schedules_due", "Schedules due that have not fired yet.", scheduler.due_schedules)
        yield _gauge("schedules_oldest_due_age_seconds",
                     "How long the oldest unfired due schedule is late; 0 if none.",
                     scheduler.oldest_due_schedule_age_seconds)


class LoopHealthCollector:
    """The supervised loops' heartbeats, as /readyz judges them (docs/operations.md)."""

    def __init__(self, read_loops: Callable[[], LoopHealth]) -> None:
        self.read_loops = read_loops

    def collect(self) -> Iterator[Metric]:
        loops = self.read_loops()
        running = GaugeMetricFamily(PREFIX + "loop_processes",
                                    "Processes running a loop with a fresh heartbeat; 0 while it is down.",
                                    labels=["loop"])
        for loop, count in sorted(loops.running.items()):
            running.add_metric([loop], count)
        yield running
        yield _gauge("loops_down", "Loops some process ran that no process runs with a fresh heartbeat "
                                   "(/readyz answers 503).", len(loops.down))
        yield _gauge("loop_stale_heartbeats", "Heartbeat rows older than WALLET_LOOP_STALE_SECONDS "
                                              "(dead or stuck loops).", len(loops.stale))


def metrics_registry(read_status: Callable[[], OperationalStatus],
                     read_loops: Callable[[], LoopHealth]) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(OperationalStatusCollector(read_status))
    registry.register(LoopHealthCollector(read_loops))
    return registry


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(PREFIX + name, documentation, value=value)


def _device_logs_dropped(entries: dict[str, int]) -> CounterMetricFamily:
    # A counter kept in the database (services.device_logs): every process reports the same total.
    family = CounterMetricFamily(PREFIX + "device_logs_dropped", "Device log entries refused or deleted "
                                 "early, per reason: rate_limited, storage_cap, too_large.", labels=["reason"])
    for reason, count in entries.items():
        family.add_metric([reason], count)
    return family


def _public_events_deduplicated(events: dict[str, int]) -> CounterMetricFamily:
    # Kept in the database (services.public_events), like the device log drops.
    family = CounterMetricFamily(PREFIX + "public_events_deduplicated", "Public page views and downloads not "
                                 "recorded: the same client's again within WALLET_PUBLIC_EVENT_WINDOW_SECONDS, "
                                 "per kind: viewed, downloaded.", labels=["kind"])
    for kind, count in events.items():
        family.add_metric([kind], count)
    return family


def _by_state(name: str, documentation: str, counts: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(PREFIX + name, documentation, labels=["state"])
    for state, count in counts.items():
        family.add_metric([state], count)
    return family
