"""Passes under a campaign, the Skyport Airways walkthrough, and the device flow after an update."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from tests.api.conftest import Account, row_counts, error_text
from tests.api.test_campaigns import create, toy_town, upload
from walletservice.db import transaction
from walletservice.models import Pass, PushRequest

SKYPORT_CAMPAIGN = {  # boarding_pass.md / passworks-v2-boarding-passes.md, step 1
    "name": "Skyport Airways flight 815",
    "barcode": {"format": "pdf417"},
    "logo_text": "Skyport Airways",
    "foreground_color": "#6e3716",
    "background_color": "#325bb9",
    "transit_type": "air",
    "header_fields": [{"label": "GATE", "key": "gate", "value": "23"}],
    "primary_fields": [{"key": "depart", "label": "SAN FRANCISCO", "value": "SFO"},
                       {"key": "arrive", "label": "NEW YORK", "value": "JFK"}],
    "secondary_fields": [{"key": "passenger", "label": "PASSENGER"}],
    "auxiliary_fields": [{"label": "DEPART", "key": "boardingTime"},
                         {"label": "FLIGHT", "key": "flightNewName", "value": "815"},
                         {"key": "class", "label": "DESIG."},
                         {"key": "date", "label": "DATE", "value": "7/22"}],
}
JOHN = {"pass": {  # step: creating John Appleseed's boarding pass
    "secondary_fields": [{"key": "passenger", "value": "John Appleseed"}],
    "auxiliary_fields": [{"key": "boardingTime", "value": "2:25 PM"}, {"key": "class", "value": "Coach"}],
}}


def values_of(body: dict, list_name: str) -> dict:
    return {field["key"]: field["value"] for field in body[list_name]}


def pass_rows() -> int:
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Pass))


@pytest.fixture
def skyport(client, account) -> str:
    icon, logo = upload(client, account), upload(client, account, "logo")
    response = create(client, account, "boarding_passes", {**SKYPORT_CAMPAIGN, "icon_id": icon, "logo_id": logo})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.fixture
def toy_town_id(client, account) -> str:
    return create(client, account, "generics", toy_town(upload(client, account))).get_json()["id"]


def test_skyport_walkthrough(client, account: Account, skyport):
    base = f"/v2/boarding_passes/{skyport}"
    # 1. The campaign, as documented.
    campaign = client.get(base, headers=account.basic).get_json()
    assert campaign["transit_type"] == "air" and campaign["text_color"] == "#6e3716"
    assert values_of(campaign, "auxiliary_fields") == {
        "boardingTime": None, "flightNewName": "815", "class": None, "date": "7/22"}
    # 2. The gate changes: PATCH the campaign.
    patched = client.patch(base, json={"boarding_pass": {"header_fields": [
        {"label": "GATE", "key": "gate", "value": "A3"}]}}, headers=account.basic)
    assert patched.status_code == 200
    assert patched.get_json()["header_fields"][0]["value"] == "A3"
    assert values_of(patched.get_json(), "primary_fields") == {"depart": "SFO", "arrive": "JFK"}
    # 3. Push the campaign: nobody holds a pass yet.
    pushed = client.post(f"{base}/push", json={"boarding_pass": {"push_message": "Gate has changed!"}},
                         headers=account.basic)
    assert pushed.status_code == 202
    assert pushed.get_json()["message"] == "There are no passes to update for campaign 'Skyport Airways flight 815'."
    # 4. John Appleseed's pass.
    created = client.post(f"{base}/passes", json=JOHN, headers=account.basic)
    assert created.status_code == 201, created.get_json()
    john = created.get_json()
    assert john["campaign_id"] == skyport and john["voided"] is False
    assert john["header_fields"][0]["value"] == "A3"
    assert values_of(john, "secondary_fields") == {"passenger": "John Appleseed"}
    assert values_of(john, "auxiliary_fields") == {
        "boardingTime": "2:25 PM", "flightNewName": "815", "class": "Coach", "date": "7/22"}
    assert john["redeem_code"] == "0000001"  # code_type sequential (the default)
    assert john["barcode"] == {"format": "pdf417", "message": "0000001", "alt_text": "0000001", "alt_text_type": "mirror",
                               "encoding": None}
    assert john["pkpass_url"].startswith("https://wallet.example.test/download/")
    # 5. Boarding time changes: the walkthrough POSTs to the pass.
    updated = client.post(f"{base}/passes/{john['id']}",
                          json={"pass": {"auxiliary_fields": [{"key": "boardingTime", "value": "3:25 PM"}]}},
                          headers=account.basic)
    assert updated.status_code == 200, updated.get_json()
    assert values_of(updated.get_json(), "auxiliary_fields")["boardingTime"] == "3:25 PM"
    assert values_of(updated.get_json(), "secondary_fields") == {"passenger": "John Appleseed"}
    assert updated.get_json()["push_id"]
    # 6. Push John's pass with a message.
    push = client.post(f"{base}/passes/{john['id']}/push", json={"pass": {"push_message": "Boarding time changed."}},
                       headers=account.basic)
    assert push.status_code == 202
    assert push.get_json()["message"] == (
        f"push notifications sent for pass with id: {john['id']} on campaign 'Skyport Airways flight 815'")
    # 7. The campaign push now has a pass to update.
    assert "Pushing the 1 passes" in client.post(f"{base}/push", headers=account.basic).get_json()["message"]
    # The signed pass carries it all.
    bundle = client.get(john["pkpass_url"].removeprefix("https://wallet.example.test"))
    pass_json = json.loads(zipfile.ZipFile(io.BytesIO(bundle.data)).read("pass.json"))
    assert pass_json["boardingPass"]["transitType"] == "PKTransitTypeAir"
    assert pass_json["foregroundColor"] == "rgb(110, 55, 22)" or pass_json["foregroundColor"] == "#6e3716"
    assert {f["key"]: f["value"] for f in pass_json["boardingPass"]["auxiliaryFields"]}["boardingTime"] == "3:25 PM"


def test_empty_body_issues_the_boilerplate_pass(client, account, toy_town_id):
    response = client.post(f"/v2/generics/{toy_town_id}/passes", headers=account.basic)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert values_of(body, "primary_fields") == {"member": None}  # unfilled: left out of pass.json
    assert body["redeem_code"] == "0000001" and body["redeemed_count"] == 0
    assert body["barcode"]["message"] == body["barcode"]["alt_text"] == "0000001"  # Passworks: the redeem code


def test_pass_answers_carry_the_short_urls_a_client_redirects_to(client, account, toy_town_id):
    # coupon.md's pass answer has page_short_url and pkpass_short_url, and advanced-features.md
    # says "just redirect the user to page_short_url". We have no shortener: the same links.
    base = f"/v2/generics/{toy_town_id}/passes"
    created = client.post(base, json={"pass": {}}, headers=account.basic).get_json()
    listed = client.get(base, headers=account.basic).get_json()

    for body in (created, listed[0]):
        assert body["page_short_url"] == body["page_url"]
        assert body["pkpass_short_url"] == body["pkpass_url"]
    assert client.get(created["page_short_url"].removeprefix("https://wallet.example.test")).status_code == 200


def test_toy_town_pass_with_thumbnail_list_get_delete(client, account, toy_town_id):
    thumbnail = upload(client, account, "thumbnail")
    base = f"/v2/generics/{toy_town_id}/passes"
    created = client.post(base, json={"pass": {
        "thumbnail_id": thumbnail, "primary_fields": [{"key": "member", "value": "Johnny Appleseed"}],
        "secondary_fields": [{"key": "subtitle", "value": "2012"}],
        "auxiliary_fields": [{"key": "level", "value": "Platinum"}, {"key": "favorite", "value": "Trucks"}]}},
        headers=account.basic)
    assert created.status_code == 201, created.get_json()
    johnny = created.get_json()
    assert johnny["thumbnail_id"] == thumbnail
    assert johnny["auxiliary_fields"][1] == {"key": "favorite", "value": "Trucks", "label": "FAVORITE TOY",
                                             "change_message": None, "behaviour": "fixed"}

    listed = client.get(base, headers=account.basic)
    assert [item["id"] for item in listed.get_json()] == [johnny["id"]] and listed.headers["X-Total"] == "1"
    assert client.get(base, query_string={"q[voided_eq]": "true"}, headers=account.basic).get_json() == []
    assert client.get(f"{base}/{johnny['id']}", headers=account.basic).get_json() == johnny

    patched = client.patch(f"{base}/{johnny['id']}", json={"pass": {"auxiliary_fields": [
        {"key": "favorite", "value": "Airplanes"}]}}, headers=account.basic).get_json()
    assert values_of(patched, "auxiliary_fields") == {"level": "Platinum", "favorite": "Airplanes"}

    deleted = client.delete(f"{base}/{johnny['id']}", headers=account.basic)
    assert deleted.status_code == 200 and deleted.get_json() == {"errors": []}
    assert client.get(f"{base}/{johnny['id']}", headers=account.basic).status_code == 404


def test_merge_false_replaces_the_pass_values_and_push_false_pushes_nothing(client, account, toy_town_id):
    base = f"/v2/generics/{toy_town_id}/passes"
    pass_id = client.post(base, json={"pass": {"auxiliary_fields": [
        {"key": "level", "value": "Gold"}, {"key": "favorite", "value": "Trucks"}]}},
        headers=account.basic).get_json()["id"]

    response = client.patch(f"{base}/{pass_id}", json={
        "merge": False, "push": False, "pass": {"auxiliary_fields": [{"key": "level", "value": "Silver"}]}},
        headers=account.basic)

    body = response.get_json()
    assert values_of(body, "auxiliary_fields") == {"level": "Silver", "favorite": None}
    assert body["push_id"] is None
    with transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(PushRequest)) == 0


def test_an_update_that_changes_nothing_keeps_the_tag_and_pushes_nothing(client, account, toy_town_id):
    """Apple: push only when the pass changed; the device would fetch the same pass again."""
    base = f"/v2/generics/{toy_town_id}/passes"
    same = {"pass": {"auxiliary_fields": [{"key": "level", "value": "Gold"}]}}
    pass_id = client.post(base, json=same, headers=account.basic).get_json()["id"]
    with transaction(write=False) as session:
        tag_before = session.get(Pass, pass_id).update_tag

    unchanged = client.patch(f"{base}/{pass_id}", json=same, headers=account.basic)
    changed = client.patch(f"{base}/{pass_id}", json={"pass": {"auxiliary_fields": [
        {"key": "level", "value": "Platinum"}]}}, headers=account.basic)

    assert unchanged.status_code == 200 and unchanged.get_json()["push_id"] is None
    assert changed.status_code == 200 and changed.get_json()["push_id"] is not None
    with transaction(write=False) as session:
        assert [request.id for request in session.scalars(select(PushRequest))] == [changed.get_json()["push_id"]]
        assert session.get(Pass, pass_id).update_tag > tag_before


def test_update_pushes_in_the_same_transaction(client, account, toy_town_id):
    base = f"/v2/generics/{toy_town_id}/passes"
    pass_id = client.post(base, headers=account.basic).get_json()["id"]

    push_id = client.patch(f"{base}/{pass_id}", json={"pass": {"voided": True}}, headers=account.basic).get_json()

    assert push_id["voided"] is True
    with transaction(write=False) as session:
        assert session.get(PushRequest, push_id["push_id"]).pass_ids == [pass_id]
        assert session.get(Pass, pass_id).voided is True


def test_paused_or_archived_campaigns_issue_no_passes(client, account, toy_town_id):
    client.post(f"/v2/generics/{toy_town_id}/pause", headers=account.basic)

    refused = client.post(f"/v2/generics/{toy_town_id}/passes", headers=account.basic)

    assert refused.status_code == 412 and "paused" in error_text(refused)
    assert pass_rows() == 0


BAD_PASS_BODIES = [
    ({"pass": {"back_fields": [{"key": f"own_{n}", "value": "x"} for n in range(20)],
               "secondary_fields": [{"key": "own_20", "value": "x"}]}}, "base: a pass has at most 20 fields"),
    ({"pass": {"primary_fields": [{"value": "x"}]}}, "primary_fields.0.key"),
    ({"pass": {"primary_fields": "member"}}, "primary_fields"),
    ({"pass": {"primary_fields": [{"key": "member", "value": ["a"]}]}}, "primary_fields.0.value"),
    ({"pass": {"barcode": {"format": "upc"}}}, "barcode.format"),
    ({"pass": {"locations": [{"latitude": 0, "longitude": 0}] * 11}}, "locations"),
    ({"pass": {"beacons": [{"proximity_uuid": "x"}]}}, "beacons.0.proximity_uuid"),
    ({"pass": {"background_color": "#gggggg"}}, "background_color"),
    ({"pass": {"max_distance": 500}}, "max_distance"),
    ({"pass": {"relevant_date": "soon"}}, "relevant_date"),
    ({"pass": {"expiration_date": "9999-12-31T23:59:59-14:00"}}, "expiration_date"),
    ({"pass": {"voided": "perhaps"}}, "voided"),
    ({"pass": {"user_info": "x"}}, "user_info"),
    ({"pass": {"thumbnail_id": "30b5d792-48c9-4f12-80ff-082cae62e80f"}}, "thumbnail_id"),
    ({"pass": []}, "pass"),
]


@pytest.mark.parametrize(("body", "named"), BAD_PASS_BODIES, ids=[named.split(":")[0] for _b, named in BAD_PASS_BODIES])
def test_bad_pass_bodies_are_422_and_change_nothing(client, account, toy_town_id, body, named):
    base = f"/v2/generics/{toy_town_id}/passes"
    existing = client.post(base, headers=account.basic).get_json()
    before = row_counts(), pass_rows()

    created = client.post(base, json=body, headers=account.basic)
    updated = client.patch(f"{base}/{existing['id']}", json=body, headers=account.basic)

    for response in (created, updated):
        assert response.status_code == 422, response.get_json()
        assert named in error_text(response)
    assert (row_counts(), pass_rows()) == before
    assert client.get(f"{base}/{existing['id']}", headers=account.basic).get_json() == existing


def test_another_organizations_passes_and_assets_are_out_of_reach(client, account, other_account, toy_town_id):
    base = f"/v2/generics/{toy_town_id}/passes"
    pass_id = client.post(base, headers=account.basic).get_json()["id"]
    foreign_thumbnail = upload(client, other_account, "thumbnail")
    before = row_counts(), pass_rows()

    assert client.get(base, headers=other_account.basic).status_code == 404
    assert client.post(base, headers=other_account.basic).status_code == 404
    for method in ("get", "patch", "delete"):
        assert getattr(client, method)(f"{base}/{pass_id}", headers=other_account.basic).status_code == 404
    assert client.post(f"{base}/{pass_id}/push", headers=other_account.basic).status_code == 404
    stolen = client.patch(f"{base}/{pass_id}", json={"pass": {"thumbnail_id": foreign_thumbnail}},
                          headers=account.basic)
    assert stolen.status_code == 422 and stolen.get_json()["errors"] == {"thumbnail_id": "asset not found"}
    # A pass is found only under its own campaign and type.
    other_campaign = create(client, account, "coupons", {"name": "C", "icon_id": upload(client, account)})
    assert client.get(f"/v2/coupons/{other_campaign.get_json()['id']}/passes/{pass_id}",
                      headers=account.basic).status_code == 404
    assert client.get(f"/v2/coupons/{toy_town_id}/passes/{pass_id}", headers=account.basic).status_code == 404
    assert pass_rows() == before[1]


def test_device_sees_the_update_after_a_patch(client, account, skyport):
    john = client.post(f"/v2/boarding_passes/{skyport}/passes", json=JOHN, headers=account.basic).get_json()
    with transaction(write=False) as session:
        stored = session.get(Pass, john["id"])
        pass_type, serial, token = stored.pass_type_identifier, stored.serial_number, stored.authentication_token
    auth = {"Authorization": f"ApplePass {token}"}
    pass_url = f"/wallet/v1/passes/{pass_type}/{serial}"
    list_url = f"/wallet/v1/devices/iphone/registrations/{pass_type}"
    installed = client.get(pass_url, headers=auth)
    assert installed.status_code == 200
    assert client.post(f"/wallet/v1/devices/iphone/registrations/{pass_type}/{serial}",
                       json={"pushToken": "0f" * 32}, headers=auth).status_code == 201
    tag = client.get(list_url).get_json()["lastUpdated"]

    patched = client.patch(f"/v2/boarding_passes/{skyport}/passes/{john['id']}",
                           json={"pass": {"auxiliary_fields": [{"key": "boardingTime", "value": "3:25 PM"}]}},
                           headers=account.basic)

    assert patched.status_code == 200 and patched.get_json()["push_id"]
    changed = client.get(list_url, query_string={"passesUpdatedSince": tag})
    assert changed.status_code == 200 and changed.get_json()["serialNumbers"] == [serial]
    fetched = client.get(pass_url, headers={**auth, "If-Modified-Since": installed.headers["Last-Modified"]})
    assert fetched.status_code == 200
    pass_json = json.loads(zipfile.ZipFile(io.BytesIO(fetched.data)).read("pass.json"))
    assert {f["key"]: f["value"] for f in pass_json["boardingPass"]["auxiliaryFields"]}["boardingTime"] == "3:25 PM"


def test_deleting_a_campaign_deletes_its_passes(client, account, toy_town_id):
    client.post(f"/v2/generics/{toy_town_id}/passes", headers=account.basic)

    assert client.delete(f"/v2/generics/{toy_town_id}", headers=account.basic).status_code == 200
    assert pass_rows() == 0


def test_a_paused_campaigns_passes_can_still_be_updated(client, account, toy_town_id):
    base = f"/v2/generics/{toy_town_id}/passes"
    pass_id = client.post(base, headers=account.basic).get_json()["id"]
    client.post(f"/v2/generics/{toy_town_id}/pause", headers=account.basic)

    response = client.put(f"{base}/{pass_id}", json={"pass": {"primary_fields": [{"key": "member", "value": "Ann"}]}},
                          headers=account.basic)

    assert response.status_code == 200 and values_of(response.get_json(), "primary_fields") == {"member": "Ann"}


def test_a_field_sent_with_a_label_but_no_value_keeps_its_value(client, account, toy_town_id):
    base = f"/v2/generics/{toy_town_id}/passes"
    johnny = client.post(base, json={"pass": {"auxiliary_fields": [{"key": "level", "value": "Gold"}]}},
                         headers=account.basic).get_json()

    patched = client.patch(f"{base}/{johnny['id']}", json={"pass": {"auxiliary_fields": [
        {"key": "level", "label": "TIER"}, {"key": "favorite"}]}}, headers=account.basic).get_json()

    level = next(field for field in patched["auxiliary_fields"] if field["key"] == "level")
    assert (level["label"], level["value"]) == ("TIER", "Gold")
    cleared = client.patch(f"{base}/{johnny['id']}", json={"pass": {"auxiliary_fields": [
        {"key": "level", "value": None}]}}, headers=account.basic).get_json()
    assert values_of(cleared, "auxiliary_fields")["level"] is None
