"""passworks-v1-loyalty.md, step by step with its payloads: a loyalty program, a card for a
customer, an update without a push, a forced push. Differences: docs/v1-compatibility.md."""

from __future__ import annotations

import copy
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from tests.api.conftest import Account
from tests.api.test_campaigns import upload
from walletservice.db import transaction
from walletservice.models import Pass, PushRequest

PUBLIC_URL = "https://wallet.example.test"


def seed_campaign(icon_id: str, strip_id: str) -> dict:
    """The page's "Creating a Loyalty campaign" payload (its asset ids are ours)."""
    return {"campaign": {
        "name": "starbucks card",
        "icon_id": icon_id,
        "logo_text": "Starbucks Card",
        "header_fields": [{"key": "balance", "label": "Balance"}],
        "strip_id": strip_id,
        "background_color": "#0505ff",
        "text_color": "#ffffff",
        "label_color": "#cccccc",
        "barcode": "pdf417",
        "secondary_fields": [{"key": "username", "label": "Name"}],
    }}


SEED_CARD = {"pass": {  # "Creating a loyaty pass for a customer"
    "header_fields": [{"key": "balance", "value": "$20.75"}],
    "secondary_fields": [{"key": "user_name", "label": "My Card"}],
    "merge": True,
}}
SEED_UPDATE = {"pass": {  # "Updating the customer pass"
    "header_fields": [{"key": "balance", "value": "$10.75"}],
    "merge": True,
    "push": False,
}}


def pushes() -> int:
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(PushRequest))


def pass_json(client, direct_link: str) -> dict:
    bundle = client.get(direct_link.removeprefix(PUBLIC_URL))
    assert bundle.status_code == 200
    return json.loads(zipfile.ZipFile(io.BytesIO(bundle.data)).read("pass.json"))


@pytest.fixture
def loyalty(client, account: Account) -> dict:
    body = seed_campaign(upload(client, account), upload(client, account, "strip"))
    response = client.post("/v1/loyalty/", json=body, headers=account.basic)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["campaign"]


def test_step_1_the_loyalty_campaign_answers_the_documented_shape(loyalty):
    assert loyalty["name"] == "starbucks card" and loyalty["logo_text"] == "Starbucks Card"
    assert (loyalty["background_color"], loyalty["text_color"], loyalty["label_color"]) == (
        "#0505ff", "#ffffff", "#cccccc")
    assert loyalty["header_fields"] == [{"key": "balance", "value": "", "label": "Balance"}]
    assert loyalty["secondary_fields"] == [{"key": "username", "value": "", "label": "Name"}]
    assert loyalty["auxiliary_fields"] == loyalty["back_fields"] == []
    assert loyalty["beacons"] == loyalty["locations"] == []
    assert loyalty["barcode"] == "pdf417"
    assert loyalty["description"] == "starbucks card"  # "Required" on the page, but its payload has none
    assert loyalty["created_at"].endswith("Z") and loyalty["updated_at"].endswith("Z")


def test_the_same_program_is_a_store_card_in_v1_and_v2(client, account, loyalty):
    v1 = client.get(f"/v1/store_cards/{loyalty['id']}", headers=account.basic)
    v2 = client.get(f"/v2/store_cards/{loyalty['id']}", headers=account.basic)
    again = client.get(f"/v1/loyalty/{loyalty['id']}", headers=account.basic)

    assert v1.status_code == v2.status_code == again.status_code == 200
    assert again.get_json() == {"campaign": v1.get_json()}
    assert v2.get_json()["barcode"]["format"] == "pdf417"


