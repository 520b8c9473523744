"""The one-command embedded mode: migrate, make dev certificates, serve."""

from __future__ import annotations

import logging

from flask_migrate import upgrade

from walletservice import create_app
from walletservice.services.certificates import ensure_dev_certificates

log = logging.getLogger(__name__)


def run_embedded(host: str, port: int) -> None:
    app = create_app()
    config = app.config
    # One command for a new user: the schema is brought up to date on every start.
    with app.app_context():
        upgrade()
    if ensure_dev_certificates(
        config["WALLET_CERTS_DIR"], config["WALLET_DEV_PASS_TYPE_IDENTIFIER"], config["WALLET_TEAM_IDENTIFIER"]
    ):
        log.info("created development certificates in %s/dev", config["WALLET_CERTS_DIR"])
    log.info("walletservice listening on http://%s:%d (public URL %s)", host, port, config["WALLET_PUBLIC_URL"])
    app.run(host=host, port=port, threaded=True, use_reloader=False)
