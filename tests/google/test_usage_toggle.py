"""Turning gwallet_usage off (v2 PATCH, v3 googleWalletEnabled) sets the campaign's objects
INACTIVE through the retirement job; turning it on again makes them ACTIVE through the ordinary
sync. Two toggles at once retire each object exactly once."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select, update

from tests.google.conftest import ISSUER_ID, OWN_ISSUER_ID
from tests.google.test_own_issuer import move_to_own_issuer, upload_icon
from tests.google.test_retirement import object_state, patches_of, retirements_left
from tests.google.test_sync import create_campaign, issue_pass, run_jobs
from walletservice.db import transaction
from walletservice.models import BackgroundJob, GoogleIssuerAccount, GoogleWalletObject, GoogleWalletRetiredObject
from walletservice.models.base import utcnow
from walletservice.services.google_retirement import RETIRE_KIND
from walletservice.workers.job_runner import JobWorker


def synced_campaign(google_app, client, account, icon, passes: int = 2) -> tuple[dict, list[dict]]:
    campaign = create_campaign(client, account, "coupons", icon)
    issued = [issue_pass(client, account, "coupons", campaign["id"]) for _ in range(passes)]
    run_jobs(google_app)
    return campaign, issued


def set_usage_v2(client, account, campaign_id: str, enabled: bool) -> None:
    response = client.patch(f"/v2/coupons/{campaign_id}", headers=account.basic,
                            json={"coupon": {"gwallet_usage": enabled}})
    assert response.status_code == 200, response.get_json()


def set_usage_v3(client, account, campaign_id: str, enabled: bool) -> None:
    response = client.patch(f"/api/v3/template/{campaign_id}", headers={"Authorization": account.api_key},
                            json={"data": {"googleWalletEnabled": enabled}})
    assert response.status_code == 200, response.get_json()


def states(google_sim, passes: list[dict]) -> set[str]:
    return {object_state(google_sim, "offerObject", ISSUER_ID, pass_["id"]) for pass_ in passes}


def inactive_patches(google_sim, pass_: dict) -> int:
    return sum(1 for body in patches_of(google_sim, f"{ISSUER_ID}.p-{pass_['id']}") if body == {
        "state": "INACTIVE", "id": f"{ISSUER_ID}.p-{pass_['id']}"})


def object_rows() -> int:
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(GoogleWalletObject))


def test_turning_gwallet_usage_off_in_v2_retires_the_objects_and_on_again_reactivates_them(
        google_app, client, account, icon, google_sim):
    campaign, passes = synced_campaign(google_app, client, account, icon)

    set_usage_v2(client, account, campaign["id"], False)
    run_jobs(google_app)
    assert states(google_sim, passes) == {"INACTIVE"}
    assert [inactive_patches(google_sim, pass_) for pass_ in passes] == [1, 1]
    assert retirements_left() == (0, 0) and object_rows() == 0

    set_usage_v2(client, account, campaign["id"], True)
    run_jobs(google_app)
    assert states(google_sim, passes) == {"ACTIVE"}
    assert object_rows() == 2
    assert [inactive_patches(google_sim, pass_) for pass_ in passes] == [1, 1]


def test_turning_google_wallet_off_in_v3_retires_the_objects_and_on_again_reactivates_them(
        google_app, client, account, icon, google_sim):
    campaign, passes = synced_campaign(google_app, client, account, icon, passes=1)

    set_usage_v3(client, account, campaign["id"], False)
    run_jobs(google_app)
    assert states(google_sim, passes) == {"INACTIVE"}

    set_usage_v3(client, account, campaign["id"], True)
    run_jobs(google_app)
    assert states(google_sim, passes) == {"ACTIVE"}


def test_off_and_on_again_before_the_jobs_run_leaves_the_objects_active(
        google_app, client, account, icon, google_sim):
    campaign, passes = synced_campaign(google_app, client, account, icon)

    set_usage_v2(client, account, campaign["id"], False)
    set_usage_v3(client, account, campaign["id"], True)
    run_jobs(google_app)  # the retirement runs first and finds the campaign on again

    assert states(google_sim, passes) == {"ACTIVE"}
    assert [inactive_patches(google_sim, pass_) for pass_ in passes] == [0, 0]
    assert retirements_left() == (0, 0) and object_rows() == 2


def test_turning_off_again_before_an_earlier_retirement_ran_retires_each_object_once(
        google_app, client, account, icon, google_sim):
    campaign, passes = synced_campaign(google_app, client, account, icon)
    set_usage_v2(client, account, campaign["id"], False)
    with transaction() as session:  # the retirement waits (say, behind a busy worker)
        session.execute(update(BackgroundJob).where(BackgroundJob.kind == RETIRE_KIND)
                        .values(lease_expires_at=utcnow() + dt.timedelta(hours=1)))
    set_usage_v2(client, account, campaign["id"], True)
    JobWorker(google_app).run_until_idle()  # the sync runs first: the objects have rows again
    assert object_rows() == 2

    set_usage_v2(client, account, campaign["id"], False)
    with transaction() as session:
        pending = sorted(session.scalars(select(GoogleWalletRetiredObject.pass_id)))
        session.execute(update(BackgroundJob).where(BackgroundJob.kind == RETIRE_KIND)
                        .values(lease_expires_at=None))
    assert pending == sorted(pass_["id"] for pass_ in passes)  # listed once, not once per "off"
    run_jobs(google_app)

    assert states(google_sim, passes) == {"INACTIVE"}
    assert [inactive_patches(google_sim, pass_) for pass_ in passes] == [1, 1]


def test_two_concurrent_turn_offs_retire_each_object_exactly_once(google_app, client, account, icon, google_sim):
    campaign, passes = synced_campaign(google_app, client, account, icon, passes=3)
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def turn_off(setter) -> None:
        try:
            with google_app.test_client() as own_client:
                barrier.wait(timeout=10)
                setter(own_client, account, campaign["id"], False)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=turn_off, args=(setter,)) for setter in (set_usage_v2, set_usage_v3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    with transaction(write=False) as session:
        pending = sorted(session.scalars(select(GoogleWalletRetiredObject.pass_id)))
    assert pending == sorted(pass_["id"] for pass_ in passes)
    run_jobs(google_app)
    assert states(google_sim, passes) == {"INACTIVE"}
    assert [inactive_patches(google_sim, pass_) for pass_ in passes] == [1, 1, 1]


def test_an_on_and_an_off_at_once_end_in_the_state_of_whichever_came_last(
        google_app, client, account, icon, google_sim):
    campaign, passes = synced_campaign(google_app, client, account, icon, passes=2)
    set_usage_v2(client, account, campaign["id"], False)
    barrier = threading.Barrier(2)

    def toggle(enabled: bool) -> None:
        with google_app.test_client() as own_client:
            barrier.wait(timeout=10)
            set_usage_v2(own_client, account, campaign["id"], enabled)

    threads = [threading.Thread(target=toggle, args=(enabled,)) for enabled in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    run_jobs(google_app)

    last = client.get(f"/v2/coupons/{campaign['id']}", headers=account.basic).get_json()["gwallet_usage"]
    assert states(google_sim, passes) == {"ACTIVE" if last else "INACTIVE"}


def _hold_retirement_jobs(held: bool) -> None:
    """Keeps the queued retirement jobs out of run_jobs (or lets them in again), so a sync can
    run while a retirement is still pending, as when the retire job waits out a retry."""
    with transaction() as session:
        session.execute(update(BackgroundJob).where(BackgroundJob.kind == RETIRE_KIND)
                        .values(state="held" if held else "queued"))


def test_off_then_a_new_issuer_then_on_still_retires_the_previous_issuers_objects(
        google_app, client, skyport, own_key_file, google_sim):
    campaign, issued = synced_campaign(google_app, client, skyport, upload_icon(client, skyport), passes=1)

    set_usage_v2(client, skyport, campaign["id"], False)
    move_to_own_issuer(client, skyport, own_key_file)
    set_usage_v2(client, skyport, campaign["id"], True)
    run_jobs(google_app)

    # On again, but under the own issuer: the server issuer's object is no longer the organization's.
    assert object_state(google_sim, "offerObject", OWN_ISSUER_ID, issued[0]["id"]) == "ACTIVE"
    assert object_state(google_sim, "offerObject", ISSUER_ID, issued[0]["id"]) == "INACTIVE"
    assert retirements_left() == (0, 0)


def test_off_again_under_a_new_issuer_while_the_first_retirement_waits_retires_both_objects(
        google_app, client, skyport, own_key_file, google_sim):
    campaign, issued = synced_campaign(google_app, client, skyport, upload_icon(client, skyport), passes=1)

    set_usage_v2(client, skyport, campaign["id"], False)  # pinned to the server's issuer
    _hold_retirement_jobs(True)
    move_to_own_issuer(client, skyport, own_key_file)
    set_usage_v2(client, skyport, campaign["id"], True)
    run_jobs(google_app)
    assert object_state(google_sim, "offerObject", OWN_ISSUER_ID, issued[0]["id"]) == "ACTIVE"

    set_usage_v2(client, skyport, campaign["id"], False)  # the first retirement still lists the pass
    _hold_retirement_jobs(False)
    run_jobs(google_app)

    assert object_state(google_sim, "offerObject", ISSUER_ID, issued[0]["id"]) == "INACTIVE"
    assert object_state(google_sim, "offerObject", OWN_ISSUER_ID, issued[0]["id"]) == "INACTIVE"
    assert retirements_left() == (0, 0)


def test_an_unreadable_current_key_does_not_stop_retiring_under_the_pinned_issuer(
        google_app, client, skyport, own_key_file, google_sim):
    campaign, issued = synced_campaign(google_app, client, skyport, upload_icon(client, skyport), passes=1)

    set_usage_v2(client, skyport, campaign["id"], False)  # pinned to the server's issuer
    _hold_retirement_jobs(True)
    move_to_own_issuer(client, skyport, own_key_file)
    with transaction() as session:  # e.g. encrypted under a WALLET_SECRET_KEY since replaced
        session.execute(update(GoogleIssuerAccount).values(service_account_encrypted="not a key"))
    _hold_retirement_jobs(False)
    run_jobs(google_app)

    assert object_state(google_sim, "offerObject", ISSUER_ID, issued[0]["id"]) == "INACTIVE"
