"""Which credential a pass push uses (digest 3.4, mistakes 11 and 12), through a real APNs simulator.

Apple documents certificate auth with the Pass Type ID certificate that signed the
pass; a team's .p8 key also works, but only for its own team's pass types, so an
organization's own certificate is always pushed with that certificate.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask import Flask

from tests.conftest import TEST_TEAM
from tests.factories import BOARDING_DESIGN, make_organization, make_pass, png_bytes
from tests.delivery.conftest import drain, register, token_for
from walletservice.apns_sim import ApnsSimulator
from walletservice.db import transaction
from walletservice.models import Campaign
from walletservice.queue.pushes import enqueue_campaign_push
from walletservice.passkit import devcerts
from walletservice.runtime import runtime
from walletservice.services.assets import create_asset
from walletservice.services.campaigns import create_campaign
from walletservice.services.certificates import CertificateUpload, dev_certificate_paths, import_certificate

pytestmark = pytest.mark.timeout(60)

KEY_ID = "KEYID12345"
OWN_PASS_TYPE = "pass.com.example.organization.own"


@pytest.fixture
def key_simulator(push_app: Flask, simulator_files, dev_ca_pem: Path, tmp_path: Path) -> Iterator[ApnsSimulator]:  # type: ignore[no-untyped-def]
    """An APNs that knows the team's .p8 key, and the app configured to use it."""
    key = devcerts.generate_apns_auth_key()
    key_file = tmp_path / "AuthKey.p8"
    key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    sim = ApnsSimulator(
        simulator_files.cert_file.read_bytes(), simulator_files.key_file.read_bytes(),
        client_ca_pem=dev_ca_pem.read_bytes(), jwt_keys={KEY_ID: (TEST_TEAM, public_pem)},
    )
    sim.start()
    push_app.config.update(WALLET_APNS_URL=sim.url, WALLET_APNS_KEY_FILE=str(key_file),
                           WALLET_APNS_KEY_ID=KEY_ID, WALLET_APNS_TEAM_ID=TEST_TEAM)
    yield sim
    sim.stop()


def _dev_ca(app: Flask) -> devcerts.KeyPair:
    paths = dev_certificate_paths(app.config["WALLET_CERTS_DIR"])
    return devcerts.KeyPair(
        x509.load_pem_x509_certificate(paths.ca_certificate.read_bytes()),
        serialization.load_pem_private_key(paths.ca_private_key.read_bytes(), None),  # type: ignore[arg-type]
    )


def _campaign_with_own_certificate(app: Flask, own: devcerts.KeyPair | None = None) -> Campaign:
    """A campaign signed with the organization's own certificate (`own`, else a new one of the key's team)."""
    organization, _ = make_organization("Own Certificate Ltd")
    ca = _dev_ca(app)
    own = own or devcerts.issue_pass_type_certificate(ca, OWN_PASS_TYPE, TEST_TEAM)
    with transaction() as session:
        organization = session.merge(organization)
        certificate = import_certificate(
            session, CertificateUpload(own.certificate_pem(), own.private_key_pem(), ca.certificate_pem()),
            app.config["WALLET_SECRET_KEY"], organization_id=organization.id,
        )
        icon = create_asset(session, organization, "icon", png_bytes())
        return create_campaign(
            session, organization, name="Own", design={**BOARDING_DESIGN, "images": {"icon": icon.id}},
            signer=runtime().certificates.signer_for(certificate), certificate=certificate,
        )


def _push_one(campaign: Campaign, make_worker) -> None:  # type: ignore[no-untyped-def]
    register(make_pass(campaign, serial_number="CRED-1"), "device-1", token_for(1))
    with transaction() as session:
        enqueue_campaign_push(session, campaign.organization_id, campaign.id)
    drain(make_worker())


def test_without_a_key_the_pass_certificate_is_the_tls_client_certificate(campaign, make_worker, simulator):
    _push_one(campaign, make_worker)

    [record] = simulator.received
    assert (record.status, record.topic) == (200, campaign.pass_type_identifier)
    assert "authorization" not in record.headers


def test_with_a_key_the_platform_certificate_of_its_team_pushes_with_a_jwt(campaign, make_worker, key_simulator):
    _push_one(campaign, make_worker)

    [record] = key_simulator.received
    assert (record.status, record.topic) == (200, campaign.pass_type_identifier)
    assert record.headers["authorization"].startswith("bearer ")


def test_an_organizations_own_certificate_pushes_with_itself_even_when_a_key_is_configured(
    push_app, make_worker, key_simulator,
):
    campaign = _campaign_with_own_certificate(push_app)

    _push_one(campaign, make_worker)

    [record] = key_simulator.received
    assert (record.status, record.topic) == (200, OWN_PASS_TYPE)
    assert "authorization" not in record.headers


def test_once_the_pass_certificate_expired_its_renewal_pushes(push_app, make_worker, simulator):
    """APNs refuses an expired client certificate at the handshake; any valid certificate of
    the same pass type (the topic) works, so the organization's renewal is used."""
    ca = _dev_ca(push_app)
    expires = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(seconds=4)
    expiring = devcerts.issue_pass_type_certificate(ca, OWN_PASS_TYPE, TEST_TEAM, valid_days=1,
                                                    not_before=expires - dt.timedelta(days=1))
    campaign = _campaign_with_own_certificate(push_app, expiring)
    register(make_pass(campaign, serial_number="CRED-1"), "device-1", token_for(1))
    renewal = devcerts.issue_pass_type_certificate(ca, OWN_PASS_TYPE, TEST_TEAM)
    with transaction() as session:
        renewed = import_certificate(
            session, CertificateUpload(renewal.certificate_pem(), renewal.private_key_pem(), ca.certificate_pem()),
            push_app.config["WALLET_SECRET_KEY"], organization_id=campaign.organization_id)
        assert renewed.id != campaign.certificate_id
    time.sleep(max(0.0, (expires - dt.datetime.now(dt.timezone.utc)).total_seconds()) + 1.1)

    with transaction() as session:
        enqueue_campaign_push(session, campaign.organization_id, campaign.id)
    drain(make_worker())

    [record] = simulator.received
    assert (record.status, record.topic) == (200, OWN_PASS_TYPE)
