"""Fixtures for the integrator API: accounts with keys, certificates, row counts."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from flask import Flask
from sqlalchemy import func, select

from tests.factories import make_organization
from walletservice.db import transaction
from walletservice.models import ApiKey, Asset, Organization, SigningCertificate
from walletservice.passkit import devcerts


@dataclass(frozen=True)
class Account:
    id: str
    api_key: str

    @property
    def basic(self) -> dict[str, str]:
        token = base64.b64encode(f"{self.id}:{self.api_key}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


def new_account(name: str) -> Account:
    organization, api_key = make_organization(name)
    return Account(organization.id, api_key)


@pytest.fixture
def account(app: Flask) -> Account:
    return new_account("Toy Town")


@pytest.fixture
def other_account(app: Flask) -> Account:
    return new_account("Skyport Airways")


def row_counts() -> dict[str, int]:
    """How many rows each table the API writes holds: "nothing changed" checks."""
    with transaction(write=False) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Organization, ApiKey, Asset, SigningCertificate)
        }


@pytest.fixture(scope="session")
def wwdr() -> devcerts.KeyPair:
    """A local CA standing in for Apple's WWDR intermediate (RSA keygen is slow: once)."""
    return devcerts.generate_ca("walletservice API test WWDR")


@pytest.fixture(scope="session")
def pass_certificate(wwdr: devcerts.KeyPair) -> devcerts.KeyPair:
    return devcerts.issue_pass_type_certificate(wwdr, "pass.com.example.toytown", "TOYTOWN123")


def p12_bytes(key_pair: devcerts.KeyPair, others=(), password: bytes | None = b"s3cret") -> bytes:
    encryption = (serialization.BestAvailableEncryption(password) if password
                  else serialization.NoEncryption())
    return pkcs12.serialize_key_and_certificates(
        b"pass", key_pair.private_key, key_pair.certificate, list(others) or None, encryption
    )


def error_text(response) -> str:  # type: ignore[no-untyped-def]
    """A Passworks error answer's messages, each after its field ("name: taken"),
    whichever of its two shapes it has (docs/passworks-errors.md)."""
    errors = response.get_json()["errors"]
    if isinstance(errors, dict):
        return " ".join(f"{field}: {message}" for field, message in errors.items())
    return " ".join(errors)
