"""Campaign merge (coupon.md "Pushing the changes to the passes") and push_message on the lock screen."""

from __future__ import annotations

import pytest

from tests.api.test_campaigns import create, upload
from tests.api.test_redeems import pass_json
from walletservice.db import transaction
from walletservice.workers.job_runner import JobWorker
from walletservice.models import BackgroundJob, Pass, PushRequest
from walletservice.services import campaign_merge
from walletservice.services.push_message import PUSH_MESSAGE_KEY

MEMBERS = {  # a generic campaign with fixed and dynamic fields
    "name": "Toy Town members", "barcode": {"format": "pdf417"}, "background_color": "#c51f1f",
    "primary_fields": [{"key": "member", "behaviour": "dynamic"}],
    "auxiliary_fields": [{"key": "level", "label": "LEVEL", "value": "Gold"},
                         {"key": "favorite", "label": "FAVORITE TOY", "behaviour": "dynamic"}],
}
JOHNNY = {"pass": {
    "primary_fields": [{"key": "member", "value": "Johnny Appleseed"}],
    "auxiliary_fields": [{"key": "level", "value": "Platinum"}, {"key": "favorite", "value": "Trucks"}],
}}


@pytest.fixture
def members(client, account) -> str:
    response = create(client, account, "generics", {**MEMBERS, "icon_id": upload(client, account)})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def values(body: dict, list_name: str) -> dict:
    return {field["key"]: (field["value"], field["label"]) for field in body[list_name]}


def back_field(client, pass_body: dict) -> dict | None:
    """The push message field of the signed pass.json as served now."""
    fields = pass_json(client, pass_body)["generic"].get("backFields", [])
    return next((field for field in fields if field["key"] == PUSH_MESSAGE_KEY), None)


def run_jobs(app) -> int:
    return JobWorker(app).run_until_idle()


def test_merge_answers_at_once_and_the_job_rewrites_from_the_campaign(app, client, account, members):
    base = f"/v2/generics/{members}"
    johnny = client.post(f"{base}/passes", json=JOHNNY, headers=account.basic).get_json()
    client.patch(base, json={"generic": {
        "auxiliary_fields": [{"key": "level", "label": "TIER", "value": "Diamond"},
                             {"key": "favorite", "label": "TOY", "behaviour": "dynamic"}],
        "locations": [{"latitude": 38.7, "longitude": -9.1}]}}, headers=account.basic)

    merged = client.post(f"{base}/merge", json={"push_message": "New tiers!"}, headers=account.basic)

    assert merged.status_code == 202, merged.get_json()
    body = merged.get_json()
    assert body["message"] == "Merging the 1 passes of campaign 'Toy Town members'."
    # Nothing per pass has happened yet, and the push waits for the job.
    before = client.get(f"{base}/passes/{johnny['id']}", headers=account.basic).get_json()
    assert values(before, "auxiliary_fields")["level"] == ("Platinum", "LEVEL")
    assert client.get(f"/v2/pushes/{body['push_id']}", headers=account.basic).get_json()["state"] == "waiting"
    assert client.get(f"/v2/jobs/{body['job_id']}", headers=account.basic).get_json()["state"] == "queued"

    assert run_jobs(app) == 1

    after = client.get(f"{base}/passes/{johnny['id']}", headers=account.basic).get_json()
    assert values(after, "auxiliary_fields") == {"level": ("Diamond", "TIER"), "favorite": ("Trucks", "TOY")}
    assert values(after, "primary_fields") == {"member": ("Johnny Appleseed", None)}
    assert after["barcode"]["message"] == "0000001" and after["locations"][0]["latitude"] == 38.7
    job = client.get(f"/v2/jobs/{body['job_id']}", headers=account.basic).get_json()
    assert (job["state"], job["total"], job["processed"], job["failed"], job["push_id"]) == (
        "done", 1, 1, 0, body["push_id"])
    assert client.get(f"/v2/pushes/{body['push_id']}", headers=account.basic).get_json()["state"] != "waiting"
    assert back_field(client, after) == {"key": PUSH_MESSAGE_KEY, "value": "New tiers!", "changeMessage": "%@"}


