"""Current Wallet features through v2 (issue 18): relevantDates, poster event tickets,
semantics and additionalInfoFields, each built into a signed .pkpass that openssl verifies."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from typing import Any

import pytest

from tests.api.conftest import Account, error_text
from tests.api.test_campaign_merge import run_jobs
from tests.api.test_campaigns import create, upload
from tests.passkit.factories import NFC_PUBLIC_KEY
from tests.passkit.test_pass_format import BOARDING_LINKS, POSTER_VALUES, UPCOMING_EVENT, _semantic_sample, key_paths
from tests.web.test_bundles import assert_signed_pkpass
from walletservice.passkit.pass_format import PASS_KEYS, keys_where

PUBLIC = "https://wallet.example.test"
VENUE = {"eventName": "Die Beispiele live", "eventType": "PKEventTypeLivePerformance",
         "performerNames": ["Die Beispiele"], "venueName": "Arena Hamburg", "venueRoom": "Halle 1"}
CONCERT = {
    "name": "Die Beispiele 2026",
    "barcode": {"format": "qrcode"},
    "primary_fields": [{"key": "event", "label": "EVENT", "value": "Die Beispiele"}],
    "secondary_fields": [{"key": "seat", "label": "SEAT"}],
    "additional_info_fields": [{"key": "doors", "label": "Doors", "value": "18:30"},
                               {"key": "entrance", "label": "Entrance"}],
    "relevant_dates": [{"startDate": "2026-11-20T20:00+01:00", "endDate": "2026-11-20T23:00+01:00"},
                       {"date": "2026-11-20T18:30:00+01:00"}],
    "semantics": VENUE,
    "preferred_style_schemes": ["posterEventTicket"],
}


def pkpass_of(client, pass_body: dict[str, Any]) -> bytes:
    response = client.get(pass_body["pkpass_url"].removeprefix(PUBLIC))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.data


def assert_smime_verifies(pkpass: bytes, ca_pem, folder) -> None:  # type: ignore[no-untyped-def]
    """Also `openssl smime -verify`, the form Apple's own pass guides show (the helper above uses cms)."""
    archive = zipfile.ZipFile(io.BytesIO(pkpass))
    folder.mkdir()
    for name in ("manifest.json", "signature"):
        (folder / name).write_bytes(archive.read(name))
    verified = subprocess.run(
        ["openssl", "smime", "-verify", "-binary", "-inform", "DER", "-in", "signature", "-content", "manifest.json",
         "-CAfile", str(ca_pem), "-purpose", "any", "-out", "/dev/null"], cwd=folder, capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr


def pass_json_of(pkpass: bytes) -> dict[str, Any]:
    return json.loads(zipfile.ZipFile(io.BytesIO(pkpass)).read("pass.json"))


def new_campaign(client, account: Account, segment: str, attributes: dict[str, Any]) -> str:
    response = create(client, account, segment, {**required_images(client, account, attributes), **attributes})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def required_images(client, account: Account, attributes: dict[str, Any]) -> dict[str, str]:
    """An icon, and artwork for a poster event ticket: Apple's Pass Builder refuses to sign
    one with neither artwork nor a background (EventTicketValidator.swift)."""
    images = {"icon_id": upload(client, account)}
    if "posterEventTicket" in (attributes.get("preferred_style_schemes") or []):
        images["artwork_id"] = upload(client, account, "artwork")
    return images


def new_pass(client, account: Account, segment: str, campaign_id: str, attributes: dict[str, Any]):
    return client.post(f"/v2/{segment}/{campaign_id}/passes", json={"pass": attributes}, headers=account.basic)


@pytest.fixture
def concert(client, account) -> str:
    return new_campaign(client, account, "event_tickets", CONCERT)


def test_poster_event_ticket_is_signed_and_carries_poster_keys_with_the_classic_fallback(
        client, account, concert, dev_ca_pem, tmp_path):
    created = new_pass(client, account, "event_tickets", concert, {
        "secondary_fields": [{"key": "seat", "value": "A 12"}],
        "additional_info_fields": [{"key": "entrance", "value": "Gate 3"}]})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    pkpass = pkpass_of(client, body)

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "poster")
    assert_smime_verifies(pkpass, dev_ca_pem, tmp_path / "poster-smime")
    pass_json = pass_json_of(pkpass)
    assert pass_json["preferredStyleSchemes"] == ["posterEventTicket", "eventTicket"]
    assert pass_json["semantics"] == VENUE
    ticket = pass_json["eventTicket"]  # the classic layout older devices show
    assert ticket["primaryFields"] == [{"key": "event", "label": "EVENT", "value": "Die Beispiele"}]
    assert ticket["secondaryFields"] == [{"key": "seat", "label": "SEAT", "value": "A 12"}]
    assert ticket["additionalInfoFields"] == [{"key": "doors", "label": "Doors", "value": "18:30"},
                                              {"key": "entrance", "label": "Entrance", "value": "Gate 3"}]
    assert pass_json["relevantDates"] == [
        {"startDate": "2026-11-20T20:00:00+01:00", "endDate": "2026-11-20T23:00:00+01:00"},
        {"date": "2026-11-20T18:30:00+01:00"}]
    # iOS before 18 reads relevantDate only: the earliest moment of the list.
    assert pass_json["relevantDate"] == "2026-11-20T18:30:00+01:00"
    assert body["preferred_style_schemes"] == ["posterEventTicket"]
    assert body["semantics"] == VENUE and body["relevant_dates"] == CONCERT["relevant_dates"]
    assert [field["key"] for field in body["additional_info_fields"]] == ["doors", "entrance"]


