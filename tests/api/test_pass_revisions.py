"""Pass revisions, restore, and campaign push/merge that lose no customer data
(docs/passworks-differences.md, "Pass revisions"; generic.md's Toy Town example)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.api.test_campaign_merge import JOHNNY, MEMBERS, run_jobs, values
from tests.api.test_campaigns import create, upload
from tests.api.test_redeems import issue, pass_json
from walletservice.db import transaction
from walletservice.models import BackgroundJob, Pass, PassRevision, PushRequest

# generic.md, "Creating a Generic campaign for the Toy Town": no field declares a behaviour or a value.
TOY_TOWN = {
    "name": "Toy Town Generic Passes!", "logo_text": "Toy Town", "barcode": {"format": "pdf417"},
    "text_color": "#ffffff", "background_color": "#c51f1f",
    "primary_fields": [{"key": "member"}],
    "secondary_fields": [{"key": "subtitle", "label": "MEMBER SINCE"}],
    "auxiliary_fields": [{"key": "level", "label": "LEVEL"}, {"key": "favorite", "label": "FAVORITE TOY"}],
}
KERMIT = {"pass": {
    "primary_fields": [{"key": "member", "value": "Kermit"}],
    "secondary_fields": [{"key": "subtitle", "value": "2015"}],
    "auxiliary_fields": [{"key": "level", "value": "Gold"}, {"key": "favorite", "value": "Banjo"}],
}}


def generic_campaign(client, account, attributes: dict) -> str:
    response = create(client, account, "generics", {**attributes, "icon_id": upload(client, account)})
    assert response.status_code == 201, response.get_json()
    return f"/v2/generics/{response.get_json()['id']}"


@pytest.fixture
def toy_town(client, account) -> str:
    return generic_campaign(client, account, TOY_TOWN)


@pytest.fixture
def members(client, account) -> str:
    return generic_campaign(client, account, MEMBERS)


def field_map(body: dict) -> dict:
    return {field["key"]: field["value"] for name in ("primary_fields", "secondary_fields", "auxiliary_fields")
            for field in body[name]}


def revision_count() -> int:
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(PassRevision))


def test_every_change_is_a_revision_numbered_from_one_newest_first(client, account, members):
    johnny = client.post(f"{members}/passes", json=JOHNNY, headers=account.basic).get_json()
    url = f"{members}/passes/{johnny['id']}"
    client.patch(url, json={"pass": {"auxiliary_fields": [{"key": "favorite", "value": "Planes"}]}},
                 headers=account.basic)
    client.patch(url, json={"pass": {"auxiliary_fields": [{"key": "favorite", "value": "Boats"}]}},
                 headers=account.bearer)

    listed = client.get(f"{url}/revisions", headers=account.basic)

    assert listed.status_code == 200
    body = listed.get_json()
    assert [revision["n"] for revision in body] == [3, 2, 1]
    assert [revision["values"]["fields"]["favorite"] for revision in body] == ["Boats", "Planes", "Trucks"]
    assert body[0]["route"] == "PATCH /v2/generics/<uuid:campaign_id>/passes/<uuid:pass_id>"
    assert body[2]["route"] == "POST /v2/generics/<uuid:campaign_id>/passes"
    assert {revision["organization_id"] for revision in body} == {account.id}
    assert body[0]["api_key_id"] and body[0]["api_key_id"] == body[2]["api_key_id"]
    assert body[0]["update_tag"] > body[1]["update_tag"] > body[2]["update_tag"]
    assert listed.headers["X-Total"] == "3"
    second_page = client.get(f"{url}/revisions", query_string={"per_page": 2, "page": 2}, headers=account.basic)
    assert [revision["n"] for revision in second_page.get_json()] == [1]
    assert second_page.headers["X-Prev-Page"] == "1"


def test_restore_brings_the_old_values_back_as_a_new_revision_and_pushes(client, account, members):
    johnny = client.post(f"{members}/passes", json=JOHNNY, headers=account.basic).get_json()
    url = f"{members}/passes/{johnny['id']}"
    client.patch(url, json={"pass": {"auxiliary_fields": [{"key": "favorite", "value": "Planes"}]}},
                 headers=account.basic)

    restored = client.post(f"{url}/revisions/1/restore", headers=account.basic)

    assert restored.status_code == 200, restored.get_json()
    body = restored.get_json()
    assert (body["n"], body["restored_from"]) == (3, 1)
    assert body["route"] == "POST /v2/generics/<uuid:campaign_id>/passes/<uuid:pass_id>/revisions/<int:n>/restore"
    assert values(client.get(url, headers=account.basic).get_json(), "auxiliary_fields")["favorite"][0] == "Trucks"
    with transaction(write=False) as session:
        push = session.get(PushRequest, body["push_id"])
        assert push is not None and push.organization_id == account.id
    # The restore is undone like any change.
    client.post(f"{url}/revisions/2/restore", headers=account.basic)
    assert values(client.get(url, headers=account.basic).get_json(), "auxiliary_fields")["favorite"][0] == "Planes"


def test_unknown_revisions_and_other_organizations_passes_are_404_json(client, account, other_account, members):
    johnny = client.post(f"{members}/passes", json=JOHNNY, headers=account.basic).get_json()
    url = f"{members}/passes/{johnny['id']}"

    for n in (0, 2, 99, 2**31, 10**30):
        response = client.post(f"{url}/revisions/{n}/restore", headers=account.basic)
        assert response.status_code == 404 and response.is_json, (n, response.data)
    assert client.get(f"{url}/revisions", headers=other_account.basic).status_code == 404
    assert client.post(f"{url}/revisions/1/restore", headers=other_account.basic).status_code == 404
    assert client.get(f"{url}/revisions").status_code == 401
    wrong_type = url.replace("/v2/generics/", "/v2/coupons/")
    assert client.get(f"{wrong_type}/revisions", headers=account.basic).status_code == 404
    assert revision_count() == 1


def test_only_the_newest_revisions_are_kept(app, client, account, members):
    app.config["WALLET_PASS_REVISIONS_KEPT"] = 3
    with app.app_context():  # the setting applies from the next app context on
        johnny = client.post(f"{members}/passes", json=JOHNNY, headers=account.basic).get_json()
        url = f"{members}/passes/{johnny['id']}"
        for toy in ("A", "B", "C", "D", "E"):
            client.patch(url, json={"pass": {"auxiliary_fields": [{"key": "favorite", "value": toy}]}},
                         headers=account.basic)

        body = client.get(f"{url}/revisions", headers=account.basic).get_json()

        assert [revision["n"] for revision in body] == [6, 5, 4]
        assert client.post(f"{url}/revisions/3/restore", headers=account.basic).status_code == 404
        assert client.post(f"{url}/revisions/4/restore", headers=account.basic).get_json()["n"] == 7
        assert revision_count() == 3


def test_the_toy_town_example_keeps_member_level_and_toy_on_a_campaign_push(app, client, account, toy_town):
    kermit = client.post(f"{toy_town}/passes", json=KERMIT, headers=account.basic).get_json()
    client.patch(toy_town, json={"generic": {"background_color": "#123456", "logo_text": "Toy Town!"}},
                 headers=account.basic)

    pushed = client.post(f"{toy_town}/push", headers=account.basic)
    run_jobs(app)

    assert pushed.status_code == 202
    after = client.get(f"{toy_town}/passes/{kermit['id']}", headers=account.basic).get_json()
    assert field_map(after) == {"member": "Kermit", "subtitle": "2015", "level": "Gold", "favorite": "Banjo"}
    assert (after["background_color"], pass_json(client, after)["logoText"]) == ("#123456", "Toy Town!")
    revisions = client.get(f"{toy_town}/passes/{kermit['id']}/revisions", headers=account.basic).get_json()
    assert revisions[0]["route"].startswith("job campaign_merge ")
    assert revisions[0]["route"].endswith("queued by POST /v2/generics/<uuid:campaign_id>/push")
    assert revisions[0]["api_key_id"] == revisions[1]["api_key_id"] is not None


def test_overwrite_empty_empties_fixed_fields_and_a_restore_brings_them_back(app, client, account, toy_town):
    kermit = client.post(f"{toy_town}/passes", json=KERMIT, headers=account.basic).get_json()
    url = f"{toy_town}/passes/{kermit['id']}"

    client.post(f"{toy_town}/merge", query_string={"overwrite_empty": "true"}, headers=account.basic)
    run_jobs(app)
    emptied = client.get(url, headers=account.basic).get_json()
    client.post(f"{url}/revisions/1/restore", headers=account.basic)

    assert set(field_map(emptied).values()) == {None}
    assert field_map(client.get(url, headers=account.basic).get_json())["member"] == "Kermit"


def test_dry_run_counts_what_would_change_and_changes_nothing(app, client, account, toy_town):
    ids = [client.post(f"{toy_town}/passes", json=KERMIT, headers=account.basic).get_json()["id"]
           for _ in range(3)]
    client.post(f"{toy_town}/passes", headers=account.basic)  # no values: nothing to lose
    client.patch(toy_town, json={"generic": {"auxiliary_fields": [
        {"key": "level", "label": "LEVEL", "value": "Bronze"}, {"key": "favorite", "label": "FAVORITE TOY"}]}},
        headers=account.basic)
    before = (revision_count(), _tags(ids))

    for action in ("push", "merge"):
        kept = client.post(f"{toy_town}/{action}", query_string={"dry_run": "true"}, headers=account.basic)
        emptying = client.post(f"{toy_town}/{action}", query_string={"dry_run": "true", "overwrite_empty": "true"},
                               headers=account.basic)
        assert kept.status_code == 200, kept.get_json()
        assert kept.get_json() == {"dry_run": True, "passes": 4, "fields": {"level": 4}}
        assert emptying.get_json() == {"dry_run": True, "passes": 4,
                                       "fields": {"favorite": 3, "level": 4, "member": 3, "subtitle": 3}}
    assert (revision_count(), _tags(ids)) == before
    with transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(BackgroundJob)) == 0
        assert session.scalar(select(func.count()).select_from(PushRequest)) == 0
    assert client.post(f"{toy_town}/push", query_string={"dry_run": "maybe"},
                       headers=account.basic).status_code == 422


def _tags(ids: list[str]) -> list[int]:
    with transaction(write=False) as session:
        return [session.get(Pass, pass_id).update_tag for pass_id in ids]


def test_redeem_is_a_revision_too(client, account):
    campaign = create(client, account, "coupons", {"name": "Ten off", "icon_id": upload(client, account)})
    campaign_id = campaign.get_json()["id"]
    pass_ = issue(client, account, campaign_id)
    redeemed = client.post(f"/v2/coupons/{campaign_id}/passes/{pass_['id']}/redeem", headers=account.basic)

    body = client.get(f"/v2/coupons/{campaign_id}/passes/{pass_['id']}/revisions", headers=account.basic).get_json()
    assert redeemed.status_code in (200, 201), redeemed.get_json()
    assert [revision["n"] for revision in body] == [2, 1]
    assert body[0]["voided"] is True and body[0]["route"].endswith("/redeem")
