"""Registrations of a campaign's passes and of one pass (v2/registrations.md)."""

from __future__ import annotations

import pytest

from tests.api.conftest import Account
from tests.factories import make_campaign, make_pass
from walletservice.db import transaction
from walletservice.models import Organization

APPLE_WALLET = "PassKit/1.0 CFNetwork/1410.0.3 Darwin/22.6.0"
WALLET_PASSES = "WalletPasses/2.4.1 (Android 13)"


@pytest.fixture
def campaign(account: Account):  # type: ignore[no-untyped-def]
    with transaction() as session:
        organization = session.get(Organization, account.id)
    return make_campaign(organization)


def _install(client, pass_, device: str, user_agent: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        f"/wallet/v1/devices/{device}/registrations/{pass_.pass_type_identifier}/{pass_.serial_number}",
        json={"pushToken": "cd" * 32},
        headers={"Authorization": f"ApplePass {pass_.authentication_token}", "User-Agent": user_agent})
    assert response.status_code == 201


@pytest.fixture
def installed(client, campaign):  # type: ignore[no-untyped-def]
    """Three registrations, as in the document: two Apple Wallet, one Wallet Passes."""
    first, second = make_pass(campaign, serial_number="R-1"), make_pass(campaign, serial_number="R-2")
    _install(client, first, "iphone-1", APPLE_WALLET)
    _install(client, second, "iphone-2", APPLE_WALLET)
    _install(client, second, "pixel-1", WALLET_PASSES)
    return first, second


def test_campaign_registrations_list_each_installed_pass(client, account, campaign, installed):  # type: ignore[no-untyped-def]
    first, second = installed
    response = client.get(f"/v2/boarding_passes/{campaign.id}/registrations", headers=account.basic)
    assert response.status_code == 200
    items = response.get_json()
    assert response.headers["X-Total"] == "3"
    assert [set(item) for item in items] == [{"id", "pass_id", "wallet", "device_os", "created_at"}] * 3
    assert [(item["pass_id"], item["wallet"], item["device_os"]) for item in items] == [
        (first.id, "passbook", "ios"), (second.id, "passbook", "ios"), (second.id, "wallet_passes", "android")]
    assert all(item["id"].isdigit() and item["created_at"].endswith("Z") for item in items)


def test_campaign_registrations_are_paginated(client, account, campaign, installed):  # type: ignore[no-untyped-def]
    response = client.get(f"/v2/boarding_passes/{campaign.id}/registrations?per_page=2&page=2",
                          headers=account.basic)
    assert len(response.get_json()) == 1
    assert (response.headers["X-Total-Pages"], response.headers["X-Prev-Page"]) == ("2", "1")


def test_registrations_filter_by_wallet(client, account, campaign, installed):  # type: ignore[no-untyped-def]
    response = client.get(f"/v2/boarding_passes/{campaign.id}/registrations?q[wallet_eq]=wallet_passes",
                          headers=account.basic)
    assert [item["device_os"] for item in response.get_json()] == ["android"]


def test_pass_registrations_list_only_that_pass(client, account, campaign, installed):  # type: ignore[no-untyped-def]
    _first, second = installed
    response = client.get(f"/v2/boarding_passes/{campaign.id}/passes/{second.id}/registrations",
                          headers=account.basic)
    assert response.status_code == 200
    assert sorted(item["wallet"] for item in response.get_json()) == ["passbook", "wallet_passes"]


def test_an_unregistered_device_leaves_the_list(client, account, campaign, installed):  # type: ignore[no-untyped-def]
    first, _second = installed
    client.delete(f"/wallet/v1/devices/iphone-1/registrations/{first.pass_type_identifier}/{first.serial_number}",
                  headers={"Authorization": f"ApplePass {first.authentication_token}"})
    response = client.get(f"/v2/boarding_passes/{campaign.id}/passes/{first.id}/registrations",
                          headers=account.basic)
    assert response.get_json() == []


def test_another_organization_gets_404(client, other_account, campaign, installed):  # type: ignore[no-untyped-def]
    first, _ = installed
    for path in (f"/v2/boarding_passes/{campaign.id}/registrations",
                 f"/v2/boarding_passes/{campaign.id}/passes/{first.id}/registrations"):
        assert client.get(path, headers=other_account.basic).status_code == 404


def test_a_pass_of_another_campaign_or_type_is_404(client, account, campaign, installed):  # type: ignore[no-untyped-def]
    first, _ = installed
    with transaction() as session:
        other = make_campaign(session.get(Organization, account.id))
    assert client.get(f"/v2/boarding_passes/{other.id}/passes/{first.id}/registrations",
                      headers=account.basic).status_code == 404
    assert client.get(f"/v2/coupons/{campaign.id}/registrations", headers=account.basic).status_code == 404


def test_a_bad_filter_is_422(client, account, campaign):  # type: ignore[no-untyped-def]
    response = client.get(f"/v2/boarding_passes/{campaign.id}/registrations?q[push_token_eq]=x",
                          headers=account.basic)
    assert response.status_code == 422


def test_registrations_md_spelling_event_tickers_reaches_event_tickets(client, account):  # type: ignore[no-untyped-def]
    # registrations.md lists the campaign types as `coupons`, `event_tickers`, `boarding_passes`...
    with transaction() as session:
        organization = session.get(Organization, account.id)
    concert = make_campaign(organization, {"style": "eventTicket", "organizationName": "Toy Town",
                                           "description": "Concert ticket"})
    ticket = make_pass(concert, serial_number="T-1")
    _install(client, ticket, "iphone-1", APPLE_WALLET)

    for path in (f"/v2/event_tickers/{concert.id}/registrations",
                 f"/v2/event_tickers/{concert.id}/passes/{ticket.id}/registrations"):
        response = client.get(path, headers=account.basic)
        assert response.status_code == 200, path
        assert [item["pass_id"] for item in response.get_json()] == [ticket.id]
