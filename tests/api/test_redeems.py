"""Redeem codes by code_type, redeeming, reset_redeem and the redeem lists (coupon.md)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from tests.api.conftest import error_text
from tests.api.test_campaigns import create, upload
from tests.factories import run_at_once
from walletservice.db import transaction
from walletservice.models import Pass, PassEvent, PushRequest, Redeem

PAW_PLANET = {  # coupon.md, "Creating a Coupon Campaign"
    "name": "Paw Planet", "barcode": {"format": "pdf417"},
    "locations": [{"longitude": -122.3748889, "latitude": 37.6189722}],
    "logo_text": "Paw Planet", "description": "20% off premium dog food",
    "foreground_color": "#ffffff", "background_color": "#ce8c46",
    "primary_fields": [{"key": "offer", "label": "Any premium dog food", "value": "20% off"}],
    "auxiliary_fields": [{"key": "expires", "label": "EXPIRES", "value": "2 weeks"}],
}


@pytest.fixture
def coupon_campaign(client, account):
    """A Paw Planet campaign with the settings given (code_type, allow_multiple_redeems...)."""
    icon = upload(client, account)

    def make(**settings) -> str:
        response = create(client, account, "coupons", {**PAW_PLANET, "icon_id": icon, **settings,
                                                       "name": f"Paw Planet {len(settings)} {sorted(settings)}"})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]
    return make


def issue(client, account, campaign_id: str, body: dict | None = None) -> dict:
    response = client.post(f"/v2/coupons/{campaign_id}/passes", json=body or {"pass": {}}, headers=account.basic)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def pass_json(client, body: dict) -> dict:
    bundle = client.get(body["pkpass_url"].removeprefix("https://wallet.example.test"))
    return json.loads(zipfile.ZipFile(io.BytesIO(bundle.data)).read("pass.json"))


def test_sequential_codes_count_up_and_are_the_default_barcode(client, account, coupon_campaign):
    campaign_id = coupon_campaign()

    first, second = issue(client, account, campaign_id), issue(client, account, campaign_id)

    assert client.get(f"/v2/coupons/{campaign_id}", headers=account.basic).get_json()["code_type"] == "sequential"
    assert (first["redeem_code"], second["redeem_code"]) == ("0000001", "0000002")
    assert second["barcode"]["message"] == second["barcode"]["alt_text"] == "0000002"
    assert pass_json(client, second)["barcode"]["message"] == "0000002"


def test_the_documented_spelling_sequencial_is_read_as_sequential(client, account, coupon_campaign):
    campaign_id = coupon_campaign(code_type="sequencial")

    campaign = client.get(f"/v2/coupons/{campaign_id}", headers=account.basic).get_json()

    assert campaign["code_type"] == "sequential"
    assert issue(client, account, campaign_id)["redeem_code"] == "0000001"


def test_fixed_codes_share_code_fixed_value(client, account, coupon_campaign):
    campaign_id = coupon_campaign(code_type="fixed", code_fixed_value="PAW20")

    codes = {issue(client, account, campaign_id)["redeem_code"] for _ in range(2)}

    assert codes == {"PAW20"}


def test_per_pass_codes_come_from_the_body_or_are_random_and_unique(client, account, coupon_campaign):
    campaign_id = coupon_campaign(code_type="per_pass")

    given = issue(client, account, campaign_id, {"pass": {"redeem_code": "VIP-1"}})
    from_barcode = issue(client, account, campaign_id, {"pass": {"barcode": {"message": "BC-7"}}})
    random_one = issue(client, account, campaign_id)
    duplicate = client.post(f"/v2/coupons/{campaign_id}/passes", json={"pass": {"redeem_code": "VIP-1"}},
                            headers=account.basic)

    assert given["redeem_code"] == given["barcode"]["message"] == "VIP-1"
    assert from_barcode["redeem_code"] == "BC-7"
    assert len(random_one["redeem_code"]) == 10 and random_one["barcode"]["message"] == random_one["redeem_code"]
    assert duplicate.status_code == 422


def test_simultaneous_creations_asking_for_one_per_pass_code_give_one_pass(app, account, coupon_campaign):
    campaign_id = coupon_campaign(code_type="per_pass")

    def create_one(thread_client):
        return thread_client.post(f"/v2/coupons/{campaign_id}/passes", json={"pass": {"redeem_code": "VIP-2"}},
                                  headers=account.basic).status_code
    statuses = run_at_once(app, 5, create_one)

    assert sorted(statuses) == [201, 422, 422, 422, 422]


@pytest.mark.parametrize("settings", [
    {"code_type": "fixed"},  # no code_fixed_value
    {"code_type": "list"},  # "Not used in the API for now."
    {"code_type": 7},
    {"allow_multiple_redeems": "sometimes"},
])
def test_bad_code_settings_are_422(client, account, coupon_campaign, settings):
    icon = upload(client, account)

    response = create(client, account, "coupons", {**PAW_PLANET, "icon_id": icon, **settings})

    assert response.status_code == 422, response.get_json()


def test_redeem_voids_the_pass_pushes_it_and_a_second_redeem_is_412(client, account, coupon_campaign):
    campaign_id = coupon_campaign()
    coupon = issue(client, account, campaign_id)
    url = f"/v2/coupons/{campaign_id}/passes/{coupon['id']}"

    redeemed = client.post(f"{url}/redeem", json={"pass": {"comment": "redeemed in store"}}, headers=account.basic)
    again = client.post(f"{url}/redeem", headers=account.basic)

    assert redeemed.status_code == 200, redeemed.get_json()
    body = redeemed.get_json()
    assert body["redeemed_count"] == 1 and body["voided"] is True and body["redeemed_at"]
    assert pass_json(client, body)["voided"] is True
    assert again.status_code == 412 and "already redeemed" in error_text(again)
    with transaction(write=False) as session:
        assert session.get(PushRequest, body["push_id"]).pass_ids == [coupon["id"]]
        events = session.scalars(select(PassEvent).where(PassEvent.kind == "redeemed")).all()
        assert [(event.pass_id, event.details) for event in events] == [(coupon["id"], {"comment": "redeemed in store"})]
        assert session.get(Pass, coupon["id"]).redeemed_count == 1


def test_reset_redeem_clears_the_void_flag_and_allows_a_new_redeem(client, account, coupon_campaign):
    campaign_id = coupon_campaign()
    coupon = issue(client, account, campaign_id)
    url = f"/v2/coupons/{campaign_id}/passes/{coupon['id']}"
    client.post(f"{url}/redeem", headers=account.basic)

    reset = client.post(f"{url}/reset_redeem", headers=account.basic)

    assert reset.status_code == 200
    body = reset.get_json()
    assert body["voided"] is False and body["redeemed_count"] == 0 and body["redeemed_at"] is None
    assert body["push_id"] and pass_json(client, body)["voided"] is False
    assert client.post(f"{url}/redeem", headers=account.basic).status_code == 200
    history = client.get(f"{url}/redeems", headers=account.basic).get_json()
    assert sorted(item["reset_at"] is None for item in history) == [False, True]


def test_allow_multiple_redeems_counts_without_voiding(client, account, coupon_campaign):
    campaign_id = coupon_campaign(allow_multiple_redeems=True)
    coupon = issue(client, account, campaign_id)
    url = f"/v2/coupons/{campaign_id}/passes/{coupon['id']}/redeem"

    responses = [client.post(url, headers=account.basic) for _ in range(3)]

    assert [response.status_code for response in responses] == [200, 200, 200]
    last = responses[-1].get_json()
    assert last["redeemed_count"] == 3 and last["voided"] is False and last["push_id"] is None


def test_a_voided_pass_cannot_be_redeemed(client, account, coupon_campaign):
    campaign_id = coupon_campaign(allow_multiple_redeems=True)
    coupon = issue(client, account, campaign_id, {"pass": {"voided": True}})

    response = client.post(f"/v2/coupons/{campaign_id}/passes/{coupon['id']}/redeem", headers=account.basic)

    assert response.status_code == 412 and "voided" in error_text(response)
    assert _redeem_rows() == 0


def test_redeem_by_code_and_lookup_by_code(client, account, coupon_campaign):
    campaign_id = coupon_campaign()
    issue(client, account, campaign_id)
    second = issue(client, account, campaign_id)
    base = f"/v2/coupons/{campaign_id}"

    found = client.get(f"{base}/redeem/0000002", headers=account.basic)
    redeemed = client.post(f"{base}/redeem", json={"pass": {"redeem_code": "0000002", "comment": "Redeemed in store"}},
                           headers=account.basic)

    assert found.status_code == 200 and found.get_json()["id"] == second["id"]
    assert redeemed.status_code == 200 and redeemed.get_json()["id"] == second["id"]
    listed = client.get(f"{base}/redeems", headers=account.basic)
    assert listed.headers["X-Total"] == "1"
    assert [(item["pass_id"], item["redeem_code"], item["comment"]) for item in listed.get_json()] == [
        (second["id"], "0000002", "Redeemed in store")]
    assert client.get(f"{base}/redeem/0000009", headers=account.basic).status_code == 404
    assert client.post(f"{base}/redeem", json={"pass": {"redeem_code": "0000009"}},
                       headers=account.basic).status_code == 404
    assert client.post(f"{base}/redeem", json={"pass": {}}, headers=account.basic).status_code == 422


def test_a_fixed_code_shared_by_several_passes_cannot_be_redeemed_by_code(client, account, coupon_campaign):
    campaign_id = coupon_campaign(code_type="fixed", code_fixed_value="PAW20")
    issue(client, account, campaign_id)
    issue(client, account, campaign_id)

    response = client.post(f"/v2/coupons/{campaign_id}/redeem", json={"pass": {"redeem_code": "PAW20"}},
                           headers=account.basic)

    assert response.status_code == 412
    assert _redeem_rows() == 0


def test_redeem_lists_paginate_filter_and_stay_in_their_organization(client, account, other_account,
                                                                     coupon_campaign):
    campaign_id = coupon_campaign(allow_multiple_redeems=True)
    coupon = issue(client, account, campaign_id)
    url = f"/v2/coupons/{campaign_id}/passes/{coupon['id']}"
    for number in range(3):
        client.post(f"{url}/redeem", json={"pass": {"comment": f"visit {number}"}}, headers=account.basic)

    page = client.get(f"{url}/redeems", query_string={"per_page": 2, "q[s]": "comment desc"}, headers=account.basic)
    filtered = client.get(f"/v2/coupons/{campaign_id}/redeems", query_string={"q[comment_eq]": "visit 1"},
                          headers=account.basic)

    assert page.headers["X-Total"] == "3" and page.headers["X-Next-Page"] == "2"
    assert [item["comment"] for item in page.get_json()] == ["visit 2", "visit 1"]
    assert [item["comment"] for item in filtered.get_json()] == ["visit 1"]
    assert client.get(f"{url}/redeems", headers=other_account.basic).status_code == 404
    assert client.post(f"{url}/redeem", headers=other_account.basic).status_code == 404
    assert client.get(f"/v2/coupons/{campaign_id}/redeem/0000001", headers=other_account.basic).status_code == 404
    assert _redeem_rows() == 3


def test_two_redeems_at_once_of_a_single_redeem_pass_one_succeeds(app, client, account, coupon_campaign):
    campaign_id = coupon_campaign()
    coupon = issue(client, account, campaign_id)
    url = f"/v2/coupons/{campaign_id}/passes/{coupon['id']}/redeem"

    statuses = run_at_once(app, 4, lambda thread_client: thread_client.post(url, headers=account.basic).status_code)

    assert sorted(statuses) == [200, 412, 412, 412]
    assert _redeem_rows() == 1


def test_concurrent_creations_never_share_a_sequential_code(app, client, account, coupon_campaign):
    campaign_id = coupon_campaign()

    def create_one(thread_client):
        return thread_client.post(f"/v2/coupons/{campaign_id}/passes", headers=account.basic).get_json()["redeem_code"]
    codes = run_at_once(app, 6, create_one)

    assert sorted(codes) == [f"{number:07d}" for number in range(1, 7)]


def _redeem_rows() -> int:
    with transaction(write=False) as session:
        return len(session.scalars(select(Redeem.id)).all())


def test_passes_filter_and_sort_by_their_redeem_code_and_redeemed_count(client, account, coupon_campaign):
    # Both are keys of every pass answer, and sorting.md filters by "the most common attributes".
    campaign_id = coupon_campaign()
    first, second = issue(client, account, campaign_id), issue(client, account, campaign_id)
    client.post(f"/v2/coupons/{campaign_id}/passes/{second['id']}/redeem", headers=account.basic)

    def ids(query: dict) -> list[str]:
        response = client.get(f"/v2/coupons/{campaign_id}/passes", query_string=query, headers=account.basic)
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()]

    assert ids({"q[redeem_code_eq]": "0000002"}) == [second["id"]]
    assert ids({"q[redeemed_count_eq]": "0"}) == [first["id"]]
    assert ids({"q[redeemed_count_gteq]": "1"}) == [second["id"]]
    assert ids({"q[s]": "redeem_code desc"}) == [second["id"], first["id"]]


def test_sorting_md_example_filters_campaigns_by_redeem_count(client, account, coupon_campaign):
    # sorting.md: GET /v2/coupons/?q[name_eq]=Una Salus Victus&q[redeem_count_eq]=0&q[s]=created_at+desc&page=2&per_page=4
    untouched, redeemed = coupon_campaign(), coupon_campaign(allow_multiple_redeems=True)
    coupon = issue(client, account, redeemed)
    for _ in range(2):
        client.post(f"/v2/coupons/{redeemed}/passes/{coupon['id']}/redeem", headers=account.basic)

    def ids(query: str) -> list[str]:
        response = client.get(f"/v2/coupons/?{query}", headers=account.basic)
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()]

    assert ids("q[redeem_count_eq]=0") == [untouched]
    assert ids("q[redeem_count_gt]=1&q[s]=redeem_count+desc") == [redeemed]
    assert ids("q[name_eq]=Una Salus Victus&q[redeem_count_eq]=0&q[s]=created_at+desc&page=2&per_page=4") == []
    assert ids("q[redeem_count_eq]=2147483648") == []  # past a 32-bit integer: not a PostgreSQL error


def test_a_redeemed_count_filter_past_32_bits_finds_nothing(client, account, coupon_campaign):
    campaign_id = coupon_campaign()
    issue(client, account, campaign_id)

    response = client.get(f"/v2/coupons/{campaign_id}/passes", query_string={"q[redeemed_count_gteq]": "2147483648"},
                          headers=account.basic)

    assert response.status_code == 200 and response.get_json() == []


def test_coupon_md_singular_push_path_pushes_the_pass(client, account, coupon_campaign):
    # coupon.md, "Forcing a push update of a pass": POST /v2/coupon/{campaign_id}/passes/{pass_id}/push
    campaign_id = coupon_campaign()
    coupon = issue(client, account, campaign_id)

    pushed = client.post(f"/v2/coupon/{campaign_id}/passes/{coupon['id']}/push",
                         json={"pass": {"push_message": "Special offer just for you!"}}, headers=account.basic)

    assert pushed.status_code == 202, pushed.get_json()
    with transaction(write=False) as session:
        assert session.get(PushRequest, pushed.get_json()["push_id"]).pass_ids == [coupon["id"]]
    assert client.post(f"/v2/coupon/{campaign_id}/passes/{coupon['id']}/push",
                       headers=account.basic | {"Authorization": "Bearer wrong"}).status_code == 401