def test_a_pass_overrides_its_campaigns_relevant_dates_and_semantics(client, account, concert, dev_ca_pem, tmp_path):
    own_dates = [{"startDate": "2026-11-21T20:00:00Z", "endDate": "2026-11-21T22:00:00Z"}]
    own_venue = {**VENUE, "venueName": "Stadtpark", "venueRoom": "Open air"}
    created = new_pass(client, account, "event_tickets", concert,
                       {"relevant_dates": own_dates, "semantics": own_venue})
    assert created.status_code == 201, created.get_json()
    pkpass = pkpass_of(client, created.get_json())

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "override")
    pass_json = pass_json_of(pkpass)
    assert pass_json["relevantDates"] == own_dates
    assert pass_json["relevantDate"] == "2026-11-21T20:00:00Z"
    assert pass_json["semantics"]["venueName"] == "Stadtpark"
    # Another pass of the campaign keeps the campaign's.
    other = pass_json_of(pkpass_of(client, new_pass(client, account, "event_tickets", concert, {}).get_json()))
    assert other["relevantDates"][1] == {"date": "2026-11-20T18:30:00+01:00"}
    assert other["semantics"]["venueName"] == "Arena Hamburg"


def test_an_explicit_relevant_date_is_kept_beside_relevant_dates(client, account, dev_ca_pem, tmp_path):
    campaign = new_campaign(client, account, "event_tickets",
                            {**CONCERT, "relevant_date": "2026-11-20T17:00:00Z"})
    pkpass = pkpass_of(client, new_pass(client, account, "event_tickets", campaign, {}).get_json())

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "explicit")
    assert pass_json_of(pkpass)["relevantDate"] == "2026-11-20T17:00:00Z"


@pytest.mark.parametrize(("semantics", "named"), [
    ({key: value for key, value in VENUE.items() if key not in ("venueName", "venueRoom")}, "semantics.venueName"),
    ({key: value for key, value in VENUE.items() if key != "eventName"}, "semantics.eventName"),
    ({**VENUE, "performerNames": []}, "semantics.performerNames"),
    ({**VENUE, "eventType": "PKEventTypeSports", "homeTeamAbbreviation": "HSV"}, "semantics.awayTeamAbbreviation"),
    ({**VENUE, "eventType": "Concert"}, "semantics.eventType"),
    ({**VENUE, "venuName": "Arena"}, "semantics.venuName: unknown key; did you mean venueName?"),
])
def test_a_poster_event_ticket_missing_a_required_semantic_is_422_naming_it(client, account, semantics, named):
    response = create(client, account, "event_tickets",
                      {**CONCERT, "icon_id": upload(client, account), "semantics": semantics})

    assert response.status_code == 422, response.get_json()
    assert named in error_text(response)


def test_a_pass_that_drops_the_venue_of_a_poster_ticket_is_422(client, account, concert):
    response = new_pass(client, account, "event_tickets", concert, {"semantics": {"eventName": "Solo"}})

    assert response.status_code == 422
    assert "semantics.venueName is required (or venueRegionName or venueRoom) for a posterEventTicket" in (
        error_text(response))


def test_without_the_poster_scheme_the_tags_are_not_required(client, account, dev_ca_pem, tmp_path):
    campaign = new_campaign(client, account, "event_tickets",
                            {**CONCERT, "preferred_style_schemes": None, "semantics": {"eventName": "Solo"}})
    pkpass = pkpass_of(client, new_pass(client, account, "event_tickets", campaign, {}).get_json())

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "classic")
    assert "preferredStyleSchemes" not in pass_json_of(pkpass)


