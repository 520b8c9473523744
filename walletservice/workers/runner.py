"""Which supervised loops a process runs: `wallet worker`, `wallet scheduler`, and the embedded mode."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from flask import Flask

from walletservice.workers.supervisor import (
    JOB_RUNNER,
    PUSH_SENDER,
    SCHEDULER,
    WEBHOOK_SENDER,
    Loop,
    Supervisor,
)

WORKER_LOOPS = (PUSH_SENDER, WEBHOOK_SENDER, JOB_RUNNER)
ALL_LOOPS = (*WORKER_LOOPS, SCHEDULER)


def loop_factory(app: Flask, name: str) -> Callable[[str], Loop]:
    """A fresh loop object per (re)start (a loop that failed has closed its clients),
    under its supervisor's worker id."""
    from walletservice.workers.job_runner import JobWorker
    from walletservice.workers.webhook_sender import WebhookSender
    from walletservice.workers.push_sender import PushWorker
    from walletservice.scheduling.process import SchedulerProcess

    factories: dict[str, Callable[[str], Loop]] = {
        PUSH_SENDER: lambda worker_id: PushWorker(app, worker_id),
        WEBHOOK_SENDER: lambda worker_id: WebhookSender(app, worker_id),
        JOB_RUNNER: lambda worker_id: JobWorker(app, worker_id),
        # The same holder across restarts: a restarted scheduler renews its own lease at
        # once instead of waiting for it to expire (the failed one stopped APScheduler).
        SCHEDULER: lambda worker_id: SchedulerProcess(app, holder=worker_id),
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