def test_merge_works_in_chunks_with_one_tag_range_per_chunk(app, client, account, members, monkeypatch):
    monkeypatch.setattr(campaign_merge, "CHUNK_SIZE", 2)
    base = f"/v2/generics/{members}"
    ids = [client.post(f"{base}/passes", json=JOHNNY, headers=account.basic).get_json()["id"] for _ in range(5)]
    tags_before = _tags(ids)
    client.patch(base, json={"generic": {"auxiliary_fields": [{"key": "level", "value": "Diamond"}]}},
                 headers=account.basic)

    job_id = client.post(f"{base}/merge", headers=account.basic).get_json()["job_id"]
    run_jobs(app)

    tags_after = _tags(ids)
    assert min(tags_after.values()) > max(tags_before.values())
    assert sorted(tags_after.values()) == list(range(min(tags_after.values()), min(tags_after.values()) + 5))
    with transaction(write=False) as session:
        job = session.get(BackgroundJob, job_id)
        assert (job.state, job.processed, job.cursor) == ("done", 5, max(ids))
        assert {session.get(Pass, pass_id).content["auxiliaryFields"][0]["value"] for pass_id in ids} == {"Diamond"}


def test_the_device_sees_the_merged_pass(app, client, account, members):
    base = f"/v2/generics/{members}"
    johnny = client.post(f"{base}/passes", json=JOHNNY, headers=account.basic).get_json()
    with transaction(write=False) as session:
        stored = session.get(Pass, johnny["id"])
        pass_type, serial, token = stored.pass_type_identifier, stored.serial_number, stored.authentication_token
    auth = {"Authorization": f"ApplePass {token}"}
    client.post(f"/wallet/v1/devices/ipad/registrations/{pass_type}/{serial}", json={"pushToken": "ab" * 32},
                headers=auth)
    list_url = f"/wallet/v1/devices/ipad/registrations/{pass_type}"
    tag = client.get(list_url).get_json()["lastUpdated"]
    client.patch(base, json={"generic": {"auxiliary_fields": [{"key": "level", "value": "Diamond"}]}},
                 headers=account.basic)

    client.post(f"{base}/merge", headers=account.basic)
    assert client.get(list_url, query_string={"passesUpdatedSince": tag}).status_code == 204  # not merged yet
    run_jobs(app)

    changed = client.get(list_url, query_string={"passesUpdatedSince": tag})
    assert changed.status_code == 200 and changed.get_json()["serialNumbers"] == [serial]
    fetched = client.get(f"/wallet/v1/passes/{pass_type}/{serial}", headers=auth)
    assert fetched.status_code == 200


def test_campaign_push_applies_the_campaign_and_writes_the_message(app, client, account, members):
    base = f"/v2/generics/{members}"
    johnny = client.post(f"{base}/passes", json=JOHNNY, headers=account.basic).get_json()
    client.patch(base, json={"generic": {"auxiliary_fields": [{"key": "level", "value": "Diamond"}],
                                         "background_color": "#112233"}}, headers=account.basic)

    pushed = client.post(f"{base}/push", json={"generic": {"push_message": "Look at your new pass!"}},
                         headers=account.basic)
    run_jobs(app)

    assert pushed.status_code == 202 and pushed.get_json()["job_id"]
    after = client.get(f"{base}/passes/{johnny['id']}", headers=account.basic).get_json()
    # store_card.md: the push after a campaign update brings the passes to it (level is fixed).
    assert values(after, "auxiliary_fields")["level"] == ("Diamond", None)
    assert after["background_color"] == "#112233"
    assert values(after, "primary_fields")["member"][0] == "Johnny Appleseed"  # dynamic: kept
    assert back_field(client, after)["value"] == "Look at your new pass!"
    with transaction(write=False) as session:
        assert session.get(PushRequest, pushed.get_json()["push_id"]).state != "waiting"


def test_campaign_push_without_a_message_applies_the_campaign_too(app, client, account, members):
    base = f"/v2/generics/{members}"
    johnny = client.post(f"{base}/passes", json=JOHNNY, headers=account.basic).get_json()
    client.patch(base, json={"generic": {"auxiliary_fields": [{"key": "level", "value": "Diamond"}]}},
                 headers=account.basic)

    pushed = client.post(f"/v2/generics/{members}/push", headers=account.basic)
    run_jobs(app)

    assert pushed.status_code == 202 and pushed.get_json()["job_id"]
    after = client.get(f"{base}/passes/{johnny['id']}", headers=account.basic).get_json()
    assert values(after, "auxiliary_fields")["level"][0] == "Diamond"


