"""Campaigns of the five pass types: CRUD, states, push, and bad input (v2/*.md)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests.api.conftest import Account, row_counts, error_text
from tests.factories import png_bytes
from walletservice.db import transaction
from walletservice.models import Campaign, PushRequest

TYPES = {"coupons": "coupon", "store_cards": "store_card", "event_tickets": "event_ticket",
         "boarding_passes": "boarding_pass", "generics": "generic"}


def upload(client, account: Account, asset_type: str = "icon") -> str:
    form = {"asset[asset_type]": asset_type, "asset[file]": (io.BytesIO(png_bytes((300, 300))), "a.png")}
    response = client.post("/v2/assets", data=form, headers=account.basic, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def toy_town(icon_id: str, logo_id: str | None = None) -> dict:
    """generic.md's Toy Town campaign."""
    body = {
        "name": "Toy Town Generic Passes!", "icon_id": icon_id, "logo_text": "Toy Town",
        "barcode": {"format": "pdf417"}, "text_color": "#ffffff", "background_color": "#c51f1f",
        "primary_fields": [{"key": "member"}],
        "secondary_fields": [{"key": "subtitle", "label": "MEMBER SINCE"}],
        "auxiliary_fields": [{"key": "level", "label": "LEVEL"}, {"key": "favorite", "label": "FAVORITE TOY"}],
    }
    if logo_id:
        body["logo_id"] = logo_id
    return body


def campaign_rows() -> int:
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Campaign))


def create(client, account: Account, segment: str, attributes: dict):
    return client.post(f"/v2/{segment}", json={TYPES[segment]: attributes}, headers=account.basic)


@pytest.fixture
def icon(client, account) -> str:
    return upload(client, account)


def test_create_generic_answers_the_documented_keys(client, account, icon):
    logo = upload(client, account, "logo")

    response = create(client, account, "generics", toy_town(icon, logo))

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    documented = {"id", "name", "template_id", "organization_name", "barcode", "allow_multiple_redeems",
                  "header_fields", "primary_fields", "secondary_fields", "auxiliary_fields", "back_fields",
                  "locations", "beacons", "user_info", "page_url", "created_at", "updated_at"}
    assert documented <= set(body)
    assert body["name"] == "Toy Town Generic Passes!"
    assert body["organization_name"] == "Toy Town"  # the account's name by default
    assert body["description"] == "Toy Town Generic Passes!"  # the name by default
    assert body["barcode"] == {"format": "pdf417", "message": "", "alt_text": "", "alt_text_type": "mirror", "encoding": None}
    assert body["primary_fields"] == [
        {"key": "member", "value": None, "label": None, "change_message": None, "behaviour": "fixed"}]
    assert [field["label"] for field in body["auxiliary_fields"]] == ["LEVEL", "FAVORITE TOY"]
    assert (body["icon_id"], body["logo_id"], body["state"]) == (icon, logo, "published")
    assert (body["background_color"], body["text_color"]) == ("#c51f1f", "#ffffff")
    assert (body["og"], body["og_description"]) == (True, "")
    assert body["created_at"].endswith("Z")


def test_android_pay_keys_are_answered_and_gwallet_usage_is_kept(client, account, icon):
    # android_pay.md: campaigns answer gwallet_usage, gwallet_status and gwallet_message, and take
    # gwallet_usage (default false). With it, the campaign's Google sync is queued (tests/google/).
    asked = create(client, account, "coupons", {**toy_town(icon), "gwallet_usage": True})
    plain = create(client, account, "store_cards", {**toy_town(icon), "name": "Toy Town members"})

    assert asked.status_code == plain.status_code == 201, asked.get_json()
    assert (asked.get_json()["gwallet_usage"], asked.get_json()["gwallet_status"]) == (True, "local")
    assert (plain.get_json()["gwallet_usage"], plain.get_json()["gwallet_status"]) == (False, None)
    for body in (asked.get_json(), plain.get_json()):
        assert body["gwallet_message"] is None
    listed = client.get("/v2/coupons", headers=account.basic).get_json()
    assert (listed[0]["gwallet_usage"], listed[0]["gwallet_status"]) == (True, "local")
    bad = create(client, account, "generics", {**toy_town(icon), "name": "Bad", "gwallet_usage": "maybe"})
    assert bad.status_code in (400, 422) and bad.is_json


