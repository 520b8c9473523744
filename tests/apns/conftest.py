"""Fixtures for the APNs client and simulator: a throwaway CA, real TLS, real HTTP/2."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import AsyncIterator, Callable

import pytest
from cryptography.hazmat.primitives import serialization

from walletservice.apns import ApnsClient, CertificateCredential, ProviderTokenSigner
from walletservice.apns_sim import ApnsSimulator
from walletservice.passkit import devcerts

from .support import KEY_ID, PASS_TYPE_ID, TEAM_ID


@dataclass(frozen=True)
class Pki:
    ca: devcerts.KeyPair
    ca_file: str
    server: devcerts.KeyPair
    pass_type: devcerts.KeyPair
    auth_key_pem: bytes
    auth_public_pem: bytes


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    ca = devcerts.generate_ca("walletservice test CA")
    ca_file = tmp_path_factory.mktemp("pki") / "ca.pem"
    ca_file.write_bytes(ca.certificate_pem())
    key = devcerts.generate_apns_auth_key()
    return Pki(
        ca=ca,
        ca_file=str(ca_file),
        server=devcerts.issue_server_certificate(ca, ["127.0.0.1"]),
        pass_type=devcerts.issue_pass_type_certificate(ca, PASS_TYPE_ID, TEAM_ID),
        auth_key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption(),
        ),
        auth_public_pem=key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo,
        ),
    )


@pytest.fixture
def make_simulator(pki: Pki) -> Callable[..., ApnsSimulator]:
    """Start simulators that trust the test CA and the test APNs key; all stop after the test."""
    started: list[ApnsSimulator] = []

    def make(**options: object) -> ApnsSimulator:
        options.setdefault("client_ca_pem", pki.ca.certificate_pem())
        options.setdefault("jwt_keys", {KEY_ID: (TEAM_ID, pki.auth_public_pem)})
        simulator = ApnsSimulator(pki.server.certificate_pem(), pki.server.private_key_pem(), **options)
        started.append(simulator.start())
        return simulator

    yield make
    for simulator in started:
        simulator.stop()


@pytest.fixture
def simulator(make_simulator: Callable[..., ApnsSimulator]) -> ApnsSimulator:
    return make_simulator()


@pytest.fixture
def cert_credential(pki: Pki) -> CertificateCredential:
    return CertificateCredential(pki.pass_type.certificate_pem(), pki.pass_type.private_key_pem())


@pytest.fixture
def make_signer(pki: Pki) -> Callable[..., ProviderTokenSigner]:
    def make(clock: Callable[[], float] = time.time, key_id: str = KEY_ID) -> ProviderTokenSigner:
        return ProviderTokenSigner(pki.auth_key_pem, key_id, TEAM_ID, clock=clock)

    return make


@pytest.fixture
def open_client(pki: Pki, cert_credential: CertificateCredential):
    """`async with open_client(simulator, ...) as client:` — closed at the end of the block."""

    @contextlib.asynccontextmanager
    async def open_(simulator: ApnsSimulator, credential=None, **options) -> AsyncIterator[ApnsClient]:
        options.setdefault("ca_file", pki.ca_file)
        client = ApnsClient(simulator.url, credential or cert_credential, **options)
        try:
            yield client
        finally:
            await client.close()

    return open_