def test_step_2_the_seed_card_exactly_as_documented_keeps_its_own_user_name_field(client, account, loyalty):
    # The page's card sets "user_name"; its program defined "username". The page's own answer
    # shows both: the program's field, then the card's extra one with its label and no value.
    response = client.post(f"/v1/loyalty/{loyalty['id']}/passes", json=SEED_CARD, headers=account.basic)

    assert response.status_code == 201, response.get_json()
    card = response.get_json()["loyalty_card"]
    assert set(card) >= {"loyalty_id", "pass_id", "donwload_page_link", "direct_link"}
    shown = client.get(f"/v1/loyalty/{loyalty['id']}/passes/{card['pass_id']}", headers=account.basic)
    data = shown.get_json()["pass"]["pass_data"]
    assert data["header_fields"] == [{"key": "balance", "label": "Balance", "value": "$20.75"}]
    assert data["secondary_fields"] == [{"key": "username", "label": "Name", "value": ""},
                                        {"key": "user_name", "label": "My Card", "value": ""}]
    # Without a value Wallet would show nothing; once it has one, the card shows it.
    assert "secondaryFields" not in pass_json(client, card["direct_link"])["storeCard"]
    updated = client.patch(f"/v1/loyalty/{loyalty['id']}/passes/{card['pass_id']}", headers=account.basic,
                           json={"pass": {"secondary_fields": [{"key": "user_name", "value": "Ana"}], "push": False}})
    assert updated.status_code == 201, updated.get_json()
    assert updated.get_json()["pass"]["pass_data"]["secondary_fields"][1] == {
        "key": "user_name", "label": "My Card", "value": "Ana"}
    assert pass_json(client, card["direct_link"])["storeCard"]["secondaryFields"] == [
        {"key": "user_name", "label": "My Card", "value": "Ana"}]
    # The card's own field survives a later update of another field, and v2 shows it too.
    client.patch(f"/v1/loyalty/{loyalty['id']}/passes/{card['pass_id']}", headers=account.basic,
                 json={"pass": {"header_fields": [{"key": "balance", "value": "$1.00"}], "push": False}})
    v2 = client.get(f"/v2/store_cards/{loyalty['id']}/passes/{card['pass_id']}", headers=account.basic).get_json()
    assert [(f["key"], f["value"]) for f in v2["secondary_fields"]] == [("username", None), ("user_name", "Ana")]


def test_v2_keeps_a_field_key_the_campaign_lacks_too(client, account, loyalty):
    response = client.post(f"/v2/store_cards/{loyalty['id']}/passes", json=SEED_CARD, headers=account.basic)

    assert response.status_code == 201, response.get_json()
    assert [(f["key"], f["label"]) for f in response.get_json()["secondary_fields"]] == [
        ("username", "Name"), ("user_name", "My Card")]


def test_a_card_adds_at_most_20_fields_of_its_own(client, account, loyalty):
    own = [{"key": f"own_{n}", "value": str(n)} for n in range(21)]

    response = client.post(f"/v1/loyalty/{loyalty['id']}/passes", json={"pass": {"back_fields": own}},
                           headers=account.basic)

    assert response.status_code == 422 and "at most 20" in str(response.get_json())


def test_walkthrough_card_update_and_push(client, account, loyalty):
    base = f"/v1/loyalty/{loyalty['id']}/passes"
    card_body = copy.deepcopy(SEED_CARD)  # the program's own key, so that the label lands on it
    card_body["pass"]["secondary_fields"][0]["key"] = "username"

    # 2. A card for a customer: its ids and links.
    created = client.post(base, json=card_body, headers=account.basic)
    assert created.status_code == 201, created.get_json()
    card = created.get_json()["loyalty_card"]
    assert set(card) == {"loyalty_id", "pass_id", "donwload_page_link", "download_page_link", "direct_link"}
    assert card["loyalty_id"] == loyalty["id"]
    assert card["donwload_page_link"] == card["download_page_link"]
    assert card["direct_link"] == card["download_page_link"].replace("/p/", "/download/") + ".pkpass"
    assert client.get(card["download_page_link"].removeprefix(PUBLIC_URL)).status_code == 200
    installed = pass_json(client, card["direct_link"])
    assert installed["storeCard"]["headerFields"][0]["value"] == "$20.75"
    assert "secondaryFields" not in installed["storeCard"]  # a label without a value shows nothing

    # 3. The balance changes, without a push.
    before = pushes()
    updated = client.patch(f"{base}/{card['pass_id']}/", json=SEED_UPDATE, headers=account.basic)
    assert updated.status_code == 201, updated.get_json()  # the page answers an update with 201
    assert pushes() == before
    body = updated.get_json()["pass"]
    assert body["id"] == card["pass_id"] and body["loyalty_id"] == loyalty["id"]
    assert body["donwload_page_link"] == card["donwload_page_link"] and body["direct_link"] == card["direct_link"]
    assert body["voided"] is False and body["redeemed_count"] == 0 and body["redeemed_at"] is None
    assert len(body["authentication_token"]) >= 16 and body["serial_number"]
    data = body["pass_data"]
    assert data["header_fields"] == [{"key": "balance", "label": "Balance", "value": "$10.75"}]
    assert data["secondary_fields"] == [{"key": "username", "label": "My Card", "value": ""}]  # merged
    assert (data["background_color"], data["foreground_color"]) == ("#0505ff", "#ffffff")
    assert data["barcode"]["format"] == "pdf417" and data["barcode"]["message"] == data["barcode"]["alt_text"]
    assert pass_json(client, card["direct_link"])["storeCard"]["headerFields"][0]["value"] == "$10.75"

    # 4. Force a push of the card.
    pushed = client.post(f"{base}/{card['pass_id']}/push", headers=account.basic)
    assert pushed.status_code == 202 and pushed.get_json()["push_id"]
    assert pushes() == before + 1

    # Reading it back answers the update's shape.
    fetched = client.get(f"{base}/{card['pass_id']}", headers=account.basic)
    assert fetched.get_json()["pass"]["pass_data"] == data


