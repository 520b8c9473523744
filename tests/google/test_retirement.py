"""Google objects whose Apple side went away are set INACTIVE at the stand-in, through the job
queue: a deleted pass, a deleted campaign's passes, and an organization's objects under an
issuer it left (with the old issuer's own key). Classes stay; nothing retired is synced again."""

from __future__ import annotations

import json
import threading

from sqlalchemy import func, select

from tests.google.conftest import ISSUER_ID, OWN_EMAIL, OWN_ISSUER_ID
from tests.google.test_own_issuer import google_account_url, move_to_own_issuer, upload_icon
from tests.google.test_sync import create_campaign, issue_pass, run_jobs, synced_pass
from walletservice.db import transaction
from walletservice.google_sim import GoogleWalletSimulator, write_service_account
from walletservice.models import BackgroundJob, GoogleWalletRetiredObject, GoogleWalletRetirement
from walletservice.queue.jobs import enqueue_job
from walletservice.services import google_sender


def object_state(google_sim: GoogleWalletSimulator, collection: str, issuer_id: str, pass_id: str) -> str:
    return google_sim.resources[(collection, f"{issuer_id}.p-{pass_id}")].get("state")


def patches_of(google_sim: GoogleWalletSimulator, resource_id: str) -> list[dict]:
    return [record.body for record in google_sim.requests("PATCH") if record.resource_id == resource_id]


def retirements_left() -> tuple[int, int]:
    with transaction(write=False) as session:
        return (session.scalar(select(func.count()).select_from(GoogleWalletRetirement)),
                session.scalar(select(func.count()).select_from(GoogleWalletRetiredObject)))


def test_deleting_a_campaign_makes_its_passes_objects_inactive_and_leaves_the_class(
        google_app, client, account, icon, google_sim):
    campaign = create_campaign(client, account, "store_cards", icon)
    passes = [issue_pass(client, account, "store_cards", campaign["id"]) for _ in range(2)]
    run_jobs(google_app)
    class_requests = len(google_sim.requests(collection="loyaltyClass"))

    assert client.delete(f"/v2/store_cards/{campaign['id']}", headers=account.basic).status_code == 200
    run_jobs(google_app)

    for pass_ in passes:
        assert object_state(google_sim, "loyaltyObject", ISSUER_ID, pass_["id"]) == "INACTIVE"
        assert patches_of(google_sim, f"{ISSUER_ID}.p-{pass_['id']}")[-1] == {
            "state": "INACTIVE", "id": f"{ISSUER_ID}.p-{pass_['id']}"}
    assert len(google_sim.requests(collection="loyaltyClass")) == class_requests  # Google keeps classes
    assert retirements_left() == (0, 0)  # the work and the pinned issuer are forgotten once done


def test_a_retirement_meeting_a_429_is_retried_and_patched_once_it_passes(
        google_app, client, account, icon, google_sim):
    campaign, pass_ = synced_pass(google_app, client, account, "coupons", icon)

    client.delete(f"/v2/coupons/{campaign['id']}/passes/{pass_['id']}", headers=account.basic)
    google_sim.faults.fail_next(1, 429)
    run_jobs(google_app)

    bodies = [record for record in google_sim.requests("PATCH") if record.resource_id == f"{ISSUER_ID}.p-{pass_['id']}"]
    assert [record.status for record in bodies] == [429, 200]
    assert object_state(google_sim, "offerObject", ISSUER_ID, pass_["id"]) == "INACTIVE"


def test_an_archived_campaigns_passes_stay_active(google_app, client, account, icon, google_sim):
    # Archived campaigns issue no passes, but the passes they issued still download and update.
    campaign, pass_ = synced_pass(google_app, client, account, "generics", icon)

    assert client.post(f"/v2/generics/{campaign['id']}/archive", headers=account.basic).status_code == 200
    run_jobs(google_app)

    assert object_state(google_sim, "genericObject", ISSUER_ID, pass_["id"]) == "ACTIVE"


def test_moving_to_an_own_issuer_and_back_retires_each_previous_issuers_objects(
        google_app, client, skyport, own_key_file, google_sim):
    campaign, pass_ = synced_pass(google_app, client, skyport, "generics", upload_icon(client, skyport))

    move_to_own_issuer(client, skyport, own_key_file)
    run_jobs(google_app)
    assert object_state(google_sim, "genericObject", ISSUER_ID, pass_["id"]) == "INACTIVE"
    assert object_state(google_sim, "genericObject", OWN_ISSUER_ID, pass_["id"]) == "ACTIVE"

    assert client.delete(google_account_url(skyport), headers=skyport.basic).status_code == 200
    run_jobs(google_app)

    # The own issuer's object was retired with its own key, after the organization had dropped it.
    own_patches = [record for record in google_sim.requests("PATCH")
                   if record.resource_id == f"{OWN_ISSUER_ID}.p-{pass_['id']}"]
    assert own_patches[-1].body["state"] == "INACTIVE" and own_patches[-1].client_email == OWN_EMAIL
    assert object_state(google_sim, "genericObject", OWN_ISSUER_ID, pass_["id"]) == "INACTIVE"
    # Back under the server's issuer the pass is synced again, active.
    assert object_state(google_sim, "genericObject", ISSUER_ID, pass_["id"]) == "ACTIVE"
    assert retirements_left() == (0, 0)


