"""Expiry, the campaign relevant_date helper, and the housekeeping additions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import make_pass
from tests.scheduling.conftest import UTC, fire, load_pass
from walletservice.db import transaction
from walletservice.models import BackgroundJob, PassEvent, PushDelivery, PushRequest, Schedule
from walletservice.models.base import utcnow
from walletservice.queue.pushes import enqueue_pass_push, finish_completed_requests
from walletservice.scheduling.housekeeping import fail_abandoned_deliveries
from walletservice.services.expiry import expire_batch

pytestmark = pytest.mark.timeout(60)
NOW = dt.datetime(2031, 6, 1, 12, tzinfo=UTC)


def _pass_expiring(flights, serial: str, expiration: str):  # type: ignore[no-untyped-def]
    return make_pass(flights.campaign, {"fields": {"passenger": "Ada"}, "expirationDate": expiration},
                     serial_number=serial)


def test_passes_past_their_expiration_date_are_marked_expired_recorded_and_pushed(app, flights):
    gone = _pass_expiring(flights, "GONE", "2031-06-01T11:59:00Z")
    # 13:30 at UTC+02:00 is 11:30 UTC: expired, although its text sorts after NOW.
    gone_with_offset = _pass_expiring(flights, "GONE-TZ", "2031-06-01T13:30:00+02:00")
    valid = _pass_expiring(flights, "VALID", "2031-06-01T12:01:00Z")
    tag_before = load_pass(gone.id).update_tag

    with transaction() as session:
        first = expire_batch(session, NOW)
    with transaction() as session:
        second = expire_batch(session, NOW)

    assert first.expired == 2 and second.expired == 0 and second.push_request_ids == []
    assert load_pass(gone.id).expired_at == NOW and load_pass(gone_with_offset.id).expired_at == NOW
    assert load_pass(valid.id).expired_at is None and load_pass(flights.pass_.id).expired_at is None
    assert load_pass(gone.id).update_tag > tag_before
    assert load_pass(gone.id).voided is False  # Wallet shows expiry from expirationDate itself
    with transaction(write=False) as session:
        events = session.scalars(select(PassEvent.pass_id).where(PassEvent.kind == "expired")).all()
        [push] = session.scalars(select(PushRequest)).all()
    assert sorted(events) == sorted([gone.id, gone_with_offset.id])
    assert sorted(push.pass_ids) == sorted([gone.id, gone_with_offset.id])
    assert first.push_request_ids == [push.id]


def test_expiry_works_through_candidates_in_batches(app, flights):
    for index in range(5):
        _pass_expiring(flights, f"OLD-{index}", "2031-05-01T00:00:00Z")

    cursor, expired, batches = "", 0, 0
    while cursor is not None:
        with transaction() as session:
            batch = expire_batch(session, NOW, after_id=cursor, batch_size=2)
        cursor, expired, batches = batch.next_cursor, expired + batch.expired, batches + 1

    assert expired == 5 and batches == 3


def _helper_schedules() -> list[tuple[str, dt.datetime | None]]:
    with transaction(write=False) as session:
        return [(schedule.state, schedule.run_at) for schedule in session.scalars(
            select(Schedule).where(Schedule.origin == "relevant_date").order_by(Schedule.created_at))]


def test_campaign_relevant_date_schedules_a_merge_before_it(app, client, flights):
    patch = {"boarding_pass": {"relevant_date": "2031-05-01T18:00:00Z"}}
    assert client.patch(flights.campaign_url, json=patch, headers=flights.bearer).status_code == 200
    assert client.patch(flights.campaign_url, json=patch, headers=flights.bearer).status_code == 200  # no change
    assert _helper_schedules() == [("scheduled", dt.datetime(2031, 5, 1, 15, tzinfo=UTC))]  # 3 hours before

    moved = {"boarding_pass": {"relevant_date": "2031-05-02T18:00:00Z"}}
    assert client.patch(flights.campaign_url, json=moved, headers=flights.bearer).status_code == 200
    assert _helper_schedules() == [("cancelled", dt.datetime(2031, 5, 1, 15, tzinfo=UTC)),
                                   ("scheduled", dt.datetime(2031, 5, 2, 15, tzinfo=UTC))]
    listed = client.get(f"{flights.campaign_url}/schedules", headers=flights.bearer,
                        query_string={"q[state_eq]": "scheduled"}).get_json()
    assert [(item["origin"], item["merge"]) for item in listed] == [("relevant_date", True)]

    [result] = fire(app, dt.datetime(2031, 5, 2, 15, tzinfo=UTC))
    with transaction(write=False) as session:
        job = session.scalars(select(BackgroundJob)).one()
    assert job.kind == "campaign_merge" and job.push_request_id == result.push_request_id
    from walletservice.workers.job_runner import JobWorker

    JobWorker(app).run_until_idle()
    assert load_pass(flights.pass_.id).content["relevantDate"] == "2031-05-02T18:00:00Z"


def test_a_past_relevant_date_cancels_the_helper(app, client, flights):
    future = {"boarding_pass": {"relevant_date": "2031-05-01T18:00:00Z"}}
    past = {"boarding_pass": {"relevant_date": "2001-05-01T18:00:00Z"}}
    client.patch(flights.campaign_url, json=future, headers=flights.bearer)
    client.patch(flights.campaign_url, json=past, headers=flights.bearer)

    assert [state for state, _ in _helper_schedules()] == ["cancelled"]


def test_deliveries_abandoned_by_crashing_workers_fail_and_their_request_finishes(app, flights):
    with transaction() as session:
        push = enqueue_pass_push(session, flights.organization_id, [flights.pass_.id])
        push.state = "sending"
        session.add(PushDelivery(push_request_id=push.id, push_token="ab" * 32, pass_type_identifier="t",
                                 attempts=5, lease_owner="dead", lease_expires_at=utcnow() - dt.timedelta(minutes=1)))
        push_id = push.id
    with transaction() as session:
        assert fail_abandoned_deliveries(session, max_attempts=5) == 1
        assert finish_completed_requests(session) == 1
    with transaction(write=False) as session:
        assert session.get(PushRequest, push_id).state == "done"
        assert session.scalars(select(PushDelivery.reason)).one() == "WorkerLost"


def test_certificates_expiring_soon_show_the_days_left(app, client, flights, tmp_path):
    from tests.cli.test_commands import _write_pem_identity
    from walletservice.services.certificates import CertificateUpload, import_certificate

    cert, key, wwdr = _write_pem_identity(tmp_path, valid_days=20)
    with transaction() as session:
        import_certificate(session, CertificateUpload(cert.read_bytes(), key.read_bytes(), wwdr.read_bytes()),
                           app.config["WALLET_SECRET_KEY"])

    [shown] = client.get("/v2/certificates", headers=flights.bearer).get_json()
    assert shown["expires_soon"] is True and 17 <= shown["days_to_expiry"] <= 20


class _Leader:
    """Stands in for a SchedulerProcess that holds the lease."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app, self.leading_since = app, utcnow()

    def is_leader(self) -> bool:
        return True


