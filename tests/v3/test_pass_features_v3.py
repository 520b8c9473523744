"""Current Wallet features through /api/v3/pass (issue 18): a pass's own `semantics`,
`preferredStyleSchemes` and `nfc`, each built into a signed .pkpass that openssl verifies,
pass.json checked key by key; a missing required semantic is v3's 400 naming it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.test_nfc_and_boarding_passes import create_nfc_key
from tests.api.test_pass_features import VENUE, assert_smime_verifies, pass_json_of
from tests.factories import BOARDING_DESIGN
from tests.passkit.factories import NFC_PUBLIC_KEY
from tests.passkit.test_boarding_semantics import FLIGHT
from tests.v3.conftest import TEMPLATE_DESIGN, V3Client, make_template
from tests.web.test_bundles import assert_signed_pkpass

PUBLIC = "https://wallet.example.test"
POSTER = {"semantics": VENUE, "preferredStyleSchemes": ["posterEventTicket"]}


def pkpass_of(client, created: dict[str, Any]) -> bytes:  # type: ignore[no-untyped-def]
    response = client.get(created["iPhoneUri"].removeprefix(PUBLIC))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.data


def create(v3: V3Client, data: dict[str, Any]) -> Any:
    return v3.post("/pass?async=false", json={"data": data})


def created_data(v3: V3Client, data: dict[str, Any]) -> dict[str, Any]:
    response = create(v3, data)
    assert response.status_code == 200, response.json
    return dict(response.json["data"])


def verified_pass_json(client, created: dict[str, Any], ca_pem, folder) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The pass's pass.json once openssl has verified its signature (cms, and smime as Apple's guides show)."""
    pkpass = pkpass_of(client, created)
    assert_signed_pkpass(pkpass, ca_pem, folder)
    assert_smime_verifies(pkpass, ca_pem, folder.with_name(folder.name + "-smime"))
    return pass_json_of(pkpass)


@pytest.fixture
def poster_template_id(account) -> str:  # type: ignore[no-untyped-def]
    """A classic event ticket template with a background, so its passes may ask for the poster
    (Apple's Pass Builder signs no poster event ticket without artwork or a background)."""
    return make_template(account.id, with_background=True)


def test_a_poster_event_ticket_made_through_v3_is_signed_with_the_classic_fallback(
        client, v3: V3Client, poster_template_id, dev_ca_pem, tmp_path):
    created = created_data(v3, {"templateId": poster_template_id, "firstname": "Ada", **POSTER,
                                "relevantDates": [{"startDate": "2054-06-01 19:30", "endDate": "2054-06-01 23:00"}]})

    pass_json = verified_pass_json(client, created, dev_ca_pem, tmp_path / "poster")
    assert pass_json["preferredStyleSchemes"] == ["posterEventTicket", "eventTicket"]
    assert pass_json["semantics"] == VENUE
    assert pass_json["relevantDates"] == [{"startDate": "2054-06-01T19:30:00Z", "endDate": "2054-06-01T23:00:00Z"}]
    assert pass_json["relevantDate"] == "2054-06-01T19:30:00Z"  # older iOS
    ticket = pass_json["eventTicket"]  # the classic layout older devices show
    assert ticket["primaryFields"] == [{"key": "event", "label": "EVENT", "value": "Summer Gala"}]
    assert ticket["secondaryFields"] == [{"key": "firstname", "label": "First name", "value": "Ada"}]
    assert "nfc" not in pass_json

    view = v3.get(f"/pass/{created['identifier']}").json["data"]
    assert view["semantics"] == VENUE and view["preferredStyleSchemes"] == ["posterEventTicket"]
    assert view["nfc"] is None


def test_a_poster_pass_on_a_template_without_artwork_or_background_is_400_naming_the_artwork(
        v3: V3Client, template_id):
    response = create(v3, {"templateId": template_id, **POSTER})

    assert response.status_code == 400, response.json
    assert "artwork.png is required (or background.png) for a posterEventTicket" in str(response.json)


def test_a_semantic_boarding_pass_made_through_v3_is_signed_with_the_legacy_pass(
        client, v3: V3Client, account, dev_ca_pem, tmp_path):
    template = make_template(account.id, "Flights", BOARDING_DESIGN)
    semantics = {**FLIGHT, "seats": [{"seatNumber": "7A"}], "boardingZone": "3"}
    created = created_data(v3, {"templateId": template, "passenger": "Ada Lovelace", "semantics": semantics,
                                "preferredStyleSchemes": ["semanticBoardingPass"]})

    pass_json = verified_pass_json(client, created, dev_ca_pem, tmp_path / "boarding")
    assert pass_json["preferredStyleSchemes"] == ["semanticBoardingPass", "boardingPass"]
    assert pass_json["semantics"] == semantics
    legacy = pass_json["boardingPass"]
    assert legacy["transitType"] == "PKTransitTypeAir"
    assert legacy["primaryFields"] == BOARDING_DESIGN["primaryFields"]
    assert legacy["secondaryFields"] == [{"key": "passenger", "label": "PASSENGER", "value": "Ada Lovelace"}]

    view = v3.get(f"/pass/{created['identifier']}").json["data"]
    assert view["semantics"] == semantics and view["preferredStyleSchemes"] == ["semanticBoardingPass"]
    assert view["originAirportCode"] == "VIE"  # the boarding-pass list properties read the pass's own tags


