"""Upcoming pass information through v2 (issue 18): `upcoming_events` on campaigns and passes,
built into a signed .pkpass whose images Wallet downloads from us at immutable URLs."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest

from tests.api.conftest import error_text
from tests.api.test_campaigns import create, upload
from tests.api.test_pass_features import (
    CONCERT,
    PUBLIC,
    assert_smime_verifies,
    new_campaign,
    new_pass,
    pass_json_of,
    pkpass_of,
)
from tests.web.test_bundles import assert_signed_pkpass

HOME_GAME = {
    "identifier": "home-2026-05-08", "name": "HSV vs. FC Beispiel", "type": "event", "isActive": True,
    "dateInformation": {"date": "2026-05-08T20:30+02:00", "timeZone": "Europe/Berlin"},
    "semantics": {"venueName": "Volksparkstadion", "venuePlaceID": "IB452E0A3979253B0",
                  "eventType": "PKEventTypeSports"},
    "URLs": {"merchandiseURL": "https://shop.example.test/hsv", "parkingInformationURL": "https://example.test/p",
             "contactVenueEmail": "tickets@example.test"},
    "backFields": [{"key": "gate", "label": "Gate", "value": "West 3"}],
}
AWAY_GAME = {"identifier": "away-2026-05-15", "name": "FC Beispiel vs. HSV", "type": "event"}


def season(header_image_id: str) -> dict[str, Any]:
    entry = {**HOME_GAME, "images": {"headerImage": {"asset_id": header_image_id},
                                     "venueMap": {"reuseExisting": True}}}
    return {**CONCERT, "upcoming_events": [entry, AWAY_GAME]}


@pytest.fixture
def season_ticket(client, account) -> tuple[str, str]:
    strip_id = upload(client, account, "strip")
    return new_campaign(client, account, "event_tickets", season(strip_id)), strip_id


def test_upcoming_events_are_signed_into_the_pass_with_hosted_images(client, account, season_ticket, dev_ca_pem,
                                                                    tmp_path):
    campaign_id, strip_id = season_ticket
    created = new_pass(client, account, "event_tickets", campaign_id, {})
    assert created.status_code == 201, created.get_json()
    pkpass = pkpass_of(client, created.get_json())

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "cms")
    assert_smime_verifies(pkpass, dev_ca_pem, tmp_path / "smime")
    pass_json = pass_json_of(pkpass)
    home, away = pass_json["upcomingPassInformation"]
    assert away == AWAY_GAME
    assert {key: value for key, value in home.items() if key not in ("images", "dateInformation")} == {
        key: value for key, value in HOME_GAME.items() if key != "dateInformation"}
    assert home["dateInformation"] == {"date": "2026-05-08T20:30:00+02:00", "timeZone": "Europe/Berlin"}
    assert home["images"]["venueMap"] == {"reuseExisting": True}
    urls = home["images"]["headerImage"]["URLs"]
    assert [entry["scale"] for entry in urls] == [1, 2, 3]
    for entry in urls:
        assert set(entry) == {"URL", "SHA256", "scale", "size"}
        assert entry["URL"] == f"{PUBLIC}/assets/{strip_id}/{entry['SHA256']}.png"
        image = client.get(entry["URL"].removeprefix(PUBLIC))
        assert image.status_code == 200 and image.mimetype == "image/png"
        assert hashlib.sha256(image.data).hexdigest() == entry["SHA256"] and len(image.data) == entry["size"]
        assert image.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert entry["size"] <= 2 * 1024 * 1024
    # The older-iOS fallback: the classic event ticket and its relevantDate are still there.
    assert pass_json["eventTicket"]["primaryFields"][0]["value"] == "Die Beispiele"
    assert pass_json["relevantDate"] == "2026-11-20T18:30:00+01:00"


def test_an_image_url_with_another_hash_or_asset_is_404(client, account, season_ticket):
    campaign_id, strip_id = season_ticket
    pass_json = pass_json_of(pkpass_of(client, new_pass(client, account, "event_tickets", campaign_id, {}).get_json()))
    url = pass_json["upcomingPassInformation"][0]["images"]["headerImage"]["URLs"][0]["URL"].removeprefix(PUBLIC)
    other_asset = upload(client, account, "icon")  # other renditions, so other hashes

    assert client.get(url.replace(strip_id, other_asset)).status_code == 404
    assert client.get(f"/assets/{strip_id}/{'0' * 64}.png").status_code == 404
    assert client.get(f"/assets/{strip_id}/short.png").status_code == 404


def test_a_pass_replaces_its_campaigns_upcoming_events(client, account, season_ticket):
    campaign_id, _ = season_ticket
    own = [{**AWAY_GAME, "isActive": True}]
    created = new_pass(client, account, "event_tickets", campaign_id, {"upcoming_events": own})
    assert created.status_code == 201, created.get_json()

    assert created.get_json()["upcoming_events"] == own
    assert pass_json_of(pkpass_of(client, created.get_json()))["upcomingPassInformation"] == own


def test_an_asset_named_by_an_upcoming_event_cannot_be_deleted(client, account, season_ticket):
    _, strip_id = season_ticket

    response = client.delete(f"/v2/assets/{strip_id}", headers=account.basic)

    assert response.status_code == 412, response.get_json()


def _with(change) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    entry = copy.deepcopy(HOME_GAME)
    change(entry)
    return [entry]


@pytest.mark.parametrize(("events", "named"), [
    (_with(lambda e: e.pop("identifier")), "upcomingPassInformation[0].identifier is required"),
    (_with(lambda e: e.pop("name")), "upcomingPassInformation[0].name is required"),
    (_with(lambda e: e.pop("type")), "upcomingPassInformation[0].type is required"),
    (_with(lambda e: e.update(type="match")), "upcomingPassInformation[0].type: 'match' is not a type"),
    (_with(lambda e: e.update(isActive="yes")), "upcomingPassInformation[0].isActive: must be true or false"),
    ([HOME_GAME, HOME_GAME], "upcomingPassInformation[1].identifier: 'home-2026-05-08' is used by an earlier"),
    (_with(lambda e: e.update(dateInformation={"timeZone": "Europe/Berlin"})),
     "upcomingPassInformation[0].dateInformation.date is required"),
    (_with(lambda e: e["dateInformation"].update(date="2026-05-08")), "upcomingPassInformation[0].dateInformation.date"),
    (_with(lambda e: e["dateInformation"].update(timeZone="Mars/Olympus")),
     "upcomingPassInformation[0].dateInformation.timeZone: 'Mars/Olympus' is not an IANA time zone"),
    (_with(lambda e: e["URLs"].update(merchandiseURL="http://shop.example.test")),
     "upcomingPassInformation[0].URLs.merchandiseURL: 'http://shop.example.test' must be an https URL"),
    (_with(lambda e: e["URLs"].update(contactVenueEmail="nobody")),
     "upcomingPassInformation[0].URLs.contactVenueEmail: 'nobody' is not an email address"),
    (_with(lambda e: e["URLs"].update(merchURL="https://x.test")),
     "upcomingPassInformation[0].URLs.merchURL: unknown key; did you mean merchandiseURL?"),
    # Pass Builder's Swift names (no CodingKeys) are urls/url/sha256; Apple's reference spells URLs (pass-format.md).
    (_with(lambda e: e.update(urls=e.pop("URLs"))), "upcomingPassInformation[0].urls: unknown key; did you mean URLs?"),
    (_with(lambda e: e.update(images={"headerImage": {"urls": [{"url": "https://img.example.test/a.png"}]}})),
     'upcomingPassInformation[0].images.headerImage: must be {"URLs": [...]}'),
    (_with(lambda e: e["semantics"].update(venuName="Arena")),
     "upcomingPassInformation[0].semantics.venuName: unknown key; did you mean venueName?"),
    (_with(lambda e: e.update(images={"headerImage": {"URLs": [
        {"URL": "http://img.example.test/a.png", "SHA256": "AB" * 32, "size": 3 * 1024 * 1024}]}})),
     "upcomingPassInformation[0].images.headerImage.URLs[0].URL: 'http://img.example.test/a.png' must be an https"),
    (_with(lambda e: e.update(images={"headerImage": {"URLs": [
        {"URL": "https://img.example.test/a.png", "SHA256": "AB" * 32}]}})),
     "upcomingPassInformation[0].images.headerImage.URLs[0].SHA256: 'ABAB"),
    (_with(lambda e: e.update(images={"headerImage": {"URLs": [
        {"URL": "https://img.example.test/a.png", "SHA256": "ab" * 32, "size": 3 * 1024 * 1024}]}})),
     "upcomingPassInformation[0].images.headerImage.URLs[0].size: 3145728 bytes is over Apple's limit"),
    (_with(lambda e: e.update(images={"poster": {"reuseExisting": True}})),
     "upcomingPassInformation[0].images.poster: unknown key"),
    (_with(lambda e: e.update(images={"headerImage": {}})),
     'upcomingPassInformation[0].images.headerImage: must be {"URLs": [...]} or {"reuseExisting": true}'),
    (_with(lambda e: e.update(images={"headerImage": {"asset_id": "7d1f6b7e-3d41-4a35-9d5e-6a4ad0b7a2f1"}})),
     "upcoming_events[0].images.headerImage.asset_id: asset not found"),
    # An integer beyond a double overflowed math.isfinite: it was a 500.
    (_with(lambda e: e.update(backFields=[{"key": "gate", "value": 10 ** 400}])),
     "upcomingPassInformation[0].backFields[0].value: must be a string, a number"),
])
def test_bad_upcoming_events_are_422_naming_the_key(client, account, events, named):
    response = create(client, account, "event_tickets",
                      {**CONCERT, "icon_id": upload(client, account), "upcoming_events": events})

    assert response.status_code == 422, response.get_json()
    assert named in error_text(response)


def test_upcoming_events_on_a_coupon_are_422(client, account):
    response = create(client, account, "coupons", {
        "name": "Spring sale", "icon_id": upload(client, account), "upcoming_events": [AWAY_GAME]})

    assert response.status_code == 422
    assert "upcomingPassInformation: is only allowed on event tickets, not on a coupon" in error_text(response)


def test_another_organizations_asset_is_not_found(client, account, other_account):
    foreign = upload(client, other_account, "strip")

    response = create(client, account, "event_tickets", season(foreign) | {"icon_id": upload(client, account)})

    assert response.status_code == 422
    assert "upcoming_events[0].images.headerImage.asset_id: asset not found" in error_text(response)
