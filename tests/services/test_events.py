"""Pass events from the API, Wallet's web service and downloads (the push worker's: tests/delivery/test_push_events.py)."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import func, select

from tests.factories import make_campaign, make_organization, make_pass
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import Organization, Pass, PassEvent, Registration, WebhookDelivery
from walletservice.services.events import WalletClient, identify_wallet, record_event
from walletservice.services.distributions import distribution_id
from walletservice.services.webhooks import set_webhook_url

pytestmark = pytest.mark.timeout(60)

APPLE_WALLET = "PassKit/1.0 CFNetwork/1410.0.3 Darwin/22.6.0"
WALLET_PASSES = "WalletPasses/2.4.1 (Android 13; Pixel 7)"


def _events(kind: str | None = None) -> list[PassEvent]:
    db.session.rollback()
    statement = select(PassEvent).order_by(PassEvent.id)
    if kind is not None:
        statement = statement.where(PassEvent.kind == kind)
    return list(db.session.scalars(statement))


def _count(model) -> int:  # type: ignore[no-untyped-def]
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _pass(pass_id: str) -> Pass:
    db.session.rollback()
    return db.session.get(Pass, pass_id, populate_existing=True)


@pytest.fixture
def organization(app):  # type: ignore[no-untyped-def]
    organization, api_key = make_organization("Toy Town")
    organization.api_key = api_key  # type: ignore[attr-defined]
    return organization


@pytest.fixture
def campaign(organization):  # type: ignore[no-untyped-def]
    return make_campaign(organization)


@pytest.fixture
def pass_(campaign):  # type: ignore[no-untyped-def]
    return make_pass(campaign, serial_number="EV-0001")


def _with_webhook(organization) -> None:  # type: ignore[no-untyped-def]
    with transaction() as session:
        set_webhook_url(session, session.get(Organization, organization.id), "https://hooks.example.test/in",
                        "test-secret-key-not-for-production")


def _basic(organization) -> dict[str, str]:  # type: ignore[no-untyped-def]
    token = base64.b64encode(f"{organization.id}:{organization.api_key}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _registration_url(pass_, device: str = "device-1") -> str:  # type: ignore[no-untyped-def]
    return f"/wallet/v1/devices/{device}/registrations/{pass_.pass_type_identifier}/{pass_.serial_number}"


def _device_headers(pass_, user_agent: str = APPLE_WALLET) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"ApplePass {pass_.authentication_token}", "User-Agent": user_agent}


def _register(client, pass_, device: str = "device-1", user_agent: str = APPLE_WALLET):  # type: ignore[no-untyped-def]
    return client.post(_registration_url(pass_, device), json={"pushToken": "ab" * 32},
                       headers=_device_headers(pass_, user_agent))


@pytest.mark.parametrize(("user_agent", "device_os", "wallet"), [
    (APPLE_WALLET, "ios", "passbook"),
    ("Passbook/1.0 CFNetwork/672.0.2 Darwin/14.0.0", "ios", "passbook"),
    (WALLET_PASSES, "android", "wallet_passes"),
    ("PassWallet/3.2 (Linux; Android 11)", "android", "passwallet"),
    ("Pass2U Wallet/2.9 Android", "android", "pass2u"),
    ("Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1)", "wp", None),
    ("curl/8.0", None, None),
    (None, None, None),
])
def test_the_wallet_app_is_told_by_its_user_agent(user_agent, device_os, wallet):  # type: ignore[no-untyped-def]
    assert identify_wallet(user_agent) == WalletClient(device_os, wallet)


def test_an_unknown_kind_is_a_programming_error(app, campaign):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError), transaction() as session:
        record_event(session, "exploded", organization_id=campaign.organization_id, campaign_id=campaign.id,
                     pass_id=None)


def test_issuing_a_pass_records_created(pass_):  # type: ignore[no-untyped-def]
    [event] = _events()
    assert (event.kind, event.pass_id, event.campaign_id, event.count) == (
        "created", pass_.id, pass_.campaign_id, 1)
    assert _count(WebhookDelivery) == 0  # the organization has no webhook


def test_with_a_webhook_url_created_queues_the_documented_payload(organization, campaign):  # type: ignore[no-untyped-def]
    _with_webhook(organization)
    pass_ = make_pass(campaign, serial_number="EV-0002")
    db.session.rollback()
    [delivery] = db.session.scalars(select(WebhookDelivery)).all()
    [event] = _events("created")
    assert (delivery.url, delivery.state, delivery.event_id) == ("https://hooks.example.test/in", "pending", event.id)
    payload = delivery.payload
    assert set(payload) == {
        "event", "context", "campaign_id", "distribution_id", "pass_id", "voided", "serial_number",
        "redeemed_count", "redeemed_at", "created_at", "updated_at", "last_fetched_at", "event_at",
        "metadata", "event_extra",
    }
    assert payload["event"] == "created" and payload["context"] == "pass"
    assert payload["campaign_id"] == campaign.id
    assert payload["distribution_id"] == distribution_id(campaign.id)  # as campaign answers list it
    assert (payload["pass_id"], payload["serial_number"], payload["voided"]) == (pass_.id, "EV-0002", False)
    assert (payload["redeemed_count"], payload["redeemed_at"], payload["last_fetched_at"]) == (0, None, None)
    assert payload["created_at"].endswith("Z") and payload["event_at"].endswith("Z")
    assert payload["metadata"] == {} and payload["event_extra"] == {"pass_id": pass_.id}


def test_events_webhooks_md_does_not_list_queue_no_webhook(organization, pass_):  # type: ignore[no-untyped-def]
    _with_webhook(organization)
    with transaction() as session:
        record_event(session, "pushed", organization_id=pass_.organization_id, campaign_id=pass_.campaign_id,
                     pass_id=pass_.id, count=3)
    assert _count(WebhookDelivery) == 0


def test_registering_through_wallet_records_installed_with_wallet_and_os(organization, client, pass_):  # type: ignore[no-untyped-def]
    _with_webhook(organization)
    assert _register(client, pass_).status_code == 201
    assert _register(client, pass_).status_code == 200  # again: not a second install
    [event] = _events("installed")
    assert (event.device_os, event.wallet, event.pass_id) == ("ios", "passbook", pass_.id)
    [registration] = db.session.scalars(select(Registration)).all()
    assert (registration.device_os, registration.wallet) == ("ios", "passbook")
    assert event.details == {"registration_id": str(registration.id)}
    [delivery] = db.session.scalars(select(WebhookDelivery)).all()
    assert delivery.payload["event"] == "installed"
    assert delivery.payload["event_extra"] == {
        "pass_id": pass_.id, "registration_id": str(registration.id), "device_os": "ios",
        "device_app_vendor": "passbook", "wallet_type": "apple_wallet",
    }


def test_unregistering_records_uninstalled_once(client, pass_):  # type: ignore[no-untyped-def]
    _register(client, pass_, user_agent=WALLET_PASSES)
    for _ in range(2):  # idempotent delete: one event
        assert client.delete(_registration_url(pass_), headers=_device_headers(pass_, WALLET_PASSES)).status_code == 200
    [event] = _events("uninstalled")
    assert (event.device_os, event.wallet, event.pass_id) == ("android", "wallet_passes", pass_.id)


def test_a_200_fetch_records_fetched_and_last_fetched_at(client, pass_):  # type: ignore[no-untyped-def]
    url = f"/wallet/v1/passes/{pass_.pass_type_identifier}/{pass_.serial_number}"
    response = client.get(url, headers=_device_headers(pass_))
    assert response.status_code == 200
    [event] = _events("fetched")
    assert (event.pass_id, event.campaign_id, event.device_os) == (pass_.id, pass_.campaign_id, "ios")
    assert _pass(pass_.id).last_fetched_at is not None


def test_a_304_or_head_fetch_writes_nothing(client, pass_):  # type: ignore[no-untyped-def]
    url = f"/wallet/v1/passes/{pass_.pass_type_identifier}/{pass_.serial_number}"
    last_modified = client.get(url, headers=_device_headers(pass_)).headers["Last-Modified"]
    before = _count(PassEvent)
    response = client.get(url, headers={**_device_headers(pass_), "If-Modified-Since": last_modified})
    assert response.status_code == 304
    assert client.head(url, headers=_device_headers(pass_)).status_code == 200
    assert _count(PassEvent) == before


def test_a_wrong_token_fetch_records_nothing(client, pass_):  # type: ignore[no-untyped-def]
    url = f"/wallet/v1/passes/{pass_.pass_type_identifier}/{pass_.serial_number}"
    assert client.get(url, headers={"Authorization": "ApplePass wrong-token-0123456789"}).status_code == 401
    assert _events("fetched") == []


def test_downloading_the_pkpass_records_downloaded_and_the_first_time(client, pass_):  # type: ignore[no-untyped-def]
    # Two clients (a client's repeats within WALLET_PUBLIC_EVENT_WINDOW_SECONDS are not recorded).
    for address in ("198.51.100.7", "203.0.113.9"):
        answer = client.get(f"/download/{pass_.download_id}.pkpass", environ_base={"REMOTE_ADDR": address})
        assert answer.status_code == 200
    assert len(_events("downloaded")) == 2
    first = _pass(pass_.id).first_downloaded_at
    assert first is not None
    client.get(f"/download/{pass_.download_id}.pkpass")
    assert _pass(pass_.id).first_downloaded_at == first


def test_updating_through_the_api_records_updated(client, organization, campaign, pass_):  # type: ignore[no-untyped-def]
    response = client.patch(f"/v2/boarding_passes/{campaign.id}/passes/{pass_.id}", headers=_basic(organization),
                            json={"pass": {"push": False}})
    assert response.status_code == 200, response.get_json()
    [event] = _events("updated")
    assert event.pass_id == pass_.id


def test_deleting_a_pass_records_removed_and_its_registrations_uninstalled(client, organization, campaign, pass_):  # type: ignore[no-untyped-def]
    _register(client, pass_)
    response = client.delete(f"/v2/boarding_passes/{campaign.id}/passes/{pass_.id}", headers=_basic(organization))
    assert response.status_code == 200
    [removed] = _events("removed")
    [uninstalled] = _events("uninstalled")
    assert removed.pass_id == uninstalled.pass_id == pass_.id
    assert uninstalled.details["reason"] == "pass_removed"