@pytest.mark.parametrize(("data", "named"), [
    ({**POSTER, "semantics": {key: value for key, value in VENUE.items() if key not in ("venueName", "venueRoom")}},
     "semantics.venueName is required (or venueRegionName or venueRoom) for a posterEventTicket"),
    ({**POSTER, "semantics": {key: value for key, value in VENUE.items() if key != "eventName"}},
     "semantics.eventName"),
    ({**POSTER, "semantics": {**VENUE, "venuName": "Arena"}}, "semantics.venuName: unknown key"),
    ({"preferredStyleSchemes": ["semanticBoardingPass"]},
     "preferredStyleSchemes[0]: semanticBoardingPass is for boardingPass passes, not eventTicket"),
    ({"semantics": ["venueName"]}, "semantics"),
    ({"nfc": {"message": "m", "requireAuthentication": True}}, "requireAuthentication"),
    ({"nfc": {"message": "m" * 65, "encryptionPublicKey": NFC_PUBLIC_KEY}}, "nfc.message"),
])
def test_a_pass_breaking_apples_rules_is_400_naming_the_key(v3: V3Client, template_id, data, named):
    response = create(v3, {"templateId": template_id, **data})

    assert response.status_code == 400, response.json
    assert response.json["success"] is False
    assert named in json.dumps(response.json)


def test_a_boarding_pass_missing_a_required_semantic_is_400_naming_it(v3: V3Client, account):
    template = make_template(account.id, "Flights", BOARDING_DESIGN)
    semantics = {key: value for key, value in FLIGHT.items() if key != "departureCityName"}
    response = create(v3, {"templateId": template, "semantics": semantics,
                           "preferredStyleSchemes": ["semanticBoardingPass"]})

    assert response.status_code == 400, response.json
    assert "semantics.departureCityName is required for a semanticBoardingPass" in json.dumps(response.json)


def test_a_pass_replaces_its_templates_semantics_and_null_gives_them_back(client, v3: V3Client, account):
    template = make_template(account.id, "Poster", {**TEMPLATE_DESIGN, "semantics": VENUE,
                                                    "preferredStyleSchemes": ["posterEventTicket"]},
                             with_background=True)
    own = {**VENUE, "venueName": "Stadtpark", "venueRoom": "Open air"}
    created = created_data(v3, {"templateId": template, "semantics": own})
    other = created_data(v3, {"templateId": template})

    assert pass_json_of(pkpass_of(client, created))["semantics"] == own
    assert pass_json_of(pkpass_of(client, other))["semantics"] == VENUE

    patched = v3.patch(f"/pass/{created['identifier']}?async=false", json={"data": {"semantics": None}})
    assert patched.status_code == 200, patched.json
    assert pass_json_of(pkpass_of(client, created))["semantics"] == VENUE
    assert v3.get(f"/pass/{created['identifier']}").json["data"]["semantics"] == VENUE


def test_a_pass_with_nfc_gets_the_organizations_key(app, client, v3: V3Client, account, template_id, dev_ca_pem,
                                                    tmp_path):
    key = create_nfc_key(app, account.id)["encryption_public_key"]
    created = created_data(v3, {"templateId": template_id,
                                "nfc": {"message": "member-42", "requiresAuthentication": True}})
    pkpass = pkpass_of(client, created)

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "nfc")
    nfc = {"message": "member-42", "requiresAuthentication": True, "encryptionPublicKey": key}
    pass_json = pass_json_of(pkpass)
    assert pass_json["nfc"] == nfc
    assert pass_json["sharingProhibited"] is True  # Apple (Pass.NFC): a shared copy would skip the authentication
    assert v3.get(f"/pass/{created['identifier']}").json["data"]["nfc"] == nfc


@pytest.mark.parametrize("asynchronous", ["false", "true"])
def test_nfc_without_an_organization_key_is_400_naming_the_key(v3: V3Client, template_id, asynchronous):
    response = v3.post(f"/pass?async={asynchronous}",
                       json={"data": {"templateId": template_id, "nfc": {"message": "member-42"}}})

    assert response.status_code == 400, response.json
    assert "nfc.encryptionPublicKey: send one, or create the organization's NFC key first" in json.dumps(
        response.json)
    assert v3.get("/pass").json["responseMetaData"]["resultsTotal"] == 0



def test_an_update_adding_nfc_without_an_organization_key_is_400_and_leaves_the_pass(
        client, v3: V3Client, template_id):
    created = created_data(v3, {"templateId": template_id})
    response = v3.patch(f"/pass/{created['identifier']}", json={"data": {"nfc": {"message": "member-42"}}})

    assert response.status_code == 400, response.json
    assert "nfc.encryptionPublicKey" in json.dumps(response.json)
    assert "nfc" not in pass_json_of(pkpass_of(client, created))
