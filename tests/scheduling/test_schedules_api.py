"""POST/GET/DELETE schedules: what is accepted, what is refused and why."""

from __future__ import annotations

import uuid

import pytest

from tests.api.conftest import error_text
from tests.factories import make_campaign, make_organization, make_pass
from tests.scheduling.conftest import later, schedule_pass_change

GATE_CHANGE = {"header_fields": [{"key": "gate", "value": "B7"}]}


def test_one_shot_pass_schedule_is_created_listed_and_read(client, flights):
    created = schedule_pass_change(client, flights, run_at="2031-05-01T09:00:00+02:00", changes=GATE_CHANGE,
                                   push_message="Gate changed")

    assert created["state"] == "scheduled"
    assert created["pass_id"] == flights.pass_.id
    assert created["next_run_at"] == created["run_at"] == "2031-05-01T07:00:00Z"
    assert created["changes"] == GATE_CHANGE and created["runs"] == []
    listed = client.get(f"{flights.pass_url}/schedules", headers=flights.bearer)
    assert [item["id"] for item in listed.get_json()] == [created["id"]]
    assert listed.headers["X-Total"] == "1"
    on_campaign = client.get(f"{flights.campaign_url}/schedules", headers=flights.bearer).get_json()
    assert [item["id"] for item in on_campaign] == [created["id"]]
    read = client.get(f"{flights.pass_url}/schedules/{created['id']}", headers=flights.bearer)
    assert read.status_code == 200 and read.get_json()["push_message"] == "Gate changed"


def test_cron_campaign_schedule_gets_its_first_run_in_its_time_zone(client, flights):
    response = client.post(f"{flights.campaign_url}/schedules", headers=flights.bearer, json={"schedule": {
        "cron": "0 0 * * *", "timezone": "Asia/Tokyo", "changes": {"relevant_date": "2031-01-01T10:00:00Z"},
        "merge": True}})

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["pass_id"] is None and body["merge"] is True and body["run_at"] is None
    assert body["next_run_at"].endswith("T15:00:00Z")  # midnight in Tokyo
    assert body["changes"] == {"relevant_date": "2031-01-01T10:00:00Z"}


@pytest.mark.parametrize(("schedule", "says"), [
    ({"run_at": "2031-05-01T09:00:00"}, "run_at: give a time zone"),
    ({"run_at": "2001-05-01T09:00:00Z"}, "run_at: the time has passed"),
    ({}, "either run_at"),
    ({"run_at": "2031-05-01T09:00:00Z", "cron": "0 0 * * *", "timezone": "UTC"}, "either run_at"),
    ({"cron": "0 0 * *", "timezone": "UTC"}, "cron: five fields"),
    ({"cron": "0 25 * * *", "timezone": "UTC"}, "cron:"),
    ({"cron": "0 0 31 2 *", "timezone": "UTC"}, "never fires"),
    ({"cron": "0 0 * * *"}, "timezone: required"),
    ({"cron": "0 0 * * *", "timezone": "Europe/Atlantis"}, "unknown time zone"),
    ({"cron": "0 0 13 * 5", "timezone": "UTC"}, "not both"),
    ({"run_at": "9999-12-31T23:59:59-14:00"}, "run_at: the time is out of range"),
    ({"run_at": "2031-05-01T09:00:00Z", "changes": {"relevant_date": "9999-12-31T23:59:59-14:00"}},
     "changes.relevant_date: Value error, the time is out of range"),
    ({"run_at": "2031-05-01T09:00:00Z", "changes": {"gaet": "B7"}}, "schedule.changes.gaet"),
    ({"run_at": "2031-05-01T09:00:00Z", "changes": {"merge": False}}, "not a change of the pass"),
    ({"run_at": "2031-05-01T09:00:00Z", "merge": True}, "schedule.merge"),
    ({"run_at": "2031-05-01T09:00:00Z", "changes": {"header_fields": [{"key": "seat", "value": "1A"}]}},
     "'seat' is not a field of the campaign"),
    ({"run_at": "2031-05-01T09:00:00Z", "changes": {"icon_id": str(uuid.uuid4())}}, "icon_id: asset not found"),
])
def test_pass_schedules_that_could_not_run_are_refused_with_422(client, flights, schedule, says):
    response = client.post(f"{flights.pass_url}/schedules", json={"schedule": schedule}, headers=flights.bearer)

    assert response.status_code == 422
    assert says in error_text(response)
    assert client.get(f"{flights.pass_url}/schedules", headers=flights.bearer).get_json() == []


def test_campaign_changes_are_dry_run_at_creation(client, flights):
    unknown = {"schedule": {"run_at": later(), "changes": {"colour": "#ffffff"}}}
    invalid = {"schedule": {"run_at": later(), "changes": {"transit_type": None}}}

    assert client.post(f"{flights.campaign_url}/schedules", json=unknown, headers=flights.bearer).status_code == 422
    refused = client.post(f"{flights.campaign_url}/schedules", json=invalid, headers=flights.bearer)
    assert refused.status_code == 422
    assert "transit_type: required" in error_text(refused)
    # the dry run left the campaign as it was
    campaign = client.get(flights.campaign_url, headers=flights.bearer).get_json()
    assert campaign["transit_type"] == "air"


def test_foreign_ids_are_404(client, flights):
    other_organization, other_key = make_organization("Other Air")
    other_pass = make_pass(make_campaign(other_organization), serial_number="OTHER-1")
    body = {"schedule": {"run_at": later(), "changes": {}}}

    for url in (f"/v2/boarding_passes/{other_pass.campaign_id}/schedules",
                f"{flights.campaign_url}/passes/{other_pass.id}/schedules",
                f"/v2/coupons/{flights.campaign.id}/schedules",
                f"/v2/boarding_passes/{uuid.uuid4()}/schedules"):
        assert client.post(url, json=body, headers=flights.bearer).status_code == 404, url
    created = schedule_pass_change(client, flights, run_at=later(), changes={})
    assert client.get(f"{flights.campaign_url}/schedules/{uuid.uuid4()}", headers=flights.bearer).status_code == 404
    other_bearer = {"Authorization": f"Bearer {other_key}"}
    assert client.get(f"{flights.pass_url}/schedules/{created['id']}", headers=other_bearer).status_code == 404


def test_cancel_then_cancel_again_is_412(client, flights):
    created = schedule_pass_change(client, flights, run_at=later(), changes=GATE_CHANGE)
    url = f"{flights.pass_url}/schedules/{created['id']}"

    cancelled = client.delete(url, headers=flights.bearer)
    assert cancelled.status_code == 200
    assert cancelled.get_json()["state"] == "cancelled" and cancelled.get_json()["next_run_at"] is None
    again = client.delete(url, headers=flights.bearer)
    assert again.status_code == 412
    assert "cancelled" in error_text(again)
