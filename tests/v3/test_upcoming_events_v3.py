"""A v3 pass's own `upcomingPassInformation` (issue 18): signed, its images hosted by us,
Apple's rules refused with v3's 400 naming the key."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.api.test_upcoming_events import AWAY_GAME, HOME_GAME
from tests.v3.conftest import V3Client
from tests.v3.test_pass_features_v3 import PUBLIC, create, created_data, verified_pass_json
from tests.v3.test_pass_format_v3 import uploaded_asset


def test_a_v3_pass_carries_upcoming_events_with_hosted_images(client, v3: V3Client, account, template_id,
                                                              dev_ca_pem, tmp_path):
    asset_id = uploaded_asset(account.id)
    home = {**HOME_GAME, "images": {"headerImage": {"asset_id": asset_id}}}
    created = created_data(v3, {"templateId": template_id, "upcomingPassInformation": [home, AWAY_GAME]})

    pass_json = verified_pass_json(client, created, dev_ca_pem, tmp_path / "upcoming")
    built_home, built_away = pass_json["upcomingPassInformation"]
    assert built_away == AWAY_GAME
    assert built_home["identifier"] == HOME_GAME["identifier"] and built_home["URLs"] == HOME_GAME["URLs"]
    assert built_home["dateInformation"]["date"] == "2026-05-08T20:30:00+02:00"
    for entry in built_home["images"]["headerImage"]["URLs"]:
        assert entry["URL"] == f"{PUBLIC}/assets/{asset_id}/{entry['SHA256']}.png"
        image = client.get(entry["URL"].removeprefix(PUBLIC))
        assert hashlib.sha256(image.data).hexdigest() == entry["SHA256"] and len(image.data) == entry["size"]
    assert pass_json["eventTicket"]["primaryFields"]  # the classic ticket older iOS shows
    view = v3.get(f"/pass/{created['identifier']}").json["data"]
    assert view["upcomingPassInformation"][1] == AWAY_GAME


@pytest.mark.parametrize(("events", "named"), [
    ({"identifier": "x"}, "data.upcomingPassInformation: Input should be a valid list"),
    ([{"identifier": "x", "type": "event"}], "upcomingPassInformation[0].name is required"),
    ([{**AWAY_GAME, "URLs": {"sellURL": "ftp://x.test"}}], "upcomingPassInformation[0].URLs.sellURL"),
    ([{**AWAY_GAME, "images": {"headerImage": {"asset_id": "7d1f6b7e-3d41-4a35-9d5e-6a4ad0b7a2f1"}}}],
     "upcomingPassInformation[0].images.headerImage.asset_id: asset not found"),
    # PostgreSQL's JSONB refuses a lone surrogate: it was a 500 there (json_bodies).
    ([{**AWAY_GAME, "name": "\ud800"}], "upcomingPassInformation.0.name: text must be valid Unicode"),
])
def test_bad_upcoming_events_are_400_naming_the_key(v3: V3Client, template_id, events, named):
    response = create(v3, {"templateId": template_id, "upcomingPassInformation": events})

    assert response.status_code == 400, response.json
    assert named in json.dumps(response.json)


def test_an_async_create_with_another_organizations_asset_is_refused_before_it_is_queued(
        v3: V3Client, template_id, other_account):
    foreign = uploaded_asset(other_account.id)
    response = v3.post("/pass?async=true", json={"data": {"templateId": template_id, "upcomingPassInformation": [
        {**AWAY_GAME, "images": {"venueMap": {"asset_id": foreign}}}]}})

    assert response.status_code == 400, response.json
    assert "upcomingPassInformation[0].images.venueMap.asset_id: asset not found" in json.dumps(response.json)
    assert v3.get("/pass").json["responseMetaData"]["resultsTotal"] == 0


def test_a_bulk_update_naming_another_organizations_asset_is_refused_in_the_request(
        v3: V3Client, template_id, other_account):
    identifier = created_data(v3, {"templateId": template_id})["identifier"]
    foreign = uploaded_asset(other_account.id)

    response = v3.patch("/pass/bulk", json={"filter": {"identifiers": [identifier]}, "data": {
        "upcomingPassInformation": [{**AWAY_GAME, "images": {"headerImage": {"asset_id": foreign}}}]}})

    assert response.status_code == 400, response.json
    assert "upcomingPassInformation[0].images.headerImage.asset_id: asset not found" in json.dumps(response.json)