def test_every_type_has_the_same_routes(client, account, icon):
    for segment in TYPES:
        attributes = {"name": f"{segment} campaign", "icon_id": icon}
        if segment == "boarding_passes":
            attributes["transit_type"] = "train"
        created = create(client, account, segment, attributes)
        assert created.status_code == 201, (segment, created.get_json())
        campaign_id = created.get_json()["id"]
        assert client.get(f"/v2/{segment}/{campaign_id}", headers=account.basic).status_code == 200
        listed = client.get(f"/v2/{segment}", headers=account.basic)
        assert [item["id"] for item in listed.get_json()] == [campaign_id]
        assert listed.headers["X-Total"] == "1"
    # A coupon is not found under /generics.
    coupon_id = client.get("/v2/coupons", headers=account.basic).get_json()[0]["id"]
    assert client.get(f"/v2/generics/{coupon_id}", headers=account.basic).status_code == 404


def test_list_filters_and_sorts_by_name_and_state(client, account, icon):
    for name in ("Alpha", "Beta", "Gamma"):
        assert create(client, account, "coupons", {"name": name, "icon_id": icon}).status_code == 201
    beta = client.get("/v2/coupons", query_string={"q[name_eq]": "Beta"}, headers=account.basic).get_json()
    client.post(f"/v2/coupons/{beta[0]['id']}/pause", headers=account.basic)

    def names(**query):
        return [c["name"] for c in client.get("/v2/coupons", query_string=query, headers=account.basic).get_json()]

    assert names(**{"q[name_cont]": "a", "q[s]": "name desc"}) == ["Gamma", "Beta", "Alpha"]
    assert names(**{"q[state_eq]": "paused"}) == ["Beta"]
    assert names(**{"q[created_at_gteq]": "2000-01-01", "q[updated_at_lt]": "2000-01-01"}) == []
    assert client.get("/v2/coupons", query_string={"q[design_cont]": "x"},
                      headers=account.basic).status_code == 422


def test_patch_changes_only_what_is_sent(client, account, icon):
    campaign = create(client, account, "generics", toy_town(icon)).get_json()

    response = client.patch(f"/v2/generics/{campaign['id']}", json={"generic": {"background_color": "#facada"}},
                            headers=account.basic)

    assert response.status_code == 200, response.get_json()
    updated = response.get_json()
    assert updated["background_color"] == "#facada"
    # A template-related change generates a new template (templates.md).
    unchanged = {key: value for key, value in campaign.items()
                 if key not in ("background_color", "updated_at", "template_id")}
    assert {key: updated[key] for key in unchanged} == unchanged


def test_patch_keeps_settings_that_v2_attributes_do_not_describe(client, account, icon):
    campaign = create(client, account, "generics", toy_town(icon)).get_json()
    with transaction() as session:  # e.g. a setting written by another API
        stored = session.get(Campaign, campaign["id"])
        stored.settings = {**stored.settings, "v3OnlySetting": {"kept": True}}

    response = client.patch(f"/v2/generics/{campaign['id']}", json={"generic": {"og": False}},
                            headers=account.basic)

    assert response.status_code == 200
    with transaction(write=False) as session:
        settings = session.get(Campaign, campaign["id"]).settings
    assert settings["v3OnlySetting"] == {"kept": True} and settings["og"] is False


def test_patch_can_clear_an_attribute_but_not_the_icon(client, account, icon):
    campaign = create(client, account, "generics", toy_town(icon)).get_json()
    url = f"/v2/generics/{campaign['id']}"

    assert client.patch(url, json={"generic": {"logo_text": None}}, headers=account.basic).get_json()["logo_text"] is None
    refused = client.patch(url, json={"generic": {"icon_id": None}}, headers=account.basic)
    assert refused.status_code == 422
    assert "icon_id" in error_text(refused)


def test_presentation_fields_reach_the_design(client, account, icon):
    attributes = {
        "name": "Sale", "icon_id": icon, "strip_id": upload(client, account, "strip"),
        "label_color": "#010203", "barcode": {"format": "ean128", "message": "M", "alt_text": "A",
                                              "encoding": "utf-8"},
        "back_fields": [{"key": "terms", "label": "TERMS", "value": "None", "behaviour": "dynamic"}],
        "locations": [{"latitude": 38.7, "longitude": -9.1, "altitude": 10.0, "relevant_text": "Nearby"}],
        "beacons": [{"proximity_uuid": "30b5d792-48c9-4f12-80ff-082cae62e80f", "major": 1, "minor": 2}],
        "max_distance": 50, "relevant_date": "2030-01-01T10:00:00Z", "expiration_date": "2030-02-01T00:00:00+01:00",
        "user_info": {"tier": "gold"}, "associated_store_identifiers": [284882215],
        "organization_name": "Toy Town Ltd", "description": "Summer sale",
        "og": False, "og_description": "Sale!", "javascript": "console.log(1)", "stylesheet": "body{}",
    }

    response = create(client, account, "coupons", attributes)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["barcode"] == {"format": "ean128", "message": "M", "alt_text": "A", "alt_text_type": "custom",
                               "encoding": "utf-8"}
    assert body["back_fields"][0]["behaviour"] == "dynamic"
    assert body["locations"] == [{"latitude": 38.7, "longitude": -9.1, "altitude": 10.0, "relevant_text": "Nearby"}]
    assert body["beacons"][0]["proximity_uuid"] == "30b5d792-48c9-4f12-80ff-082cae62e80f"
    assert (body["relevant_date"], body["expiration_date"]) == ("2030-01-01T10:00:00Z", "2030-01-31T23:00:00Z")
    assert (body["og"], body["og_description"], body["javascript"], body["stylesheet"]) == (
        False, "Sale!", "console.log(1)", "body{}")
    with transaction(write=False) as session:
        campaign = session.get(Campaign, body["id"])
        design, settings = campaign.design, campaign.settings
    assert design["style"] == "coupon" and design["labelColor"] == "#010203"
    assert design["images"] == {"icon": icon, "strip": body["strip_id"]}
    assert design["backFields"] == [{"key": "terms", "label": "TERMS", "value": "None"}]  # no behaviour key
    assert settings["behaviours"] == {"terms": "dynamic"}
    assert design["userInfo"] == {"tier": "gold"} and design["maxDistance"] == 50


