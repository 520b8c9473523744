"""Featured actions (iOS 27) through v2: `featured_actions` on campaigns and passes, signed into
pass.json's `featuredActions` in Apple's spelling (Apple's Pass Builder, Pass+Action.swift)."""

from __future__ import annotations

import pytest

from tests.api.conftest import error_text
from tests.api.test_campaigns import create, upload
from tests.api.test_pass_features import assert_smime_verifies, new_campaign, new_pass, pass_json_of, pkpass_of
from tests.web.test_bundles import assert_signed_pkpass

BENEFITS = {"identifier": "benefits", "type": "membershipBenefits", "url": "https://club.example.test/benefits"}
LOUNGE = {"identifier": "lounge", "type": "membershipBenefits", "url": "https://club.example.test/lounge"}
MEMBER_CARD = {"name": "Club card", "barcode": {"format": "qrcode"},
               "primary_fields": [{"key": "member", "label": "MEMBER", "value": "Ada"}],
               "featured_actions": [BENEFITS]}


@pytest.mark.parametrize("segment", ["store_cards", "generics", "coupons", "event_tickets", "boarding_passes"])
def test_featured_actions_are_signed_into_every_style(client, account, segment, dev_ca_pem, tmp_path):
    extra = {"transit_type": "air"} if segment == "boarding_passes" else {}
    campaign_id = new_campaign(client, account, segment, {**MEMBER_CARD, **extra})
    created = new_pass(client, account, segment, campaign_id, {})
    assert created.status_code == 201, created.get_json()
    pkpass = pkpass_of(client, created.get_json())

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "cms")
    assert_smime_verifies(pkpass, dev_ca_pem, tmp_path / "smime")
    assert pass_json_of(pkpass)["featuredActions"] == [BENEFITS]
    assert created.get_json()["featured_actions"] == [BENEFITS]


def test_a_pass_replaces_its_campaigns_featured_actions(client, account):
    campaign_id = new_campaign(client, account, "store_cards", MEMBER_CARD)
    created = new_pass(client, account, "store_cards", campaign_id, {"featured_actions": [LOUNGE, BENEFITS]})
    assert created.status_code == 201, created.get_json()

    assert pass_json_of(pkpass_of(client, created.get_json()))["featuredActions"] == [LOUNGE, BENEFITS]


def test_without_featured_actions_the_key_is_absent(client, account):
    campaign_id = new_campaign(client, account, "store_cards", {**MEMBER_CARD, "featured_actions": None})
    created = new_pass(client, account, "store_cards", campaign_id, {})

    assert "featuredActions" not in pass_json_of(pkpass_of(client, created.get_json()))


@pytest.mark.parametrize(("actions", "named"), [
    ([BENEFITS, LOUNGE, {**LOUNGE, "identifier": "third"}], "featuredActions: has 3 actions; Wallet shows at most 2"),
    ([BENEFITS, {**LOUNGE, "identifier": "benefits"}], "featuredActions[1].identifier: 'benefits' is used twice"),
    ([{"type": "membershipBenefits"}], "featuredActions[0].identifier is required"),
    ([{"identifier": "a"}], "featuredActions[0].type is required"),
    ([{**BENEFITS, "type": ""}], "featuredActions[0].type: must be a non-empty string"),
    ([{**BENEFITS, "url": "http://club.example.test"}], "featuredActions[0].url: 'http://club.example.test' must be"),
    ([{**BENEFITS, "value": "x"}], "featuredActions[0].value"),
    (["benefits"], "featured_actions.0: Input should be a valid dictionary"),
])
def test_bad_featured_actions_are_422_naming_the_key(client, account, actions, named):
    response = create(client, account, "store_cards",
                      {**MEMBER_CARD, "icon_id": upload(client, account), "featured_actions": actions})

    assert response.status_code == 422, response.get_json()
    assert named in error_text(response)