def test_an_update_pushes_by_default(client, account, loyalty):
    base = f"/v1/loyalty/{loyalty['id']}/passes"
    card = client.post(base, json={"pass": {}}, headers=account.basic).get_json()["loyalty_card"]
    before = pushes()

    response = client.put(f"{base}/{card['pass_id']}", json={"pass": {"header_fields": [
        {"key": "balance", "value": "$1.00"}]}}, headers=account.basic)

    assert response.status_code == 201 and pushes() == before + 1


def test_a_card_can_be_deleted(client, account, loyalty):
    base = f"/v1/loyalty/{loyalty['id']}/passes"
    card = client.post(base, json={"pass": {}}, headers=account.basic).get_json()["loyalty_card"]

    deleted = client.delete(f"{base}/{card['pass_id']}", headers=account.basic)

    assert deleted.status_code == 200 and deleted.get_json() == {"errors": []}
    with transaction(write=False) as session:
        assert session.get(Pass, card["pass_id"]) is None
    assert client.delete(f"{base}/{card['pass_id']}", headers=account.basic).status_code == 404


@pytest.mark.parametrize("change, message", [
    ({"barcode": "banana"}, "campaign.barcode.format"),
    ({"background_color": "blue"}, "campaign.background_color"),
    ({"icon_id": None}, "icon_id"),
    ({"name": ""}, "campaign.name"),
])
def test_bad_programs_are_422_naming_the_attribute(client, account, change, message):
    body = seed_campaign(upload(client, account), upload(client, account, "strip"))
    body["campaign"].update(change)

    response = client.post("/v1/loyalty", json=body, headers=account.basic)

    assert response.status_code == 422
    assert any(message in error for error in response.get_json()["errors"]), response.get_json()


def test_a_program_under_the_wrong_root_is_422(client, account):
    body = seed_campaign(upload(client, account), upload(client, account, "strip"))

    response = client.post("/v1/loyalty", json={"store_card": body["campaign"]}, headers=account.basic)

    assert response.status_code == 422 and "campaign" in response.get_json()["errors"]


def test_bad_card_bodies_and_unknown_ids(client, account, other_account, loyalty):
    base = f"/v1/loyalty/{loyalty['id']}/passes"
    card = client.post(base, json={"pass": {}}, headers=account.basic).get_json()["loyalty_card"]

    assert client.post(base, data="{", content_type="application/json", headers=account.basic).status_code == 400
    assert client.patch(f"{base}/{card['pass_id']}", json={"pass": {"background_color": "#12"}},
                        headers=account.basic).status_code == 422
    assert client.post(f"{base}/{card['pass_id']}/push", json={"push_message": 7},
                       headers=account.basic).status_code == 422
    assert client.get(f"{base}/{card['pass_id']}", headers=other_account.basic).status_code == 404
    assert client.get(f"/v1/loyalty/{card['pass_id']}", headers=account.basic).status_code == 404
    assert client.post("/v1/loyalty", json={}).status_code == 401


def test_a_paused_program_issues_no_cards(client, account, loyalty):
    assert client.post(f"/v2/store_cards/{loyalty['id']}/pause", headers=account.basic).status_code == 200

    response = client.post(f"/v1/loyalty/{loyalty['id']}/passes", json={"pass": {}}, headers=account.basic)

    assert response.status_code == 412
