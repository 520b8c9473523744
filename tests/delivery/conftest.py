"""A real APNs simulator (HTTP/2 + TLS on loopback) trusting the dev CA's certificates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.factories import make_campaign, make_organization, make_pass
from walletservice.apns_sim import ApnsSimulator
from walletservice.apns_sim.local import ensure_simulator_certificates
from walletservice.db import transaction
from walletservice.models import Campaign, Pass
from walletservice.workers.push_sender import PushWorker
from walletservice.services.devices import register_device


@pytest.fixture(scope="session")
def simulator_files(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return ensure_simulator_certificates(tmp_path_factory.mktemp("apns-sim"))


@pytest.fixture
def simulator(simulator_files, dev_ca_pem: Path) -> Iterator[ApnsSimulator]:  # type: ignore[no-untyped-def]
    sim = ApnsSimulator(
        simulator_files.cert_file.read_bytes(), simulator_files.key_file.read_bytes(),
        client_ca_pem=dev_ca_pem.read_bytes(),
    )
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def push_app(app: Flask, simulator: ApnsSimulator, simulator_files) -> Flask:  # type: ignore[no-untyped-def]
    app.config.update(
        WALLET_APNS_URL=simulator.url,
        WALLET_APNS_CA_BUNDLE=str(simulator_files.ca_file),
        WALLET_PUSH_RETRY_BASE_SECONDS=0.0,
        WALLET_APNS_CONCURRENCY=50,
        WALLET_PUSH_BATCH_SIZE=100,
    )
    return app


@pytest.fixture
def make_worker(push_app: Flask) -> Iterator:  # type: ignore[type-arg]
    workers: list[PushWorker] = []

    def make(**config: object) -> PushWorker:
        push_app.config.update(config)
        worker = PushWorker(push_app)
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.clients.close()


def drain(worker: PushWorker, rounds: int = 50) -> None:
    """Run the worker until it finds nothing to do."""
    for _ in range(rounds):
        if worker.run_once() == 0:
            return
    raise AssertionError("worker still busy after %d rounds" % rounds)


def token_for(index: int) -> str:
    return f"{index:064x}"


def register(pass_: Pass, device: str, token: str) -> None:
    with transaction() as session:
        register_device(session, device, session.merge(pass_), token)


@pytest.fixture
def campaign(app: Flask) -> Campaign:
    organization, _ = make_organization()
    return make_campaign(organization)


@pytest.fixture
def campaign_passes(campaign: Campaign) -> list[Pass]:
    return [make_pass(campaign, serial_number=f"P{i:03d}") for i in range(3)]