def test_state_machine_moves_and_412_on_illegal_moves(client, account, icon):
    campaign_id = create(client, account, "event_tickets", {"name": "Gig", "icon_id": icon}).get_json()["id"]
    url = f"/v2/event_tickets/{campaign_id}"

    def move(action):
        return client.post(f"{url}/{action}", headers=account.basic)

    assert move("resume").status_code == 412
    assert move("pause").get_json()["state"] == "paused"
    assert move("pause").status_code == 412
    assert move("resume").get_json()["state"] == "published"
    assert move("archive").get_json()["state"] == "archived"
    refused = move("resume")
    assert refused.status_code == 412
    assert refused.get_json() == {"errors": ["Can't resume from archived to publish"]}
    assert move("archive").status_code == 412


def test_delete_removes_the_campaign(client, account, icon):
    campaign_id = create(client, account, "generics", toy_town(icon)).get_json()["id"]

    response = client.delete(f"/v2/generics/{campaign_id}", headers=account.basic)

    assert response.status_code == 200 and response.get_json() == {"errors": []}
    assert client.get(f"/v2/generics/{campaign_id}", headers=account.basic).status_code == 404
    assert campaign_rows() == 0


def test_campaign_push_answers_at_once_with_a_push_id(client, account, icon):
    campaign_id = create(client, account, "generics", toy_town(icon)).get_json()["id"]

    response = client.post(f"/v2/generics/{campaign_id}/push", json={"generic": {"push_message": "New!"}},
                           headers=account.basic)

    assert response.status_code == 202
    body = response.get_json()
    assert body["message"] == "There are no passes to update for campaign 'Toy Town Generic Passes!'."
    with transaction(write=False) as session:
        assert session.get(PushRequest, body["push_id"]).campaign_id == campaign_id
    assert client.get(f"/v2/pushes/{body['push_id']}", headers=account.basic).status_code == 200


def test_another_organizations_campaign_is_404_everywhere(client, account, other_account, icon):
    campaign_id = create(client, account, "generics", toy_town(icon)).get_json()["id"]
    url = f"/v2/generics/{campaign_id}"
    before = row_counts(), campaign_rows()

    assert client.get(url, headers=other_account.basic).status_code == 404
    assert client.patch(url, json={"generic": {"name": "x"}}, headers=other_account.basic).status_code == 404
    # generic.md, "Delete a Generic campaign": an unknown campaign is 412
    assert client.delete(url, headers=other_account.basic).status_code == 412
    for action in ("pause", "resume", "archive", "push"):
        assert client.post(f"{url}/{action}", headers=other_account.basic).status_code == 404
    assert client.get("/v2/generics", headers=other_account.basic).get_json() == []
    assert (row_counts(), campaign_rows()) == before
    assert client.get(url, headers=account.basic).get_json()["name"] == "Toy Town Generic Passes!"


