"""advanced-features.md's remote form: "Fetching the campaign fields" and "Posting the form",
sent as the document writes them."""

from __future__ import annotations

import pytest

from tests.api.conftest import Account
from tests.api.test_campaigns import create, upload

FORM_CAMPAIGN = {  # the campaign behind the document's fields answer
    "name": "Remote form campaign",
    "secondary_fields": [{"key": "name", "label": "Name", "value": "name", "behaviour": "dynamic"},
                         {"key": "age", "label": "Age", "value": "", "behaviour": "dynamic"}],
    "back_fields": [{"key": "location", "label": "Location", "value": "Av da Liberdade", "behaviour": "fixed"}],
}
DOCUMENTED_FIELDS = {
    "fields": {
        "name": {"key": "name", "label": "Name", "value": "name", "behaviour": "dynamic"},
        "age": {"key": "age", "label": "Age", "value": "", "behaviour": "dynamic"},
        "location": {"key": "location", "label": "Location", "value": "Av da Liberdade", "behaviour": "fixed"},
    },
    "dynamic_fields_keys": ["name", "age"],
    "static_fields_keys": ["location"],
}
SUBMISSION = {  # "Posting the form"
    "name": "Kermit the Frog",
    "age": "61",
    "beacons": [
        {"proximity_uuid": "ec961b5b-9a63-4eb5-9463-c19bd5aca7ba", "major": 1, "minor": 1, "relevant_text": "Elmo"},
        {"proximity_uuid": "ec961b5b-9a63-4eb5-9463-c19bd5aca7ba", "major": 2, "minor": 2, "relevant_text": "Big Bird"},
    ],
    "locations": [{"latitude": "38.707739", "longitude": "-9.147581", "relevant_text": "Grover"}],
}


@pytest.fixture
def campaign_id(client, account: Account) -> str:  # type: ignore[no-untyped-def]
    created = create(client, account, "coupons", {**FORM_CAMPAIGN, "icon_id": upload(client, account),
                                                  "locations": [{"latitude": 1.0, "longitude": 2.0}]})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def test_the_fields_answer_is_the_documented_one(client, account, campaign_id):  # type: ignore[no-untyped-def]
    response = client.get(f"/v2/remote_forms/{campaign_id}/fields", headers=account.basic)

    assert response.status_code == 200
    assert response.get_json() == DOCUMENTED_FIELDS


def test_posting_the_form_issues_the_documented_pass(client, account, campaign_id):  # type: ignore[no-untyped-def]
    response = client.post(f"/v2/remote_forms/{campaign_id}/submit", json=SUBMISSION, headers=account.basic)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["campaign_id"] == campaign_id and body["page_short_url"]
    assert [(f["key"], f["value"], f["behaviour"]) for f in body["secondary_fields"]] == [
        ("name", "Kermit the Frog", "dynamic"), ("age", "61", "dynamic")]
    assert [(f["key"], f["value"]) for f in body["back_fields"]] == [("location", "Av da Liberdade")]
    # "the beacons and locations will be merged with the pass (overriding any default ...)"
    assert body["locations"] == [{"latitude": 38.707739, "longitude": -9.147581, "altitude": None,
                                  "relevant_text": "Grover"}]
    assert [(b["major"], b["relevant_text"]) for b in body["beacons"]] == [(1, "Elmo"), (2, "Big Bird")]
    assert client.get(body["page_short_url"].removeprefix("https://wallet.example.test")).status_code == 200


def test_a_custom_barcode_is_the_passes_with_code_type_per_pass(client, account, campaign_id):  # type: ignore[no-untyped-def]
    client.patch(f"/v2/coupons/{campaign_id}", json={"coupon": {"code_type": "per_pass"}}, headers=account.basic)
    barcodes = [{"format": "qrcode", "message": "123456"}, {"format": "aztec", "message": "123456"}]

    body = client.post(f"/v2/remote_forms/{campaign_id}/submit", json={"barcodes": barcodes},
                       headers=account.basic).get_json()

    assert (body["barcode"]["format"], body["barcode"]["message"]) == ("qrcode", "123456")


@pytest.mark.parametrize("submission, named", [
    ({"location": "Elsewhere"}, "location"),  # a static field: the campaign fixes it
    ({"nickname": "Kermie"}, "nickname"),
    ({"name": ["a"]}, "name"),
    ({"locations": [{"latitude": 91, "longitude": 0}]}, "locations"),
    ({"barcodes": [{"format": "upc"}]}, "barcodes"),
])
def test_a_bad_submission_is_422_json_and_issues_nothing(client, account, campaign_id, submission, named):  # type: ignore[no-untyped-def]
    response = client.post(f"/v2/remote_forms/{campaign_id}/submit", json=submission, headers=account.basic)

    assert response.status_code == 422 and named in str(response.get_json()["errors"])
    assert client.get(f"/v2/coupons/{campaign_id}/passes", headers=account.basic).headers["X-Total"] == "0"


def test_another_organizations_campaign_is_404_and_credentials_are_needed(client, other_account, campaign_id):  # type: ignore[no-untyped-def]
    assert client.get(f"/v2/remote_forms/{campaign_id}/fields", headers=other_account.basic).status_code == 404
    assert client.post(f"/v2/remote_forms/{campaign_id}/submit", json={}, headers=other_account.basic).status_code == 404
    assert client.get(f"/v2/remote_forms/{campaign_id}/fields").status_code == 401
