"""Retirements that meet trouble still end: an object Google keeps refusing is tried a bounded
number of times without holding up its organization's other objects, a retirement whose job gave
up is queued again by housekeeping, and one past its bounds is recorded failed and deleted with
its copy of the old issuer's key."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
from sqlalchemy import select, update

from tests.google.conftest import ISSUER_ID, OWN_ISSUER_ID
from tests.google.test_own_issuer import google_account_url, move_to_own_issuer, upload_icon
from tests.google.test_retirement import object_state, patches_of, retirements_left
from tests.google.test_sync import create_campaign, issue_pass, run_jobs, synced_pass
from walletservice.db import transaction
from walletservice.models import BackgroundJob, GoogleWalletRetiredObject, GoogleWalletRetirement
from walletservice.models.base import utcnow
from walletservice.scheduling import jobs as scheduled
from walletservice.services import google_retirer
from walletservice.services.google_retirement_sweep import SweepResult, sweep_retirements

KIND = "google_wallet_retire"


class _Leader:
    """Stands in for a SchedulerProcess that holds the lease."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app, self.leading_since = app, utcnow()

    def is_leader(self) -> bool:
        return True


def retire_jobs() -> list[BackgroundJob]:
    with transaction(write=False) as session:
        found = session.scalars(select(BackgroundJob).where(BackgroundJob.kind == KIND)
                                .order_by(BackgroundJob.created_at)).all()
        session.expunge_all()
        return list(found)


def sweep(app) -> SweepResult:  # type: ignore[no-untyped-def]
    with app.app_context(), transaction() as session:
        return sweep_retirements(session, utcnow(), max_requeues=app.config["WALLET_GOOGLE_RETIREMENT_MAX_REQUEUES"],
                                 max_age_days=app.config["WALLET_GOOGLE_RETIREMENT_MAX_DAYS"])


def run_housekeeping(app) -> None:  # type: ignore[no-untyped-def]
    scheduled.register_process("test-leader", _Leader(app))
    try:
        scheduled.housekeeping("test-leader")
    finally:
        scheduled.unregister_process("test-leader")