BAD_ATTRIBUTES = [
    ({"name": 5}, "name"),
    ({"name": ""}, "name"),
    ({"icon_id": None}, "icon_id"),
    ({"icon_id": "not-a-uuid"}, "icon_id"),
    ({"barcode": {"format": "code93"}}, "barcode.format"),
    ({"barcode": "qrcode"}, "barcode"),
    ({"background_color": "red"}, "background_color"),
    ({"text_color": "#12345"}, "text_color"),
    ({"label_color": "rgb(1,2,3)"}, "label_color"),
    ({"locations": [{"latitude": 1, "longitude": 1}] * 11}, "locations"),
    ({"locations": [{"latitude": 91, "longitude": 1}]}, "locations.0.latitude"),
    ({"locations": [{"longitude": 1}]}, "locations.0.latitude"),
    ({"beacons": [{"proximity_uuid": "30b5d792-48c9-4f12-80ff-082cae62e80f"}] * 11}, "beacons"),
    ({"beacons": [{"proximity_uuid": "nope"}]}, "beacons.0.proximity_uuid"),
    ({"beacons": [{"proximity_uuid": "30b5d792-48c9-4f12-80ff-082cae62e80f", "major": 70000}]}, "beacons.0.major"),
    ({"primary_fields": [{"label": "no key"}]}, "primary_fields.0.key"),
    ({"primary_fields": [{"key": "a", "behaviour": "sometimes"}]}, "primary_fields.0.behaviour"),
    ({"primary_fields": [{"key": "a"}], "back_fields": [{"key": "a"}]}, "back_fields[0].key"),
    ({"primary_fields": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]}, "primaryFields"),  # Apple: one primary field
    ({"header_fields": [{"key": "h", "value": "1", "change_message": "no placeholder"}]}, "changeMessage"),
    ({"max_distance": 101}, "max_distance"),
    ({"max_distance": -1}, "max_distance"),
    ({"relevant_date": "tomorrow"}, "relevant_date"),
    ({"user_info": [1]}, "user_info"),
    ({"associated_store_identifiers": ["app"]}, "associated_store_identifiers"),
    ({"transit_type": "air"}, "transit_type"),
    ({"og": "maybe"}, "og"),
    ({"certificate_id": "30b5d792-48c9-4f12-80ff-082cae62e80f"}, "certificate_id"),
    ({"template_id": "30b5d792-48c9-4f12-80ff-082cae62e80f"}, "template_id"),
    ({"logo_id": "30b5d792-48c9-4f12-80ff-082cae62e80f"}, "logo_id"),
]


@pytest.mark.parametrize(("change", "named"), BAD_ATTRIBUTES, ids=[named for _c, named in BAD_ATTRIBUTES])
def test_bad_attributes_are_422_naming_the_field_and_change_nothing(client, account, icon, change, named):
    before = row_counts(), campaign_rows()

    response = create(client, account, "generics", {**toy_town(icon), **change})

    assert response.status_code == 422, response.get_json()
    assert named in error_text(response)
    assert (row_counts(), campaign_rows()) == before


def test_bad_patch_changes_nothing(client, account, icon):
    campaign = create(client, account, "generics", toy_town(icon)).get_json()
    url = f"/v2/generics/{campaign['id']}"

    for change in ({"background_color": "blue"}, {"locations": [{"latitude": 0, "longitude": 0}] * 11},
                   {"barcode": {"format": "upc"}}, {"name": None}):
        assert client.patch(url, json={"generic": change}, headers=account.basic).status_code == 422, change
    assert client.get(url, headers=account.basic).get_json() == campaign


def test_foreign_or_mistyped_assets_are_refused(client, account, other_account, icon):
    foreign_icon = upload(client, other_account)
    logo = upload(client, account, "logo")
    before = row_counts(), campaign_rows()

    foreign = create(client, account, "generics", toy_town(foreign_icon))
    mistyped = create(client, account, "generics", toy_town(logo))

    assert foreign.status_code == 422 and foreign.get_json()["errors"] == {"icon_id": "asset not found"}
    assert mistyped.get_json()["errors"] == {"icon_id": "the asset is a logo, not an icon"}
    assert (row_counts(), campaign_rows()) == before


def test_missing_root_or_name_or_transit_type_is_422(client, account, icon):
    assert client.post("/v2/generics", json={"name": "x", "icon_id": icon}, headers=account.basic).status_code == 422
    assert create(client, account, "generics", {"icon_id": icon}).status_code == 422
    missing = create(client, account, "boarding_passes", {"name": "Flight", "icon_id": icon})
    assert missing.status_code == 422 and "transit_type" in error_text(missing)
    assert client.post("/v2/generics", data="{", content_type="application/json",
                       headers=account.basic).status_code == 400
    assert campaign_rows() == 0


def test_names_are_unique_per_organization(client, account, other_account, icon):
    assert create(client, account, "generics", toy_town(icon)).status_code == 201
    again = create(client, account, "coupons", toy_town(icon))
    assert again.status_code == 422 and error_text(again).startswith("name:")
    assert create(client, other_account, "generics", toy_town(upload(client, other_account))).status_code == 201


def test_campaign_routes_need_credentials(client):
    assert client.get("/v2/generics").status_code == 401
    assert client.post("/v2/generics", json={}).status_code == 401