def test_the_expiry_job_expires_every_due_pass(app, flights):
    from walletservice.scheduling import jobs

    passes = [_pass_expiring(flights, f"PAST-{index}", "2001-01-01T00:00:00Z") for index in range(5)]
    jobs.register_process("test-leader", _Leader(app))
    try:
        jobs.expire_passes("test-leader")
    finally:
        jobs.unregister_process("test-leader")

    assert all(load_pass(pass_.id).expired_at is not None for pass_ in passes)
    assert load_pass(flights.pass_.id).expired_at is None


def test_a_later_expiration_date_reopens_an_expired_pass_for_the_expiry_job(app, flights):
    from walletservice.models import Campaign, Pass
    from walletservice.services.passes import update_pass_values

    expired = _pass_expiring(flights, "RENEWED", "2020-01-01T00:00:00Z")
    with transaction() as session:
        assert expire_batch(session).expired == 1
    with transaction() as session:
        pass_ = session.get(Pass, expired.id)
        update_pass_values(session, pass_, session.get(Campaign, pass_.campaign_id),
                           {"expirationDate": "2020-02-01T00:00:00Z"})
    assert load_pass(expired.id).expired_at is not None  # still in the past: stays expired

    with transaction() as session:
        pass_ = session.get(Pass, expired.id)
        update_pass_values(session, pass_, session.get(Campaign, pass_.campaign_id),
                           {"expirationDate": "2999-01-01T00:00:00Z"})
    assert load_pass(expired.id).expired_at is None


def test_a_campaign_with_only_relevant_dates_schedules_the_helper_before_the_earliest(app, client, flights):
    patch = {"boarding_pass": {"relevant_dates": [
        {"startDate": "2031-05-02T18:00:00Z", "endDate": "2031-05-02T20:00:00Z"}, {"date": "2031-05-01T18:00:00Z"}]}}

    assert client.patch(flights.campaign_url, json=patch, headers=flights.bearer).status_code == 200

    assert _helper_schedules() == [("scheduled", dt.datetime(2031, 5, 1, 15, tzinfo=UTC))]  # 3 hours before
