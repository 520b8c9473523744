"""Which supervised loops a process runs: `wallet worker`, `wallet scheduler`, and the embedded mode."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable

from flask import Flask

from walletservice.workers.supervisor import (
    JOB_RUNNER,
    PUSH_SENDER,
    SCHEDULER,
    WEBHOOK_SENDER,
    Loop,
    Supervisor,
    process_name,
)

WORKER_LOOPS = (PUSH_SENDER, WEBHOOK_SENDER, JOB_RUNNER)
ALL_LOOPS = (*WORKER_LOOPS, SCHEDULER)


def loop_factory(app: Flask, name: str) -> Callable[[], Loop]:
    """A fresh loop object per (re)start: a loop that failed has closed its clients."""
    from walletservice.jobs.worker import JobWorker
    from walletservice.outbox.webhooks import WebhookSender
    from walletservice.outbox.worker import PushWorker
    from walletservice.scheduling.process import SchedulerProcess

    if name == SCHEDULER:
        # One holder for the life of the process: a restarted scheduler renews its own
        # lease at once instead of waiting for it to expire.
        holder = f"{process_name()}:{uuid.uuid4().hex[:8]}"
        return lambda: SchedulerProcess(app, holder=holder)
    factories: dict[str, Callable[[], Loop]] = {
        PUSH_SENDER: lambda: PushWorker(app),
        WEBHOOK_SENDER: lambda: WebhookSender(app),
        JOB_RUNNER: lambda: JobWorker(app),
    }
    return factories[name]


def start_loops(app: Flask, names: Iterable[str], stop: threading.Event, *, daemon: bool = False) -> list[Supervisor]:
    supervisors = [Supervisor(app, name, loop_factory(app, name), stop) for name in names]
    for supervisor in supervisors:
        supervisor.start(daemon=daemon)
    return supervisors


def run_until_stopped(app: Flask, names: Iterable[str], stop: threading.Event) -> None:
    """Run the loops until `stop` is set (by a signal handler), then let each finish its round."""
    supervisors = start_loops(app, names, stop)
    try:
        while not stop.wait(1.0):  # a timed wait: the main thread must wake for signal handlers
            pass
    finally:
        stop.set()
        for supervisor in supervisors:
            supervisor.join()
