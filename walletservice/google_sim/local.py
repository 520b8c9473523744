"""The stand-in for local use (`wallet google-sim`, `python app.py`): its CA and TLS certificate,
a service account whose token_uri is the stand-in, and the settings that point at it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from walletservice.apns_sim.local import ensure_simulator_certificates

from .accounts import public_key_of, write_service_account
from .server import GoogleWalletSimulator

LOCAL_ISSUER_ID = "3388000000000000000"


@dataclass(frozen=True)
class LocalStandIn:
    simulator: GoogleWalletSimulator
    settings: dict[str, str]


def local_stand_in(directory: Path, *, host: str = "127.0.0.1", port: int = 0,
                   issuer_id: str = LOCAL_ISSUER_ID, keep_records: bool = True) -> LocalStandIn:
    """A stand-in bound (not yet started) and the WALLET_GOOGLE_* settings that use it."""
    files = ensure_simulator_certificates(directory, host)
    simulator = GoogleWalletSimulator(str(files.cert_file), str(files.key_file), host=host, port=port,
                                      accounts={}, issuer_id=issuer_id, keep_records=keep_records)
    account_file = directory / "service-account.json"
    if not account_file.exists():
        write_service_account(account_file, simulator.token_url)
    account = json.loads(account_file.read_text())
    if account.get("token_uri") != simulator.token_url:  # another port: same key, new token endpoint
        account_file.write_text(json.dumps({**account, "token_uri": simulator.token_url}, indent=2))
    simulator.accounts[json.loads(account_file.read_text())["client_email"]] = public_key_of(account_file)
    return LocalStandIn(simulator, {
        "WALLET_GOOGLE_API_URL": simulator.url, "WALLET_GOOGLE_CA_BUNDLE": str(files.ca_file),
        "WALLET_GOOGLE_SERVICE_ACCOUNT_FILE": str(account_file), "WALLET_GOOGLE_ISSUER_ID": issuer_id,
    })
