"""A v3 pass's own `poster` and `boardingLinks` (issue 18): Apple's top-level poster and airline
keys, each replacing its template's, signed and checked key by key; bad ones are v3's 400."""

from __future__ import annotations

import json

import pytest

from tests.api.test_nfc_and_boarding_passes import FLIGHT_CAMPAIGN, SERVICES
from tests.api.test_pass_features import CONCERT, POSTER, new_campaign
from tests.v3.conftest import V3Client
from tests.v3.test_pass_features_v3 import create, created_data, verified_pass_json


def test_a_v3_pass_replaces_its_templates_poster_keys_one_by_one(client, v3: V3Client, account, dev_ca_pem,
                                                                 tmp_path):
    template_id = new_campaign(client, account, "event_tickets", {**CONCERT, "poster": POSTER})
    created = created_data(v3, {"templateId": template_id,
                                "poster": {"eventLogoText": "Zugabe", "sellURL": "https://resale.example.test"}})

    pass_json = verified_pass_json(client, created, dev_ca_pem, tmp_path / "poster")
    expected = {**POSTER, "footerBackgroundColor": "rgb(16, 32, 48)", "eventLogoText": "Zugabe",
                "sellURL": "https://resale.example.test"}
    assert {key: pass_json[key] for key in expected} == expected
    view = v3.get(f"/pass/{created['identifier']}").json["data"]
    assert view["poster"]["eventLogoText"] == "Zugabe" and view["boardingLinks"] is None


def test_a_v3_boarding_pass_carries_its_airline_links(client, v3: V3Client, account, dev_ca_pem, tmp_path):
    template_id = new_campaign(client, account, "boarding_passes", FLIGHT_CAMPAIGN)
    created = created_data(v3, {"templateId": template_id, "boardingLinks": SERVICES})

    pass_json = verified_pass_json(client, created, dev_ca_pem, tmp_path / "links")
    assert {key: pass_json[key] for key in SERVICES} == SERVICES
    assert pass_json["preferredStyleSchemes"] == ["semanticBoardingPass", "boardingPass"]


@pytest.mark.parametrize(("data", "named"), [
    ({"poster": {"bagPolicyURL": "http://arena.example.test"}}, "bagPolicyURL: 'http://arena.example.test' must be"),
    ({"poster": {"bagPolicyUrl": "https://arena.example.test"}}, "poster.bagPolicyUrl is not a key"),
    ({"poster": "Live"}, "data.poster: Input should be a valid dictionary"),
    ({"boardingLinks": {"upgradeURL": "https://air.example.test"}},
     "upgradeURL: is only for boarding passes (semanticBoardingPass), not eventTicket"),
])
def test_bad_poster_keys_and_links_are_400_naming_the_key(v3: V3Client, template_id, data, named):
    response = create(v3, {"templateId": template_id, **data})

    assert response.status_code == 400, response.json
    assert named in json.dumps(response.json)
