"""The five pass types under /v1, each with its document's payloads (v1/coupon.md,
store_card.md, event_ticket.md, boarding_pass.md, generic.md), then bad input for every route."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from tests.api.conftest import Account
from tests.api.test_campaigns import upload
from walletservice.db import transaction
from walletservice.models import PushRequest

PUBLIC_URL = "https://wallet.example.test"


@dataclass(frozen=True)
class Example:
    segment: str
    root: str
    images: dict[str, str]  # attribute -> asset type, uploaded first
    campaign: dict
    issue: dict
    issued: dict[str, dict]  # list name -> {key: (label, value)} expected after issuing
    update: dict
    updated: dict[str, dict]
    update_method: str = "patch"
    pass_images: dict[str, str] = field(default_factory=dict)


EXAMPLES = [
    Example(
        "coupons", "coupon", {"icon_id": "icon"},
        {"name": "Paw Planet", "barcode": "pdf417", "locations": [{"longitude": -122.3748889, "latitude": 37.6189722}],
         "logo_text": "Paw Planet", "description": "20% off premium dog food", "foreground_color": "#ffffff",
         "background_color": "#ce8c46",
         "primary_fields": [{"key": "offer", "label": "Any premium dog food", "value": "20% off"}],
         "auxiliary_fields": [{"key": "expires", "label": "EXPIRES", "value": "2 weeks"}]},
        {"pass": {"barcode": {"message": "redeem token"}}},
        {"primary_fields": {"offer": ("Any premium dog food", "20% off")},
         "auxiliary_fields": {"expires": ("EXPIRES", "2 weeks")}},
        {"pass": {"primary_fields": [{"key": "offer", "value": "30% off"}],
                  "auxiliary_fields": [{"key": "expires", "value": "1 week"}]}},
        {"primary_fields": {"offer": ("Any premium dog food", "30% off")},
         "auxiliary_fields": {"expires": ("EXPIRES", "1 week")}},
    ),
    Example(
        "store_cards", "store_card", {"icon_id": "icon", "logo_id": "logo", "strip_id": "strip"},
        {"name": "Bayroast Coffee Store Cards", "logo_text": "Bayroast Coffee", "background_color": "#764a32",
         "text_color": "#f5f2f0", "label_color": "#643e2a", "barcode": "pdf417",
         "primary_fields": [{"key": "balance", "label": "$0", "value": "remaining balance"}],
         "secondary_fields": [{"key": "level", "label": "LEVEL"}, {"key": "usual_beverage", "label": "THE USUAL"}]},
        {"pass": {"primary_fields": [{"key": "balance", "label": "$25,00"}],
                  "secondary_fields": [{"key": "level", "value": "Gold"},
                                       {"key": "usual_beverage", "value": "Iced Mocha"}]}},
        {"primary_fields": {"balance": ("$25,00", "remaining balance")},
         "secondary_fields": {"level": ("LEVEL", "Gold"), "usual_beverage": ("THE USUAL", "Iced Mocha")}},
        {"pass": {"primary_fields": [{"key": "balance", "label": "$15,00"}], "merge": True, "push": False}},
        {"primary_fields": {"balance": ("$15,00", "remaining balance")},
         "secondary_fields": {"level": ("LEVEL", "Gold"), "usual_beverage": ("THE USUAL", "Iced Mocha")}},
    ),
    Example(
        "event_tickets", "event_ticket", {"icon_id": "icon", "thumbnail_id": "thumbnail", "background_id": "background"},
        {"name": "The Beat Goes On Event", "barcode": "pdf417", "text_color": "#ffffff",
         "background_color": "#3c414c",
         "primary_fields": [{"key": "event_name", "label": "EVENT", "value": "The Beat Goes On"}],
         "secondary_fields": [{"key": "loc", "label": "LOCATION", "value": "Moscone West"}],
         "locations": [{"longitude": -122.3748889, "latitude": 37.6189722,
                        "relevant_text": "Welcome! Enjoy the show."}]},
        {"pass": {"barcode": {"message": "123456789"}}},
        {"primary_fields": {"event_name": ("EVENT", "The Beat Goes On")},
         "secondary_fields": {"loc": ("LOCATION", "Moscone West")}},
        {"pass": {"secondary_fields": [{"key": "loc", "label": "LOCATION", "value": "Moscone West"}],
                  "locations": [{"latitude": 38.725488, "longitude": -9.1501,
                                 "relevant_text": "Welcome! Enjoy the show."}]}},
        {"secondary_fields": {"loc": ("LOCATION", "Moscone West")}},
    ),
    Example(
        "boarding_passes", "boarding_pass", {"icon_id": "icon", "logo_id": "logo"},
        {"name": "Skyport Airways flight 815", "barcode": "pdf417", "logo_text": "Skyport Airways",
         "foreground_color": "#6e3716", "background_color": "#325bb9", "transit_type": "air",
         "header_fields": [{"label": "GATE", "key": "gate", "value": "23"}],
         "primary_fields": [{"key": "depart", "label": "SAN FRANCISCO", "value": "SFO"},
                            {"key": "arrive", "label": "NEW YORK", "value": "JFK"}],
         "secondary_fields": [{"key": "passenger", "label": "PASSENGER"}],
         "auxiliary_fields": [{"label": "DEPART", "key": "boardingTime"},
                              {"label": "FLIGHT", "key": "flightNewName", "value": "815"},
                              {"key": "class", "label": "DESIG."}, {"key": "date", "label": "DATE", "value": "7/22"}]},
        {"pass": {"secondary_fields": [{"key": "passenger", "value": "John Appleseed"}],
                  "auxiliary_fields": [{"key": "boardingTime", "value": "2:25 PM"}, {"key": "class", "value": "Coach"}]}},
        {"secondary_fields": {"passenger": ("PASSENGER", "John Appleseed")},
         "auxiliary_fields": {"boardingTime": ("DEPART", "2:25 PM"), "flightNewName": ("FLIGHT", "815"),
                              "class": ("DESIG.", "Coach"), "date": ("DATE", "7/22")}},
        {"pass": {"auxiliary_fields": [{"key": "boardingTime", "value": "3:25 PM"}]}},
        {"auxiliary_fields": {"boardingTime": ("DEPART", "3:25 PM"), "flightNewName": ("FLIGHT", "815"),
                              "class": ("DESIG.", "Coach"), "date": ("DATE", "7/22")}},
        update_method="post",
    ),
    Example(
        "generics", "generic", {"icon_id": "icon", "logo_id": "logo"},
        {"name": "Toy Town Generic Passes", "logo_text": "Toy Town", "barcode": "pdf417", "text_color": "#ffffff",
         "background_color": "#c51f1f", "primary_fields": [{"key": "member"}],
         "secondary_fields": [{"key": "subtitle", "label": "MEMBER SINCE"}],
         "auxiliary_fields": [{"key": "level", "label": "LEVEL"}, {"key": "favorite", "label": "FAVORITE TOY"}]},
        {"pass": {"primary_fields": [{"key": "member", "value": "Johnny Appleseed"}],
                  "secondary_fields": [{"key": "subtitle", "value": "2012"}],
                  "auxiliary_fields": [{"key": "level", "value": "Platinum"}, {"key": "favorite", "value": "Trucks"}]}},
        {"primary_fields": {"member": ("", "Johnny Appleseed")},
         "secondary_fields": {"subtitle": ("MEMBER SINCE", "2012")},
         "auxiliary_fields": {"level": ("LEVEL", "Platinum"), "favorite": ("FAVORITE TOY", "Trucks")}},
        {"pass": {"auxiliary_fields": [{"key": "favorite", "value": "Airplanes"}]}},
        {"auxiliary_fields": {"level": ("LEVEL", "Platinum"), "favorite": ("FAVORITE TOY", "Airplanes")}},
        pass_images={"thumbnail_id": "thumbnail"},
    ),
]
BY_SEGMENT = {example.segment: example for example in EXAMPLES}
pytestmark = pytest.mark.parametrize("example", EXAMPLES, ids=[example.segment for example in EXAMPLES])


def fields_of(body: dict, list_name: str) -> dict:
    return {item["key"]: (item["label"], item["value"]) for item in body[list_name]}


def pushes() -> int:
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(PushRequest))


def create_campaign(client, account: Account, example: Example) -> dict:
    images = {name: upload(client, account, asset_type) for name, asset_type in example.images.items()}
    response = client.post(f"/v1/{example.segment}/", json={example.root: {**example.campaign, **images}},
                           headers=account.basic)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def issue_pass(client, account: Account, example: Example, campaign: dict) -> dict:
    body = {"pass": {**example.issue["pass"],
                     **{name: upload(client, account, kind) for name, kind in example.pass_images.items()}}}
    response = client.post(f"/v1/{example.segment}/{campaign['id']}/passes", json=body, headers=account.basic)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_documented_walkthrough(client, account, example: Example):
    campaign = create_campaign(client, account, example)
    assert campaign["name"] == example.campaign["name"] and campaign["barcode"] == "pdf417"
    assert campaign["description"] == example.campaign.get("description", example.campaign["name"])
    if "foreground_color" in example.campaign:
        assert campaign["text_color"] == example.campaign["foreground_color"]
    assert campaign["transit_type"] == example.campaign.get("transit_type")

    issued = issue_pass(client, account, example, campaign)
    assert issued[f"{example.root}_id"] == campaign["id"]
    for list_name, expected in example.issued.items():
        assert fields_of(issued, list_name) == expected, list_name
    assert issued["voided"] is False and issued["redeemed_count"] == 0
    assert issued["direct_link"].startswith(f"{PUBLIC_URL}/download/")
    assert issued["download_page_link"].startswith(f"{PUBLIC_URL}/p/")
    message = example.issue["pass"].get("barcode", {}).get("message")
    assert issued["barcode"]["message"] == (message or "0000001")

    before = pushes()
    item = f"/v1/{example.segment}/{campaign['id']}/passes/{issued['id']}"
    updated = getattr(client, example.update_method)(item, json=example.update, headers=account.basic)
    assert updated.status_code == 201, updated.get_json()  # as the v1 documents show
    for list_name, expected in example.updated.items():
        assert fields_of(updated.get_json(), list_name) == expected, list_name
    assert pushes() == before + (0 if example.update["pass"].get("push") is False else 1)

    assert client.get(item, headers=account.basic).get_json() == updated.get_json()
    pushed = client.post(f"{item}/push", json={"push_message": "Hello!"}, headers=account.basic)
    assert pushed.status_code == 202 and pushed.get_json()["push_id"]

    listed = client.get(f"/v1/{example.segment}/{campaign['id']}/passes", headers=account.basic)
    assert listed.status_code == 200 and [p["id"] for p in listed.get_json()] == [issued["id"]]
    assert listed.headers["X-Total"] == "1"
    campaigns = client.get(f"/v1/{example.segment}", headers=account.basic)
    assert [c["id"] for c in campaigns.get_json()] == [campaign["id"]]
    assert client.get(f"/v1/{example.segment}/{campaign['id']}", headers=account.basic).get_json() == campaign

    deleted = client.delete(item, headers=account.basic)
    assert deleted.status_code == 200 and deleted.get_json() == {"errors": []}


def test_campaign_bad_input(client, account, example: Example):
    images = {name: upload(client, account, kind) for name, kind in example.images.items()}
    url = f"/v1/{example.segment}"

    def refused(attributes: dict, root: str = example.root) -> list[str]:
        response = client.post(url, json={root: attributes}, headers=account.basic)
        assert response.status_code == 422, response.get_json()
        return response.get_json()["errors"]

    assert any("barcode" in e for e in refused({**example.campaign, **images, "barcode": "banana"}))
    assert any("icon_id" in e for e in refused({**example.campaign, **{k: v for k, v in images.items()
                                                                         if k != "icon_id"}}))
    assert any(example.root in e for e in refused({**example.campaign, **images}, root="campaign"))
    assert client.get(f"{url}?q[colour_eq]=red", headers=account.basic).status_code == 422
    assert client.get(f"{url}/00000000-0000-0000-0000-000000000000", headers=account.basic).status_code == 404
    assert client.get(url).status_code == 401


def test_pass_bad_input(client, account, other_account, example: Example):
    campaign = create_campaign(client, account, example)
    issued = issue_pass(client, account, example, campaign)
    passes = f"/v1/{example.segment}/{campaign['id']}/passes"
    item = f"{passes}/{issued['id']}"

    # A key the campaign lacks is the pass's own field (docs/v1-compatibility.md), in v1 as in v2.
    own_key = client.post(passes, json={"pass": {"back_fields": [{"key": "own", "value": 1}]}},
                          headers=account.basic)
    assert own_key.status_code == 201, own_key.get_json()
    assert {"key": "own", "label": "", "value": 1} in own_key.get_json()["back_fields"]
    bad_color = getattr(client, example.update_method)(item, json={"pass": {"background_color": "red"}},
                                                       headers=account.basic)
    assert bad_color.status_code == 422
    assert client.post(f"{item}/push", data="not json", content_type="application/json",
                       headers=account.basic).status_code == 400
    assert client.get(item, headers=other_account.basic).status_code == 404
    assert client.get(f"{passes}?per_page=lots", headers=account.basic).status_code == 422
    assert client.delete(item, headers=account.basic).status_code == 200
    assert client.delete(item, headers=account.basic).status_code == 404
    assert client.get(item, headers=account.basic).status_code == 404
