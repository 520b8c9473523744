"""The Google Wallet stand-in on 127.0.0.1 (TLS with a throwaway CA) and an app pointed at it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.api.conftest import Account, new_account
from tests.factories import png_bytes
from walletservice.apns_sim.local import SimulatorFiles, ensure_simulator_certificates
from walletservice.google_sim import GoogleWalletSimulator, write_service_account
from walletservice.google_sim.accounts import SIM_CLIENT_EMAIL

ISSUER_ID = "3388000000000000001"
# An organization's own issuer and service account (tests/google/test_own_issuer.py).
OWN_ISSUER_ID = "4455000000000000002"
OWN_EMAIL = "wallet@skyport-wallet.iam.gserviceaccount.com"


@pytest.fixture(scope="session")
def google_tls(tmp_path_factory: pytest.TempPathFactory) -> SimulatorFiles:
    return ensure_simulator_certificates(tmp_path_factory.mktemp("google-tls"))


@pytest.fixture
def service_account_file(tmp_path: Path) -> Path:
    return tmp_path / "service-account.json"


@pytest.fixture
def google_sim(google_tls: SimulatorFiles, service_account_file: Path) -> Iterator[GoogleWalletSimulator]:
    simulator = GoogleWalletSimulator(str(google_tls.cert_file), str(google_tls.key_file), accounts={},
                                      issuer_id=ISSUER_ID)
    simulator.accounts[SIM_CLIENT_EMAIL] = write_service_account(service_account_file, simulator.token_url)
    with simulator:
        yield simulator


@pytest.fixture
def google_app(app: Flask, google_sim: GoogleWalletSimulator, google_tls: SimulatorFiles,
               service_account_file: Path) -> Flask:
    app.config.update({
        "WALLET_GOOGLE_ISSUER_ID": ISSUER_ID,
        "WALLET_GOOGLE_SERVICE_ACCOUNT_FILE": str(service_account_file),
        "WALLET_GOOGLE_API_URL": google_sim.url,
        "WALLET_GOOGLE_CA_BUNDLE": str(google_tls.ca_file),
        "WALLET_GOOGLE_REQUESTS_PER_SECOND": 0,
        "WALLET_JOB_RETRY_BASE_SECONDS": 0.05,
    })
    return app


@pytest.fixture
def account(google_app: Flask) -> Account:
    return new_account("Toy Town")


@pytest.fixture
def icon(client, account) -> str:
    form = {"asset[asset_type]": "icon", "asset[file]": (io.BytesIO(png_bytes((300, 300))), "a.png")}
    response = client.post("/v2/assets", data=form, headers=account.basic, content_type="multipart/form-data")
    return response.get_json()["id"]


@pytest.fixture
def own_key_file(tmp_path: Path, google_sim: GoogleWalletSimulator) -> Path:
    path = tmp_path / "skyport-service-account.json"
    google_sim.accounts[OWN_EMAIL] = write_service_account(path, google_sim.token_url, key_id="skyport-1",
                                                           client_email=OWN_EMAIL)
    google_sim.issuers[OWN_EMAIL] = OWN_ISSUER_ID  # the stand-in refuses its writes under other issuers
    return path


@pytest.fixture
def skyport(google_app) -> Account:
    return new_account("Skyport Airways")