def test_a_new_key_for_the_same_issuer_retires_nothing(google_app, client, skyport, own_key_file, google_sim, tmp_path):
    move_to_own_issuer(client, skyport, own_key_file)
    campaign, pass_ = synced_pass(google_app, client, skyport, "generics", upload_icon(client, skyport))

    rotated_email = "rotated@skyport-wallet.iam.gserviceaccount.com"
    rotated = tmp_path / "rotated.json"
    google_sim.accounts[rotated_email] = write_service_account(rotated, google_sim.token_url, key_id="skyport-2",
                                                               client_email=rotated_email)
    google_sim.issuers[rotated_email] = OWN_ISSUER_ID
    answer = client.put(google_account_url(skyport), headers=skyport.basic,
                        json={"issuer_id": OWN_ISSUER_ID, "service_account": json.loads(rotated.read_text())})
    assert answer.status_code == 200, answer.get_json()
    run_jobs(google_app)

    assert object_state(google_sim, "genericObject", OWN_ISSUER_ID, pass_["id"]) == "ACTIVE"
    assert not [body for body in patches_of(google_sim, f"{OWN_ISSUER_ID}.p-{pass_['id']}")
                if body.get("state") == "INACTIVE"]


def test_a_retirement_refused_by_google_is_recorded_and_not_retried(google_app, client, account, icon, google_sim):
    campaign, pass_ = synced_pass(google_app, client, account, "coupons", icon)

    client.delete(f"/v2/coupons/{campaign['id']}/passes/{pass_['id']}", headers=account.basic)
    google_sim.faults.fail_next(1, 400)
    run_jobs(google_app)

    with transaction(write=False) as session:
        job = session.scalars(select(BackgroundJob).where(BackgroundJob.kind == "google_wallet_retire")).one()
        assert (job.state, job.failed) == ("done", 1)
        assert job.errors[0]["id"] == pass_["id"]
    assert len(patches_of(google_sim, f"{ISSUER_ID}.p-{pass_['id']}")) == 1
    assert retirements_left() == (0, 0)


def test_a_job_queued_before_retirements_had_their_tables_still_retires_its_objects(
        google_app, client, account, icon, google_sim):
    campaign, pass_ = synced_pass(google_app, client, account, "coupons", icon)
    with transaction() as session:  # what services.google_sync queued for a deleted pass until now
        enqueue_job(session, account.id, "google_wallet_sync", {
            "campaign_id": campaign["id"], "removed": [{"pass_id": pass_["id"], "type": "offer"}]})
    run_jobs(google_app)

    assert object_state(google_sim, "offerObject", ISSUER_ID, pass_["id"]) == "INACTIVE"


def test_a_key_change_during_a_sync_chunk_leaves_no_object_under_the_previous_issuer(
        google_app, client, skyport, own_key_file, google_sim, monkeypatch):
    """The chunk read the issuer, then the organization moved to its own: the object the chunk
    writes must be retired with the rest, and the pass synced under the new issuer."""
    campaign, _first = synced_pass(google_app, client, skyport, "coupons", upload_icon(client, skyport))
    pass_ = issue_pass(client, skyport, "coupons", campaign["id"])
    answers: list[int] = []

    def change_key() -> None:
        response = google_app.test_client().put(google_account_url(skyport), headers=skyport.basic, json={
            "issuer_id": OWN_ISSUER_ID, "service_account": own_key_file.read_text()})
        answers.append(response.status_code)

    original = google_sender._sync_next_pass
    changer = threading.Thread(target=change_key)

    def sync_during_a_key_change(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not changer.is_alive() and not answers:
            changer.start()
            changer.join(timeout=1.5)  # done unless it waits for this chunk
        return original(*args, **kwargs)

    monkeypatch.setattr(google_sender, "_sync_next_pass", sync_during_a_key_change)
    run_jobs(google_app)
    changer.join(timeout=10)
    monkeypatch.setattr(google_sender, "_sync_next_pass", original)
    run_jobs(google_app)

    assert answers == [200]
    assert object_state(google_sim, "offerObject", ISSUER_ID, pass_["id"]) == "INACTIVE"
    assert object_state(google_sim, "offerObject", OWN_ISSUER_ID, pass_["id"]) == "ACTIVE"
