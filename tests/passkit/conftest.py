"""Fixtures for the pure passkit package: throwaway certificates, designs, images."""

from __future__ import annotations

import shutil

import pytest

from walletservice.passkit import PassIdentity, SigningIdentity, devcerts, render_image_set

from .factories import PASS_TYPE_ID, TEAM_ID, image_bytes


@pytest.fixture(scope="session")
def wwdr() -> devcerts.KeyPair:
    """A local CA standing in for Apple's WWDR intermediate (RSA keygen is slow: once per session)."""
    return devcerts.generate_ca("walletservice test WWDR")


@pytest.fixture(scope="session")
def pass_certificate(wwdr: devcerts.KeyPair) -> devcerts.KeyPair:
    return devcerts.issue_pass_type_certificate(wwdr, PASS_TYPE_ID, TEAM_ID)


@pytest.fixture(scope="session")
def signing_identity(pass_certificate: devcerts.KeyPair, wwdr: devcerts.KeyPair) -> SigningIdentity:
    return SigningIdentity.from_pem(
        pass_certificate.certificate_pem(), pass_certificate.private_key_pem(), wwdr.certificate_pem()
    )


@pytest.fixture
def identity() -> PassIdentity:
    return PassIdentity(
        pass_type_identifier=PASS_TYPE_ID,
        team_identifier=TEAM_ID,
        serial_number="SERIAL-0001",
        authentication_token="a-token-of-at-least-16-chars",
        web_service_url="https://wallet.example.com/passes",
    )


@pytest.fixture(scope="session")
def icon_files() -> dict[str, bytes]:
    return render_image_set(image_bytes((64, 64)), "icon")


@pytest.fixture
def openssl() -> str:
    path = shutil.which("openssl")
    if path is None:
        pytest.skip("the openssl binary is not installed")
    return path