@pytest.mark.parametrize(("relevant_dates", "named"), [
    ([{"startDate": "2026-11-20T20:00Z", "endDate": "2026-11-20T19:00Z"}], "relevantDates[0].endDate"),
    ([{"startDate": "2026-11-20T20:00Z"}], "relevantDates[0].endDate is required"),
    ([{"date": "2026-11-20T20:00Z", "startDate": "2026-11-20T20:00Z", "endDate": "2026-11-20T21:00Z"}],
     "relevantDates[0]: has both date and startDate/endDate"),
    ([{"date": "2026-11-20"}], "relevantDates[0].date"),
    ([{"date": "2026-11-20T20:00"}], "relevantDates[0].date"),
    ([{}], "relevantDates[0]: needs"),
    ([{"when": "2026-11-20T20:00Z"}], "relevant_dates.0.when: Extra inputs are not permitted"),
])
def test_bad_relevant_dates_are_422_naming_the_key(client, account, relevant_dates, named):
    response = create(client, account, "event_tickets",
                      {**CONCERT, "icon_id": upload(client, account), "relevant_dates": relevant_dates})

    assert response.status_code == 422, response.get_json()
    assert named in error_text(response)


def test_the_poster_scheme_on_a_coupon_is_422(client, account):
    response = create(client, account, "coupons", {
        "name": "Spring sale", "icon_id": upload(client, account), "preferred_style_schemes": ["posterEventTicket"]})

    assert response.status_code == 422
    assert "preferredStyleSchemes[0]: posterEventTicket is for eventTicket passes, not coupon" in error_text(response)


# -- the v2 column of docs/pass-format.md, from passes really built through v2 ------------

_FIELD = {"key": "k", "label": "L", "value": "v", "change_message": "Now %@"}
_ALL_LISTS = ("header_fields", "primary_fields", "secondary_fields", "auxiliary_fields", "back_fields",
              "additional_info_fields")


def _everything_v2(segment: str) -> dict[str, Any]:
    semantics = {key.path.removeprefix("semantics."): _semantic_sample(key.type)
                 for key in PASS_KEYS if key.path.startswith("semantics.")}
    attributes: dict[str, Any] = {
        "name": f"All of {segment}", "description": "Everything", "organization_name": "Toy Town",
        "logo_text": "Toy Town", "background_color": "#000000", "text_color": "#ffffff", "label_color": "#cccccc",
        "barcode": {"format": "qrcode", "message": "M", "alt_text": "M", "encoding": "utf-8"},
        **{name: [{**_FIELD, "key": name}] for name in _ALL_LISTS},
        "locations": [{"latitude": 1.0, "longitude": 2.0, "altitude": 3.0, "relevant_text": "Near"}],
        "beacons": [{"proximity_uuid": "e2c56db5-dffb-48d2-b060-d0f5a71096e0", "major": 1, "minor": 2,
                     "relevant_text": "Close"}],
        "max_distance": 50, "relevant_date": "2026-11-20T17:00:00Z", "expiration_date": "2026-11-21T00:00:00Z",
        "relevant_dates": CONCERT["relevant_dates"], "user_info": {"crm": 1},
        "associated_store_identifiers": [123456789], "semantics": semantics,
        "nfc": {"message": "member-42", "encryption_public_key": NFC_PUBLIC_KEY, "requires_authentication": True},
        "poster": POSTER_VALUES,
        "featured_actions": [{"identifier": "benefits", "type": "membershipBenefits",
                              "url": "https://example.test/benefits"}],
    }
    if segment == "event_tickets":
        attributes["preferred_style_schemes"] = ["posterEventTicket"]
    if segment in ("coupons", "generics", "store_cards"):
        attributes["poster_generic"] = True
        attributes["footer_fields"] = [{**_FIELD, "key": "footer_fields"}]
    if segment == "boarding_passes":
        attributes["transit_type"] = "air"
        attributes["boarding_links"] = BOARDING_LINKS
    return attributes


def test_every_key_a_v2_pass_can_carry_is_marked_v2_and_the_reverse(client, account):
    found: set[str] = set()
    for segment in ("event_tickets", "boarding_passes", "coupons", "generics", "store_cards"):
        attributes = _everything_v2(segment)
        if segment == "event_tickets":
            images = {"headerImage": {"asset_id": upload(client, account, "strip")}}
            attributes["upcoming_events"] = [{**UPCOMING_EVENT, "images": images},
                                             {"identifier": "i2", "name": "N", "type": "event",
                                              "images": {"venueMap": {"reuseExisting": True}}}]
        campaign = new_campaign(client, account, segment, attributes)
        created = new_pass(client, account, segment, campaign, {"voided": True})
        assert created.status_code == 201, created.get_json()
        found |= key_paths(pass_json_of(pkpass_of(client, created.get_json())))

    assert sorted(found - keys_where("v2")) == []
    assert sorted(keys_where("v2") - found) == []


