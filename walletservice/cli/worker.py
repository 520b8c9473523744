"""Background processes: `wallet worker`, `wallet scheduler`, and `wallet apns-sim` (a local APNs)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from walletservice.jobs.worker import JobWorker
from walletservice.outbox.webhooks import WebhookSender
from walletservice.outbox.worker import PushWorker
from walletservice.services.certificates import dev_certificate_paths


def register(group: AppGroup) -> None:
    group.add_command(worker)
    group.add_command(scheduler)
    group.add_command(apns_sim)


@click.command("worker", help="Send queued pushes and webhooks and run background jobs until SIGTERM or Ctrl-C "
                              "(then drain and stop).")
def worker() -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    jobs = threading.Thread(target=JobWorker(app).run, args=(stop,), name="job-worker")
    webhooks = threading.Thread(target=WebhookSender(app).run, args=(stop,), name="webhook-sender")
    jobs.start()
    webhooks.start()
    try:
        PushWorker(app).run(stop)
    finally:
        stop.set()
        jobs.join()
        webhooks.join()


@click.command("apns-sim", help="Run the APNs simulator on loopback for local demos.")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=2197, type=int)
def apns_sim(host: str, port: int) -> None:
    from walletservice.apns_sim.local import ensure_simulator_certificates
    from walletservice.apns_sim.server import serve_forever

    certs_dir = Path(current_app.config["WALLET_CERTS_DIR"])
    files = ensure_simulator_certificates(certs_dir / "apns-sim", host)
    click.echo(f"APNs simulator on https://{host}:{port}; trust {files.ca_file} "
               f"(WALLET_APNS_URL=https://{host}:{port} WALLET_APNS_CA_BUNDLE={files.ca_file})")
    serve_forever(
        host, port, str(files.cert_file), str(files.key_file),
        client_ca_file=str(dev_certificate_paths(certs_dir).ca_certificate),
    )


@click.command("scheduler", help="Run a scheduler; several may run, only the lease holder fires jobs.")
def scheduler() -> None:
    from walletservice.scheduling.process import SchedulerProcess

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    SchedulerProcess(current_app._get_current_object()).run(stop)  # type: ignore[attr-defined]
