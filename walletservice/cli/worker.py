"""Background processes: `wallet worker`, `wallet scheduler`, and the local stand-ins `wallet apns-sim`
(APNs) and `wallet google-sim` (Google Wallet)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from walletservice.services.certificates import dev_certificate_paths
from walletservice.workers.runner import WORKER_LOOPS, run_until_stopped
from walletservice.workers.supervisor import SCHEDULER


def register(group: AppGroup) -> None:
    group.add_command(worker)
    group.add_command(scheduler)
    group.add_command(apns_sim)
    group.add_command(google_sim)


@click.command("worker", help="Send queued pushes and webhooks and run background jobs until SIGTERM or Ctrl-C "
                              "(then drain and stop).")
def worker() -> None:
    run_until_stopped(current_app._get_current_object(), WORKER_LOOPS, _stop_on_signal())  # type: ignore[attr-defined]


def _stop_on_signal() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


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
    run_until_stopped(current_app._get_current_object(), (SCHEDULER,), _stop_on_signal())  # type: ignore[attr-defined]


@click.command("google-sim", help="Run the Google Wallet stand-in (token endpoint + walletobjects REST) on "
                                  "loopback, with its own CA and service account, until SIGTERM or Ctrl-C.")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=2198, type=int)
@click.option("--issuer-id", default="3388000000000000000", show_default=True)
def google_sim(host: str, port: int, issuer_id: str) -> None:
    from walletservice.google_sim.local import local_stand_in

    directory = Path(current_app.config["WALLET_CERTS_DIR"]) / "google-sim"
    stand_in = local_stand_in(directory, host=host, port=port, issuer_id=issuer_id, keep_records=False)
    settings = " ".join(f"{name}={value}" for name, value in stand_in.settings.items())
    click.echo(f"Google Wallet stand-in on {stand_in.simulator.url}; use {settings}")
    stop = _stop_on_signal()
    with stand_in.simulator:
        stop.wait()