def give_up_the_job(google_app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Run the queued retirement job with every chunk raising, until the worker gives it up."""
    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the chunk broke")

    monkeypatch.setitem(google_app.config, "WALLET_JOB_MAX_ATTEMPTS", 2)
    monkeypatch.setattr(google_retirer, "_retire", broken)
    run_jobs(google_app)
    monkeypatch.undo()
    assert [job.state for job in retire_jobs()] == ["failed"]


def test_one_object_google_keeps_refusing_is_given_up_while_the_others_are_retired(
        google_app, client, account, icon, google_sim):
    google_app.config["WALLET_GOOGLE_RETIRE_OBJECT_MAX_ATTEMPTS"] = 3
    campaign = create_campaign(client, account, "coupons", icon)
    passes = [issue_pass(client, account, "coupons", campaign["id"]) for _ in range(3)]
    run_jobs(google_app)
    assert client.delete(f"/v2/coupons/{campaign['id']}", headers=account.basic).status_code == 200
    with transaction(write=False) as session:  # the object every job takes first
        stuck = session.scalars(select(GoogleWalletRetiredObject.pass_id).order_by(GoogleWalletRetiredObject.id)).first()
    google_sim.fail_writes_to(f"{ISSUER_ID}.p-{stuck}", 503)

    run_jobs(google_app)

    others = [pass_["id"] for pass_ in passes if pass_["id"] != stuck]
    assert [object_state(google_sim, "offerObject", ISSUER_ID, pass_id) for pass_id in others] == ["INACTIVE"] * 2
    assert object_state(google_sim, "offerObject", ISSUER_ID, stuck) == "ACTIVE"
    stuck_patches = [record for record in google_sim.requests("PATCH") if record.resource_id.endswith(stuck)]
    assert [record.status for record in stuck_patches] == [503] * 3
    # The others went through between the stuck object's tries, not after its last one.
    others_done = max(record.at for record in google_sim.requests("PATCH")
                      if record.resource_id.removeprefix(f"{ISSUER_ID}.p-") in others)
    assert stuck_patches[0].at < others_done < stuck_patches[-1].at
    [job] = retire_jobs()
    assert (job.state, job.processed, job.failed) == ("done", 3, 1)
    assert job.errors[0]["id"] == stuck and job.errors[0]["error"].startswith("gave up after 3 attempts")
    assert retirements_left() == (0, 0)


def test_an_object_failing_a_few_times_is_retired_once_google_takes_it(google_app, client, account, icon, google_sim):
    campaign, pass_ = synced_pass(google_app, client, account, "coupons", icon)
    client.delete(f"/v2/coupons/{campaign['id']}/passes/{pass_['id']}", headers=account.basic)
    google_sim.fail_next_write(3, 500)

    run_jobs(google_app)

    assert [record.status for record in google_sim.requests("PATCH")
            if record.resource_id == f"{ISSUER_ID}.p-{pass_['id']}"] == [500, 500, 500, 200]
    [job] = retire_jobs()
    assert (job.state, job.failed, job.attempts) == ("done", 0, 0)  # the job itself never failed
    assert retirements_left() == (0, 0)


def test_a_retirement_whose_job_gave_up_is_queued_again_by_housekeeping_and_finishes(
        google_app, client, account, icon, google_sim, monkeypatch):
    campaign, pass_ = synced_pass(google_app, client, account, "coupons", icon)
    client.delete(f"/v2/coupons/{campaign['id']}/passes/{pass_['id']}", headers=account.basic)
    give_up_the_job(google_app, monkeypatch)
    assert retirements_left() == (1, 1)

    run_housekeeping(google_app)
    assert sweep(google_app) == SweepResult(requeued=0, given_up=0)  # its job is queued: nothing to do
    assert [job.state for job in retire_jobs()] == ["failed", "queued"]
    run_jobs(google_app)

    assert object_state(google_sim, "offerObject", ISSUER_ID, pass_["id"]) == "INACTIVE"
    assert retirements_left() == (0, 0)
    assert sweep(google_app) == SweepResult(requeued=0, given_up=0)


def test_two_schedulers_sweeping_at_once_queue_one_job(google_app, client, account, icon, google_sim, monkeypatch):
    campaign, pass_ = synced_pass(google_app, client, account, "coupons", icon)
    client.delete(f"/v2/coupons/{campaign['id']}/passes/{pass_['id']}", headers=account.basic)
    give_up_the_job(google_app, monkeypatch)
    start = threading.Barrier(2)
    results: list[SweepResult] = []

    def sweep_now() -> None:
        start.wait()
        results.append(sweep(google_app))

    sweepers = [threading.Thread(target=sweep_now) for _ in range(2)]
    for sweeper in sweepers:
        sweeper.start()
    for sweeper in sweepers:
        sweeper.join(timeout=30)

    assert sorted(result.requeued for result in results) == [0, 1]
    assert [job.state for job in retire_jobs()] == ["failed", "queued"]
    with transaction(write=False) as session:
        assert session.scalar(select(GoogleWalletRetirement.requeues)) == 1


@pytest.mark.parametrize("bound", ["age", "requeues"])
def test_a_retirement_past_its_bounds_is_recorded_failed_and_its_old_key_deleted(
        google_app, client, skyport, own_key_file, google_sim, monkeypatch, caplog, bound):
    move_to_own_issuer(client, skyport, own_key_file)
    campaign, pass_ = synced_pass(google_app, client, skyport, "generics", upload_icon(client, skyport))
    assert client.delete(google_account_url(skyport), headers=skyport.basic).status_code == 200
    with transaction(write=False) as session:  # the old issuer's key is kept for the retirement
        assert session.scalar(select(GoogleWalletRetirement.service_account_encrypted)) is not None
    give_up_the_job(google_app, monkeypatch)
    with transaction() as session:
        if bound == "age":
            session.execute(update(GoogleWalletRetirement).values(created_at=utcnow() - dt.timedelta(days=8)))
        else:
            session.execute(update(GoogleWalletRetirement).values(requeues=10))

    with caplog.at_level(logging.WARNING):
        run_housekeeping(google_app)

    assert retirements_left() == (0, 0)  # the retirement, its objects and its key copy are gone
    failed, given_up = retire_jobs()
    assert (given_up.state, given_up.failed) == ("failed", 1)
    assert given_up.result["error"].startswith("gave up retiring 1 Google objects")
    assert given_up.errors == [{"id": pass_["id"], "error": "not set INACTIVE"}]
    assert any("gave up retiring 1 Google objects" in record.getMessage() for record in caplog.records)
    assert object_state(google_sim, "genericObject", OWN_ISSUER_ID, pass_["id"]) == "ACTIVE"
    assert not patches_of(google_sim, f"{OWN_ISSUER_ID}.p-{pass_['id']}")[1:]
    assert sweep(google_app) == SweepResult(requeued=0, given_up=0)
