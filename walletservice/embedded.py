"""The one-command embedded mode: migrate, make dev certificates, and run the web
server with the push worker, the scheduler (and, by default, a local APNs
simulator, and a Google Wallet stand-in unless a service account is configured) in one process."""

from __future__ import annotations

import logging
import threading
from contextlib import ExitStack
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from walletservice import create_app
from walletservice.config import configured_names, served_url
from walletservice.apns_sim import ApnsSimulator
from walletservice.apns_sim.local import ensure_simulator_certificates
from walletservice.google_sim import GoogleWalletSimulator
from walletservice.google_sim.local import local_stand_in
from walletservice.services.certificates import dev_certificate_paths, ensure_dev_certificates
from walletservice.workers.runner import ALL_LOOPS, start_loops

log = logging.getLogger(__name__)


def run_embedded(host: str, port: int) -> None:
    # Links (webServiceURL, download pages) name the address served unless one is configured:
    # `make run ARGS="--port 8080"` must not hand out links to port 5000.
    overrides = {} if "WALLET_PUBLIC_URL" in configured_names() else {"WALLET_PUBLIC_URL": served_url(host, port)}
    app = create_app(overrides)
    config = app.config
    # One command for a new user: the schema is brought up to date on every start.
    with app.app_context():
        upgrade()
    if ensure_dev_certificates(
        config["WALLET_CERTS_DIR"], config["WALLET_DEV_PASS_TYPE_IDENTIFIER"], config["WALLET_TEAM_IDENTIFIER"]
    ):
        log.info("created development certificates in %s/dev", config["WALLET_CERTS_DIR"])
    with ExitStack() as background:
        if config["WALLET_EMBEDDED_APNS_SIMULATOR"]:
            simulator = _local_apns(app)
            background.callback(simulator.stop)
        if not config["WALLET_GOOGLE_SERVICE_ACCOUNT_FILE"]:
            google = _local_google(app)
            background.callback(google.stop)
        stop = threading.Event()
        # The same supervised loops as `wallet worker` and `wallet scheduler`, as daemon threads.
        for supervisor in start_loops(app, ALL_LOOPS, stop, daemon=True):
            background.callback(supervisor.join, 30)
        background.callback(stop.set)
        log.info("walletservice on http://%s:%d (public URL %s)", host, port, config["WALLET_PUBLIC_URL"])
        app.run(host=host, port=port, threaded=True, use_reloader=False)


def _local_google(app: Flask) -> GoogleWalletSimulator:
    """No Google service account configured: Google Wallet passes go to a local stand-in."""
    stand_in = local_stand_in(Path(app.config["WALLET_CERTS_DIR"]) / "google-sim", keep_records=False)
    stand_in.simulator.start()
    app.config.update(stand_in.settings)
    log.info("Google Wallet passes go to the local stand-in at %s", stand_in.simulator.url)
    return stand_in.simulator


def _local_apns(app: Flask) -> ApnsSimulator:
    certs_dir = Path(app.config["WALLET_CERTS_DIR"])
    files = ensure_simulator_certificates(certs_dir / "apns-sim")
    simulator = ApnsSimulator(
        files.cert_file.read_bytes(), files.key_file.read_bytes(),
        client_ca_pem=dev_certificate_paths(certs_dir).ca_certificate.read_bytes(),
        log_pushes=True, keep_records=False,
    )
    simulator.start()
    app.config.update(WALLET_APNS_URL=simulator.url, WALLET_APNS_CA_BUNDLE=str(files.ca_file))
    log.info("pushes go to the local APNs simulator at %s", simulator.url)
    return simulator