def test_pass_push_message_is_a_back_field_whose_change_wallet_announces(client, account, members):
    base = f"/v2/generics/{members}/passes"
    johnny = client.post(base, json=JOHNNY, headers=account.basic).get_json()
    url = f"{base}/{johnny['id']}"

    first = client.post(f"{url}/push", json={"pass": {"push_message": "Hello!"}}, headers=account.basic)
    after_first = back_field(client, johnny)
    client.post(f"{url}/push", json={"pass": {"push_message": "Hello!"}}, headers=account.basic)
    after_repeat = back_field(client, johnny)
    updated = client.patch(url, json={"pass": {"auxiliary_fields": [{"key": "favorite", "value": "Planes"}],
                                               "push_message": "Planes now!"}}, headers=account.basic)

    assert first.status_code == 202
    assert after_first == {"key": PUSH_MESSAGE_KEY, "value": "Hello!", "changeMessage": "%@"}
    # Wallet only announces a change of value: the repeat differs by an invisible character.
    assert after_repeat["value"] != after_first["value"] and after_repeat["value"].startswith("Hello!")
    assert updated.status_code == 200
    assert back_field(client, updated.get_json())["value"] == "Planes now!"
    # Later updates keep the field, so the next message is again a change of value.
    plain = client.patch(url, json={"pass": {"auxiliary_fields": [{"key": "favorite", "value": "Cars"}]}},
                         headers=account.basic)
    assert back_field(client, plain.get_json())["value"] == "Planes now!"


def test_the_push_message_key_is_reserved(client, account):
    response = create(client, account, "generics", {
        **MEMBERS, "icon_id": upload(client, account), "back_fields": [{"key": PUSH_MESSAGE_KEY, "value": "x"}]})

    assert response.status_code == 422


def test_merge_and_jobs_stay_in_their_organization(client, account, other_account, members):
    job_id = client.post(f"/v2/generics/{members}/merge", headers=account.basic).get_json()["job_id"]

    assert client.post(f"/v2/generics/{members}/merge", headers=other_account.basic).status_code == 404
    assert client.get(f"/v2/jobs/{job_id}", headers=other_account.basic).status_code == 404
    assert client.post(f"/v2/generics/{members}/merge", json={"push_message": 5},
                       headers=account.basic).status_code == 422


def test_a_merge_of_no_passes_says_so_and_finishes(app, client, account, members):
    response = client.post(f"/v2/generics/{members}/merge", json={"generic": {"push_message": "Hi"}},
                           headers=account.basic)
    run_jobs(app)

    assert response.get_json()["message"] == "There are no passes to update for campaign 'Toy Town members'."
    assert client.get(f"/v2/jobs/{response.get_json()['job_id']}", headers=account.basic).get_json()["state"] == "done"


def _tags(ids: list[str]) -> dict[str, int]:
    with transaction(write=False) as session:
        return {pass_id: session.get(Pass, pass_id).update_tag for pass_id in ids}


def test_a_passes_own_field_survives_the_campaign_push_until_the_campaign_declares_the_key(app, client, account,
                                                                                         members):
    base = f"/v2/generics/{members}"
    own = {"pass": {"back_fields": [{"key": "nickname", "label": "NICKNAME", "value": "Jo"}]}}
    johnny = client.post(f"{base}/passes", json=own, headers=account.basic).get_json()
    client.patch(base, json={"generic": {"background_color": "#facada"}}, headers=account.basic)

    assert client.post(f"{base}/push", headers=account.basic).status_code == 202
    run_jobs(app)

    pushed = client.get(f"{base}/passes/{johnny['id']}", headers=account.basic).get_json()
    assert values(pushed, "back_fields") == {"nickname": ("Jo", "NICKNAME")}
    assert {"key": "nickname", "label": "NICKNAME", "value": "Jo"} in pass_json(client, pushed)["generic"]["backFields"]
    # The campaign now declares the key, dynamic: its field, the pass's value.
    client.patch(base, json={"generic": {"back_fields": [{"key": "nickname", "label": "NICK", "behaviour": "dynamic"}]}},
                 headers=account.basic)
    client.post(f"{base}/push", headers=account.basic)
    run_jobs(app)
    declared = client.get(f"{base}/passes/{johnny['id']}", headers=account.basic).get_json()
    assert [(f["key"], f["value"], f["behaviour"]) for f in declared["back_fields"]] == [("nickname", "Jo", "dynamic")]