def test_a_campaign_patch_and_merge_change_the_tags_and_dates_of_its_passes(app, client, account, concert):
    pass_body = new_pass(client, account, "event_tickets", concert, {}).get_json()
    patched = client.patch(f"/v2/event_tickets/{concert}", headers=account.basic, json={"event_ticket": {
        "semantics": {**VENUE, "venueName": "Stadtpark"}, "relevant_dates": [{"date": "2026-12-01T20:00:00Z"}]}})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["preferred_style_schemes"] == ["posterEventTicket"]  # untouched by the PATCH
    merged = client.post(f"/v2/event_tickets/{concert}/merge", headers=account.basic)
    assert merged.status_code == 202, merged.get_json()
    assert run_jobs(app) == 1

    pass_json = pass_json_of(pkpass_of(client, pass_body))

    assert pass_json["semantics"]["venueName"] == "Stadtpark"
    assert pass_json["relevantDates"] == [{"date": "2026-12-01T20:00:00Z"}]
    assert pass_json["relevantDate"] == "2026-12-01T20:00:00Z"


def test_a_pass_update_sets_its_own_relevant_dates(client, account, concert):
    pass_body = new_pass(client, account, "event_tickets", concert, {}).get_json()
    updated = client.post(f"/v2/event_tickets/{concert}/passes/{pass_body['id']}", headers=account.basic,
                          json={"pass": {"relevant_dates": [{"date": "2026-11-22T20:00:00Z"}]}})
    assert updated.status_code == 200, updated.get_json()
    assert updated.get_json()["relevant_dates"] == [{"date": "2026-11-22T20:00:00Z"}]

    assert pass_json_of(pkpass_of(client, pass_body))["relevantDates"] == [{"date": "2026-11-22T20:00:00Z"}]


# -- the poster event ticket's top-level keys (v2 `poster`) --------------------------------

GUIDE = {"bagPolicyURL": "https://arena.example.test/bags", "parkingInformationURL": "https://arena.example.test/p",
         "contactVenueEmail": "box-office@arena.example.test", "contactVenuePhoneNumber": "+49 40 123456"}
POSTER = {"eventLogoText": "Live in Hamburg", "footerBackgroundColor": "#102030", "useAutomaticColors": True,
          "suppressHeaderDarkening": False, "auxiliaryStoreIdentifiers": [987654321], **GUIDE}


def test_a_poster_event_ticket_carries_its_colours_links_and_event_guide(client, account, dev_ca_pem, tmp_path):
    campaign = new_campaign(client, account, "event_tickets", {**CONCERT, "poster": POSTER})
    created = new_pass(client, account, "event_tickets", campaign, {"poster": {"sellURL": "https://resale.test/1"}})
    assert created.status_code == 201, created.get_json()
    pkpass = pkpass_of(client, created.get_json())

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "poster-keys")
    pass_json = pass_json_of(pkpass)
    expected = {**POSTER, "footerBackgroundColor": "rgb(16, 32, 48)", "sellURL": "https://resale.test/1"}
    assert {key: pass_json[key] for key in expected} == expected
    assert created.get_json()["poster"] == {**POSTER, "sellURL": "https://resale.test/1"}
    assert pass_json["eventTicket"]["primaryFields"][0]["value"] == "Die Beispiele"  # the classic fallback


@pytest.mark.parametrize(("poster", "named"), [
    ({"bagPolicyURL": "http://arena.example.test/bags"}, "bagPolicyURL: 'http://arena.example.test/bags' must be an https"),
    ({"transferURL": "arena.example.test"}, "transferURL: 'arena.example.test' must be an https URL"),
    ({"contactVenueEmail": "box office"}, "contactVenueEmail"),
    ({"contactVenueEmail": "box-office"}, "contactVenueEmail: 'box-office' is not an email address"),
    ({"footerBackgroundColor": "navy"}, "poster.footerBackgroundColor"),
    ({"bagPolicyUrl": "https://x.test"}, "poster.bagPolicyUrl: Extra inputs are not permitted"),
    ({"auxiliaryStoreIdentifiers": [0]}, "poster.auxiliaryStoreIdentifiers.0"),
])
def test_bad_poster_keys_are_422_naming_the_key(client, account, poster, named):
    response = create(client, account, "event_tickets",
                      {**CONCERT, "icon_id": upload(client, account), "poster": poster})

    assert response.status_code == 422, response.get_json()
    assert named in error_text(response)
