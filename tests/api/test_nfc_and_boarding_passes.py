"""NFC and semantic boarding passes through v2 (issue 18): each built into a signed .pkpass
that openssl verifies, pass.json checked key by key; bad input is a 422 naming the key."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from tests.api.conftest import error_text
from tests.api.test_campaigns import create, upload
from tests.api.test_pass_features import assert_smime_verifies, new_campaign, new_pass, pass_json_of, pkpass_of
from tests.passkit.factories import NFC_PUBLIC_KEY, P384_PUBLIC_KEY
from tests.passkit.test_boarding_semantics import FLIGHT
from tests.web.test_bundles import assert_signed_pkpass
from walletservice.db import transaction
from walletservice.models import NfcKey
from walletservice.services.key_encryption import decrypt_private_key

MEMBERSHIP = {"name": "Members", "primary_fields": [{"key": "member", "label": "MEMBER", "value": "Gold"}],
              "nfc": {"message": "member-42", "requires_authentication": True}}
FLIGHT_CAMPAIGN = {
    "name": "EX123 Vienna-London", "transit_type": "air",
    "primary_fields": [{"key": "from", "label": "Vienna", "value": "VIE"},
                       {"key": "to", "label": "London", "value": "LHR"}],
    "auxiliary_fields": [{"key": "seat", "label": "SEAT"}],
    "semantics": FLIGHT, "preferred_style_schemes": ["semanticBoardingPass"],
}


def create_nfc_key(app, organization_id: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(
        args=["wallet", "nfc-key", "create", "--organization", organization_id, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# -- NFC -----------------------------------------------------------------------------------

def test_nfc_key_create_prints_a_p256_subject_public_key_info_and_stores_the_private_key_encrypted(app, account):
    created = create_nfc_key(app, account.id)

    public_key = serialization.load_der_public_key(base64.b64decode(created["encryption_public_key"]))
    assert isinstance(public_key, ec.EllipticCurvePublicKey) and public_key.curve.name == "secp256r1"
    with transaction() as session:
        row = session.scalars(select(NfcKey).where(NfcKey.organization_id == account.id)).one()
        stored = row.private_key_encrypted
    assert b"PRIVATE KEY" not in stored.encode()  # encrypted at rest
    private_key = serialization.load_pem_private_key(
        decrypt_private_key(app.config["WALLET_SECRET_KEY"], stored), password=None)
    assert private_key.public_key().public_numbers() == public_key.public_numbers()


def test_nfc_key_create_for_an_unknown_organization_fails_and_the_text_form_prints_the_key(app, account):
    missing = app.test_cli_runner().invoke(args=["wallet", "nfc-key", "create", "--organization", "nope"])
    assert missing.exit_code != 0 and "organization nope not found" in missing.output

    shown = app.test_cli_runner().invoke(args=["wallet", "nfc-key", "create", "--organization", account.id])
    assert shown.exit_code == 0 and shown.output.strip().splitlines()[-1].startswith("MFkwEwYHKoZIzj0CAQYI")


def test_a_pass_with_nfc_gets_the_organizations_key_and_is_signed(app, client, account, dev_ca_pem, tmp_path):
    key = create_nfc_key(app, account.id)["encryption_public_key"]
    campaign = new_campaign(client, account, "store_cards", MEMBERSHIP)
    created = new_pass(client, account, "store_cards", campaign, {})
    assert created.status_code == 201, created.get_json()
    pkpass = pkpass_of(client, created.get_json())

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "nfc")
    assert_smime_verifies(pkpass, dev_ca_pem, tmp_path / "nfc-smime")
    pass_json = pass_json_of(pkpass)
    assert pass_json["nfc"] == {"message": "member-42", "encryptionPublicKey": key, "requiresAuthentication": True}
    assert pass_json["sharingProhibited"] is True  # Apple: so a shared copy cannot skip the authentication
    assert created.get_json()["nfc"] == {"message": "member-42", "encryption_public_key": key,
                                         "requires_authentication": True}


def test_a_campaign_keeps_its_key_when_a_new_one_is_created_until_it_is_saved_again(app, client, account):
    first = create_nfc_key(app, account.id)["encryption_public_key"]
    campaign = new_campaign(client, account, "store_cards", MEMBERSHIP)
    second = create_nfc_key(app, account.id)["encryption_public_key"]

    kept = pass_json_of(pkpass_of(client, new_pass(client, account, "store_cards", campaign, {}).get_json()))
    patched = client.patch(f"/v2/store_cards/{campaign}", headers=account.basic,
                           json={"store_card": {"nfc": {"message": "member-43"}}})
    assert patched.status_code == 200, patched.get_json()
    moved = pass_json_of(pkpass_of(client, new_pass(client, account, "store_cards", campaign, {}).get_json()))

    assert first != second
    assert kept["nfc"]["encryptionPublicKey"] == first
    assert moved["nfc"] == {"message": "member-43", "encryptionPublicKey": second}
    assert "sharingProhibited" not in moved


def test_a_pass_overrides_its_campaigns_nfc_with_an_explicit_key(client, account, dev_ca_pem, tmp_path):
    campaign = new_campaign(client, account, "store_cards",
                            {**MEMBERSHIP, "nfc": {**MEMBERSHIP["nfc"], "encryption_public_key": NFC_PUBLIC_KEY}})
    created = new_pass(client, account, "store_cards", campaign, {"nfc": {"message": "guest-7",
                                                                          "encryption_public_key": NFC_PUBLIC_KEY}})
    assert created.status_code == 201, created.get_json()
    pkpass = pkpass_of(client, created.get_json())

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "nfc-pass")
    assert pass_json_of(pkpass)["nfc"] == {"message": "guest-7", "encryptionPublicKey": NFC_PUBLIC_KEY}


@pytest.mark.parametrize(("nfc", "named"), [
    ({"message": "x" * 65, "encryption_public_key": NFC_PUBLIC_KEY}, "nfc.message: must be at most 64 bytes"),
    ({"message": "ü" * 33, "encryption_public_key": NFC_PUBLIC_KEY}, "nfc.message: must be at most 64 bytes"),
    ({"encryption_public_key": NFC_PUBLIC_KEY}, "nfc.message"),
    ({"message": "m", "encryption_public_key": P384_PUBLIC_KEY},
     "nfc.encryptionPublicKey: must be an elliptic-curve key on P-256"),
    ({"message": "m", "encryption_public_key": "AAAA"}, "nfc.encryptionPublicKey: must be the Base64 of an X.509"),
    ({"message": "m", "encryption_public_key": "not base64!"}, "nfc.encryption_public_key"),
    ({"message": "m", "requires_authentication": "sometimes"}, "nfc.requires_authentication"),
    ({"message": "m", "requireAuthentication": True}, "nfc.requireAuthentication: Extra inputs are not permitted"),
    ({"message": "m"}, "nfc.encryption_public_key: send one, or create the organization's NFC key first"),
])
def test_bad_nfc_is_422_naming_the_key(client, account, nfc, named):
    response = create(client, account, "store_cards", {**MEMBERSHIP, "icon_id": upload(client, account), "nfc": nfc})

    assert response.status_code == 422, response.get_json()
    assert named in error_text(response)


def test_a_pass_with_bad_nfc_is_422_too(client, account):
    campaign = new_campaign(client, account, "store_cards", {"name": "Plain"})
    response = new_pass(client, account, "store_cards", campaign, {"nfc": {"message": "m"}})

    assert response.status_code == 422
    assert "nfc.encryption_public_key" in error_text(response)


# -- semantic boarding passes --------------------------------------------------------------

def test_a_semantic_boarding_pass_is_signed_with_the_legacy_pass_as_fallback(client, account, dev_ca_pem, tmp_path):
    campaign = new_campaign(client, account, "boarding_passes", FLIGHT_CAMPAIGN)
    seat_semantics = {**FLIGHT, "seats": [{"seatNumber": "7A"}], "boardingZone": "3", "ticketFareClass": "Economy"}
    created = new_pass(client, account, "boarding_passes", campaign, {
        "auxiliary_fields": [{"key": "seat", "value": "7A"}], "semantics": seat_semantics})
    assert created.status_code == 201, created.get_json()
    pkpass = pkpass_of(client, created.get_json())

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "boarding")
    assert_smime_verifies(pkpass, dev_ca_pem, tmp_path / "boarding-smime")
    pass_json = pass_json_of(pkpass)
    assert pass_json["preferredStyleSchemes"] == ["semanticBoardingPass", "boardingPass"]
    assert pass_json["boardingPass"]["transitType"] == "PKTransitTypeAir"
    # The legacy layout older devices show, from the same pass.json.
    assert pass_json["boardingPass"]["primaryFields"] == [{"key": "from", "label": "Vienna", "value": "VIE"},
                                                          {"key": "to", "label": "London", "value": "LHR"}]
    assert pass_json["boardingPass"]["auxiliaryFields"] == [{"key": "seat", "label": "SEAT", "value": "7A"}]
    assert pass_json["semantics"] == seat_semantics
    for tag in ("airlineCode", "flightNumber", "departureLocationTimeZone", "originalBoardingDate", "passengerName"):
        assert pass_json["semantics"][tag] == FLIGHT[tag]
    assert created.get_json()["preferred_style_schemes"] == ["semanticBoardingPass"]


@pytest.mark.parametrize(("changes", "named"), [
    ({"semantics": {k: v for k, v in FLIGHT.items() if k != "departureCityName"}},
     "semantics.departureCityName is required for a semanticBoardingPass"),
    ({"semantics": {**FLIGHT, "flightNumber": "EX123"}}, "semantics.flightNumber"),
    ({"semantics": {**FLIGHT, "destinationLocationTimeZone": "London"}}, "semantics.destinationLocationTimeZone"),
    ({"semantics": {**FLIGHT, "originalArrivalDate": "tomorrow"}}, "semantics.originalArrivalDate"),
    ({"transit_type": "train"}, "boardingPass.transitType: must be PKTransitTypeAir for a semanticBoardingPass"),
    ({"semantics": {**FLIGHT, "departureCity": "Vienna"}},
     "semantics.departureCity: unknown key; did you mean departureCityName?"),
])
def test_a_semantic_boarding_pass_missing_a_required_semantic_is_422_naming_it(client, account, changes, named):
    response = create(client, account, "boarding_passes",
                      {**FLIGHT_CAMPAIGN, "icon_id": upload(client, account), **changes})

    assert response.status_code == 422, response.get_json()
    assert named in error_text(response)


def test_the_semantic_boarding_scheme_on_an_event_ticket_is_422(client, account):
    response = create(client, account, "event_tickets", {
        "name": "Gala", "icon_id": upload(client, account), "preferred_style_schemes": ["semanticBoardingPass"]})

    assert response.status_code == 422
    assert "preferredStyleSchemes[0]: semanticBoardingPass is for boardingPass passes, not eventTicket" in (
        error_text(response))


def test_a_pass_that_drops_a_required_boarding_semantic_is_422(client, account):
    campaign = new_campaign(client, account, "boarding_passes", FLIGHT_CAMPAIGN)
    response = new_pass(client, account, "boarding_passes", campaign, {"semantics": {"airlineCode": "EX"}})

    assert response.status_code == 422
    assert "semantics.passengerName is required for a semanticBoardingPass" in error_text(response)


# -- the semantic boarding pass's airline-service links (v2 `boarding_links`) ----------------

SERVICES = {"changeSeatURL": "https://air.example.test/seat", "upgradeURL": "https://air.example.test/up",
            "transitProviderEmail": "care@air.example.test", "transitProviderPhoneNumber": "+43 1 700 0"}


def test_a_semantic_boarding_pass_carries_its_airline_links(client, account, dev_ca_pem, tmp_path):
    campaign = new_campaign(client, account, "boarding_passes", {**FLIGHT_CAMPAIGN, "boarding_links": SERVICES})
    created = new_pass(client, account, "boarding_passes", campaign,
                       {"boarding_links": {"purchaseWifiURL": "https://air.example.test/wifi"}})
    assert created.status_code == 201, created.get_json()
    pkpass = pkpass_of(client, created.get_json())

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "links")
    pass_json = pass_json_of(pkpass)
    expected = {**SERVICES, "purchaseWifiURL": "https://air.example.test/wifi"}
    assert {key: pass_json[key] for key in expected} == expected
    assert created.get_json()["boarding_links"] == expected
    assert pass_json["preferredStyleSchemes"] == ["semanticBoardingPass", "boardingPass"]  # the legacy fallback


@pytest.mark.parametrize(("segment", "attributes", "named"), [
    ("boarding_passes", {**FLIGHT_CAMPAIGN, "boarding_links": {"upgradeURL": "http://air.example.test/up"}},
     "upgradeURL: 'http://air.example.test/up' must be an https URL"),
    ("boarding_passes", {**FLIGHT_CAMPAIGN, "boarding_links": {"transitProviderEmail": "care"}},
     "transitProviderEmail: 'care' is not an email address"),
    ("boarding_passes", {**FLIGHT_CAMPAIGN, "boarding_links": {"changeSeatUrl": "https://x.test"}},
     "boarding_links.changeSeatUrl: Extra inputs are not permitted"),
    ("event_tickets", {"name": "Gala", "boarding_links": {"upgradeURL": "https://x.test"}},
     "upgradeURL: is only for boarding passes (semanticBoardingPass), not eventTicket"),
])
def test_bad_airline_links_are_422_naming_the_key(client, account, segment, attributes, named):
    response = create(client, account, segment, {**attributes, "icon_id": upload(client, account)})

    assert response.status_code == 422, response.get_json()
    assert named in error_text(response)
