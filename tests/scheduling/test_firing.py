"""Firing schedules with a given clock: once, on time, in their time zone, and
recorded whatever happens (done, failed, missed)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from tests.scheduling.conftest import UTC, fire, load_pass, load_schedule, schedule_pass_change
from walletservice.db import transaction
from walletservice.scheduling import runs
from walletservice.models import BackgroundJob, Campaign, Pass, PushRequest, Schedule, ScheduleRun
from walletservice.runtime import runtime
from walletservice.services.schedules import ScheduleSpec, create_schedule

pytestmark = pytest.mark.timeout(60)
GATE_CHANGE = {"header_fields": [{"key": "gate", "value": "B7"}]}


def _runs(schedule_id: str) -> list[tuple[str, dt.datetime]]:
    with transaction(write=False) as session:
        return [(run.outcome, run.due_at) for run in session.scalars(
            select(ScheduleRun).where(ScheduleRun.schedule_id == schedule_id).order_by(ScheduleRun.due_at))]


def _count(model: type) -> int:
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def _create(flights, spec: ScheduleSpec, now: dt.datetime, *, for_pass: bool = True) -> str:
    with transaction() as session:
        campaign = session.get(Campaign, flights.campaign.id)
        pass_ = session.get(Pass, flights.pass_.id) if for_pass else None
        return create_schedule(session, campaign, pass_, spec, runtime().certificates, now=now).id


def test_one_shot_applies_the_change_once_and_links_its_push(app, client, flights):
    created = schedule_pass_change(client, flights, run_at="2031-05-01T09:00:00Z", changes=GATE_CHANGE)
    due = dt.datetime(2031, 5, 1, 9, tzinfo=UTC)
    tag_before = load_pass(flights.pass_.id).update_tag

    assert fire(app, due - dt.timedelta(seconds=1)) == []
    results = fire(app, due + dt.timedelta(seconds=2))
    assert fire(app, due + dt.timedelta(seconds=3)) == []  # nothing twice

    assert [result.outcome for result in results] == ["done"]
    schedule = load_schedule(created["id"])
    assert schedule.state == "done" and schedule.next_run_at is None
    assert schedule.last_push_request_id == results[0].push_request_id is not None
    assert schedule.last_result["outcome"] == "done" and schedule.last_result["due_at"] == "2031-05-01T09:00:00Z"
    pass_ = load_pass(flights.pass_.id)
    assert pass_.content["headerFields"][0]["value"] == "B7"
    assert pass_.update_tag > tag_before
    with transaction(write=False) as session:
        push = session.get(PushRequest, schedule.last_push_request_id)
        assert push.pass_ids == [flights.pass_.id]
    assert _runs(created["id"]) == [("done", due)]
    shown = client.get(f"{flights.pass_url}/schedules/{created['id']}", headers=flights.bearer).get_json()
    assert shown["state"] == "done" and shown["last_push_id"] == schedule.last_push_request_id
    assert [run["outcome"] for run in shown["runs"]] == ["done"]
    assert client.delete(f"{flights.pass_url}/schedules/{created['id']}", headers=flights.bearer).status_code == 412


def test_push_message_is_written_where_the_lock_screen_shows_it(app, client, flights):
    schedule_pass_change(client, flights, run_at="2031-05-01T09:00:00Z", changes=GATE_CHANGE,
                         push_message="Boarding moved to gate B7")

    fire(app, dt.datetime(2031, 5, 1, 9, tzinfo=UTC))

    back = load_pass(flights.pass_.id).content["backFields"]
    assert {"value": "Boarding moved to gate B7", "changeMessage": "%@"}.items() <= back[0].items()


def test_cron_returns_to_scheduled_with_its_next_time(app, flights):
    start = dt.datetime(2031, 1, 6, 12, tzinfo=UTC)  # a Monday
    schedule_id = _create(flights, ScheduleSpec(GATE_CHANGE, cron="30 8 * * 1-5", timezone="Europe/Lisbon"), start)
    first = dt.datetime(2031, 1, 7, 8, 30, tzinfo=UTC)
    assert load_schedule(schedule_id).next_run_at == first

    fire(app, first)
    fire(app, dt.datetime(2031, 1, 8, 8, 30, tzinfo=UTC))

    schedule = load_schedule(schedule_id)
    assert schedule.state == "scheduled"
    assert schedule.next_run_at == dt.datetime(2031, 1, 9, 8, 30, tzinfo=UTC)
    assert [outcome for outcome, _ in _runs(schedule_id)] == ["done", "done"]
    assert _count(PushRequest) == 2


@pytest.mark.parametrize(("zone", "cron", "start", "expected"), [
    # Spring forward (30 March 2031, 02:00 -> 03:00): 02:00 does not exist and fires at the jump.
    ("Europe/Berlin", "0 2 * * *", dt.datetime(2031, 3, 29, 0, tzinfo=UTC),
     ["2031-03-29T01:00", "2031-03-30T01:00", "2031-03-31T00:00"]),
    # Fall back (2 November 2031, 02:00 -> 01:00): 01:30 happens twice and fires once, the first time.
    ("America/New_York", "30 1 * * *", dt.datetime(2031, 11, 1, 0, tzinfo=UTC),
     ["2031-11-01T05:30", "2031-11-02T05:30", "2031-11-03T06:30"]),
])
def test_cron_across_daylight_saving_changes(app, flights, zone, cron, start, expected):
    schedule_id = _create(flights, ScheduleSpec({}, cron=cron, timezone=zone), start)

    due_times = []
    for _ in expected:
        due = load_schedule(schedule_id).next_run_at
        due_times.append(due.strftime("%Y-%m-%dT%H:%M"))
        assert [result.outcome for result in fire(app, due)] == ["done"]

    assert due_times == expected


def test_missed_one_shot_is_recorded_not_applied(app, client, flights):
    created = schedule_pass_change(client, flights, run_at="2031-05-01T09:00:00Z", changes=GATE_CHANGE)
    due = dt.datetime(2031, 5, 1, 9, tzinfo=UTC)

    results = fire(app, due + dt.timedelta(hours=2), grace_seconds=300)

    assert [result.outcome for result in results] == ["missed"]
    schedule = load_schedule(created["id"])
    assert schedule.state == "missed" and "grace window" in schedule.last_result["error"]
    assert _runs(created["id"]) == [("missed", due)]
    assert load_pass(flights.pass_.id).content["headerFields"][0]["value"] == "A1"
    assert _count(PushRequest) == 0


def test_a_run_delayed_by_a_backlog_is_late_not_missed(app, client, flights):
    created = schedule_pass_change(client, flights, run_at="2031-05-01T09:00:00Z", changes=GATE_CHANGE)
    due = dt.datetime(2031, 5, 1, 9, tzinfo=UTC)

    # The scheduler was up before the schedule was due, busy for an hour after it.
    results = fire(app, due + dt.timedelta(hours=1), awake_since=due - dt.timedelta(seconds=10))

    assert [result.outcome for result in results] == ["done"]
    assert load_schedule(created["id"]).state == "done"


def test_a_schedule_due_long_before_the_scheduler_started_is_missed(app, client, flights):
    created = schedule_pass_change(client, flights, run_at="2031-05-01T09:00:00Z", changes=GATE_CHANGE)
    due = dt.datetime(2031, 5, 1, 9, tzinfo=UTC)

    results = fire(app, due + dt.timedelta(hours=1, minutes=1), awake_since=due + dt.timedelta(hours=1))

    assert [result.outcome for result in results] == ["missed"]
    assert load_schedule(created["id"]).state == "missed"


def test_cron_after_downtime_records_the_missed_runs_and_runs_the_latest_in_grace(app, flights):
    start = dt.datetime(2031, 1, 1, 12, tzinfo=UTC)
    schedule_id = _create(flights, ScheduleSpec(GATE_CHANGE, cron="0 * * * *", timezone="UTC"), start)

    # Down from 13:00 to 17:02: 13:00..16:00 passed unseen, 17:00 is within the grace window.
    results = fire(app, dt.datetime(2031, 1, 1, 17, 2, tzinfo=UTC), grace_seconds=300)

    assert [result.outcome for result in results] == ["missed", "done"]
    assert "4 later occurrence(s)" in results[0].error
    assert _runs(schedule_id) == [("missed", dt.datetime(2031, 1, 1, 13, tzinfo=UTC)),
                                  ("done", dt.datetime(2031, 1, 1, 17, tzinfo=UTC))]
    schedule = load_schedule(schedule_id)
    assert schedule.state == "scheduled" and schedule.next_run_at == dt.datetime(2031, 1, 1, 18, tzinfo=UTC)


def test_a_failing_run_is_recorded_and_the_others_still_fire(app, client, flights):
    broken = schedule_pass_change(client, flights, run_at="2031-05-01T09:00:00Z",
                                  changes={"header_fields": [{"key": "gate", "value": "B7"}]})
    fine = schedule_pass_change(client, flights, run_at="2031-05-01T09:00:01Z", changes={"voided": True})
    with transaction() as session:  # the campaign loses the field after the schedule was made
        campaign = session.get(Campaign, flights.campaign.id)
        campaign.design = {**campaign.design, "headerFields": []}

    results = fire(app, dt.datetime(2031, 5, 1, 9, 0, 5, tzinfo=UTC))

    assert [result.outcome for result in results] == ["failed", "done"]
    failed = load_schedule(broken["id"])
    assert failed.state == "failed" and "'gate' is not a field of the campaign" in failed.last_result["error"]
    assert _runs(broken["id"])[0][0] == "failed"
    assert load_schedule(fine["id"]).state == "done"
    assert load_pass(flights.pass_.id).voided is True


def test_a_run_that_loses_its_connection_stays_due_and_fires_after_the_reconnect(app, client, flights, monkeypatch):
    created = schedule_pass_change(client, flights, run_at="2031-05-01T09:00:00Z", changes={"voided": True})
    real_apply = runs.apply_schedule

    def connection_lost(*args, **kwargs):
        raise OperationalError("UPDATE passes ...", {}, Exception("terminating connection due to administrator command"))

    monkeypatch.setattr(runs, "apply_schedule", connection_lost)
    with pytest.raises(OperationalError):  # to the supervisor, which reconnects and runs the loop again
        fire(app, dt.datetime(2031, 5, 1, 9, tzinfo=UTC))
    assert _runs(created["id"]) == [] and load_schedule(created["id"]).state == "scheduled"

    monkeypatch.setattr(runs, "apply_schedule", real_apply)
    [result] = fire(app, dt.datetime(2031, 5, 1, 9, 0, 5, tzinfo=UTC))
    assert result.outcome == "done" and _runs(created["id"])[0][0] == "done"
    assert load_pass(flights.pass_.id).voided is True


def test_cancelled_schedule_never_fires(app, client, flights):
    created = schedule_pass_change(client, flights, run_at="2031-05-01T09:00:00Z", changes=GATE_CHANGE)
    client.delete(f"{flights.pass_url}/schedules/{created['id']}", headers=flights.bearer)

    assert fire(app, dt.datetime(2031, 5, 1, 9, tzinfo=UTC)) == []
    assert _runs(created["id"]) == [] and _count(PushRequest) == 0


def test_campaign_merge_schedule_queues_the_merge_job_with_its_push(app, client, flights):
    response = client.post(f"{flights.campaign_url}/schedules", headers=flights.bearer, json={"schedule": {
        "run_at": "2031-05-01T09:00:00Z", "changes": {"relevant_date": "2031-05-01T12:00:00Z"}, "merge": True}})
    assert response.status_code == 201, response.get_json()

    [result] = fire(app, dt.datetime(2031, 5, 1, 9, tzinfo=UTC))

    schedule = load_schedule(response.get_json()["id"])
    with transaction(write=False) as session:
        job = session.get(BackgroundJob, schedule.last_result["job_id"])
        assert job.kind == "campaign_merge" and job.push_request_id == result.push_request_id
        assert session.get(Campaign, flights.campaign.id).design["relevantDate"] == "2031-05-01T12:00:00Z"
    from walletservice.workers.job_runner import JobWorker

    JobWorker(app).run_until_idle()
    assert load_pass(flights.pass_.id).content["relevantDate"] == "2031-05-01T12:00:00Z"


def test_concurrent_firing_runs_each_schedule_once(app, flights):
    start = dt.datetime(2031, 1, 1, tzinfo=UTC)
    ids = [_create(flights, ScheduleSpec({"voided": bool(i % 2)}, run_at=start + dt.timedelta(seconds=1 + i)),
                   start) for i in range(6)]
    barrier = threading.Barrier(3)
    outcomes: list[str] = []

    def scheduler() -> None:
        with app.app_context():
            barrier.wait()
            outcomes.extend(result.outcome for result in fire(app, start + dt.timedelta(minutes=1)))

    threads = [threading.Thread(target=scheduler) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == ["done"] * 6
    assert all(_runs(schedule_id) == [("done", load_schedule(schedule_id).run_at)] for schedule_id in ids)
    assert _count(PushRequest) == 6
    with transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Schedule).where(Schedule.state == "done")) == 6
