"""`flask --app app wallet ...`: one module per command group."""

from flask.cli import AppGroup

from walletservice.cli import certs, demo, nfc_keys, orgs, pass_format, settings, status, users, worker

wallet_cli = AppGroup("wallet", help="walletservice administration.")
for module in (certs, demo, nfc_keys, orgs, pass_format, settings, status, users, worker):
    module.register(wallet_cli)
