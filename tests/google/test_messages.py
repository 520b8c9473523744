"""push_message reaches Google Wallet as an object message: with notification 3 times per pass
per 24 hours (Google's limit), then without notification, counted."""

from __future__ import annotations

import pytest

from tests.google.conftest import ISSUER_ID
from tests.google.test_sync import run_jobs, synced_pass
from walletservice.db import transaction
from walletservice.google_wallet.client import GoogleApiError, Resource, WalletObjectsClient
from walletservice.models import GoogleWalletObject
from walletservice.services.google_sender import wallet_client
from walletservice.services.google_issuers import issuer_for
from walletservice.queue.leases import end_leases
from walletservice.workers.job_runner import JobWorker


def test_push_messages_beyond_three_a_day_are_sent_without_notification(
        google_app, client, account, icon, google_sim):
    campaign, pass_ = synced_pass(google_app, client, account, "coupons", icon)
    push = f"/v2/coupons/{campaign['id']}/passes/{pass_['id']}/push"

    for text in ("Sale today", "Sale tomorrow", "Last day", "Really the last day", "Last day"):
        assert client.post(push, json={"pass": {"push_message": text}}, headers=account.basic).status_code == 202
        run_jobs(google_app)

    messages = google_sim.resources[("offerObject", f"{ISSUER_ID}.p-{pass_['id']}")]["messages"]
    assert [message["body"] for message in messages] == [
        "Sale today", "Sale tomorrow", "Last day", "Really the last day", "Last day"]
    assert [message["messageType"] for message in messages] == ["TEXT_AND_NOTIFY"] * 3 + ["TEXT"] * 2
    assert messages[0]["header"] == "Toy Town"
    assert 429 not in [record.status for record in google_sim.records]
    with transaction(write=False) as session:
        assert session.get(GoogleWalletObject, pass_["id"]).unnotified_messages == 2


def test_an_update_without_a_new_message_sends_no_message(google_app, client, account, icon, google_sim):
    campaign, pass_ = synced_pass(google_app, client, account, "coupons", icon)
    base = f"/v2/coupons/{campaign['id']}/passes/{pass_['id']}"
    client.post(f"{base}/push", json={"pass": {"push_message": "Hello"}}, headers=account.basic)
    run_jobs(google_app)

    client.patch(base, json={"pass": {"voided": True}}, headers=account.basic)
    run_jobs(google_app)

    stored = google_sim.resources[("offerObject", f"{ISSUER_ID}.p-{pass_['id']}")]
    assert [message["body"] for message in stored["messages"]] == ["Hello"]
    assert stored["state"] == "INACTIVE"


def test_the_stand_in_refuses_a_fourth_notification_in_a_day(google_app, client, account, icon, google_sim):
    campaign, pass_ = synced_pass(google_app, client, account, "coupons", icon)
    with transaction(write=False) as session:
        issuer = issuer_for(session, account.id, google_app.config)
    wallet = wallet_client(google_app.config, issuer)
    resource = Resource("offer", "Object", f"{ISSUER_ID}.p-{pass_['id']}")
    notify = {"message": {"header": "Toy Town", "body": "hi", "messageType": "TEXT_AND_NOTIFY"}}

    for _ in range(3):
        wallet.add_message(resource, notify)
    with pytest.raises(GoogleApiError) as refused:
        wallet.add_message(resource, notify)

    assert refused.value.status == 429
    wallet.add_message(resource, {"message": {**notify["message"], "messageType": "TEXT"}})  # no quota


def object_requests(google_sim, pass_id: str, method: str, suffix: str = "") -> list:
    return [record for record in google_sim.requests(method, "offerObject")
            if record.resource_id == f"{ISSUER_ID}.p-{pass_id}{suffix}"]


def test_a_message_whose_answer_was_lost_is_not_sent_again_nor_the_object_patched_again(
        google_app, client, account, icon, google_sim):
    campaign, pass_ = synced_pass(google_app, client, account, "coupons", icon)
    push = f"/v2/coupons/{campaign['id']}/passes/{pass_['id']}/push"

    google_sim.fail_next_write(1, 500, action="addMessage", applied=True)  # Google took it, the answer was a 500
    assert client.post(push, json={"pass": {"push_message": "Sale today"}}, headers=account.basic).status_code == 202
    run_jobs(google_app)

    stored = google_sim.resources[("offerObject", f"{ISSUER_ID}.p-{pass_['id']}")]
    assert [message["body"] for message in stored["messages"]] == ["Sale today"]
    assert [record.status for record in object_requests(google_sim, pass_["id"], "POST", "/addMessage")] == [500]
    assert len(object_requests(google_sim, pass_["id"], "PATCH")) == 1
    with transaction(write=False) as session:
        row = session.get(GoogleWalletObject, pass_["id"])
        assert row.pending_message is None and len(row.notified_at) == 1


def test_a_message_refused_with_a_429_is_sent_once_on_retry_without_patching_again(
        google_app, client, account, icon, google_sim):
    campaign, pass_ = synced_pass(google_app, client, account, "coupons", icon)
    push = f"/v2/coupons/{campaign['id']}/passes/{pass_['id']}/push"
    assert client.post(push, json={"pass": {"push_message": "Sale today"}}, headers=account.basic).status_code == 202

    google_sim.fail_next_write(1, 429, action="addMessage")
    run_jobs(google_app)

    stored = google_sim.resources[("offerObject", f"{ISSUER_ID}.p-{pass_['id']}")]
    assert [message["body"] for message in stored["messages"]] == ["Sale today"]
    assert [record.status for record in object_requests(google_sim, pass_["id"], "POST", "/addMessage")] == [429, 200]
    assert len(object_requests(google_sim, pass_["id"], "PATCH")) == 1



class WorkerKilled(BaseException):
    """Not an Exception: the job runner records nothing, as when the process dies."""


def kill_worker_after_send(monkeypatch) -> None:
    """Google takes the message, then the worker dies before its chunk commits."""
    sent = WalletObjectsClient.add_message

    def send_then_die(self, resource, body):
        sent(self, resource, body)
        monkeypatch.setattr(WalletObjectsClient, "add_message", sent)  # the next worker lives
        raise WorkerKilled

    monkeypatch.setattr(WalletObjectsClient, "add_message", send_then_die)


def test_a_worker_dying_after_google_took_the_message_leaves_one_message_when_another_takes_over(
        google_app, client, account, icon, google_sim, monkeypatch):
    campaign, pass_ = synced_pass(google_app, client, account, "coupons", icon)
    kill_worker_after_send(monkeypatch)
    client.post(f"/v2/coupons/{campaign['id']}/passes/{pass_['id']}/push",
                json={"pass": {"push_message": "Sale today"}}, headers=account.basic)

    dying = JobWorker(google_app)
    with pytest.raises(WorkerKilled):
        dying.run_until_idle()
    with transaction() as session:
        assert session.get(GoogleWalletObject, pass_["id"]).pending_message is not None  # rolled back
        end_leases(session, dying.worker_id)  # its lease runs out
    run_jobs(google_app)  # another worker takes the job over

    stored = google_sim.resources[("offerObject", f"{ISSUER_ID}.p-{pass_['id']}")]
    assert [message["body"] for message in stored["messages"]] == ["Sale today"]
    assert len(object_requests(google_sim, pass_["id"], "POST", "/addMessage")) == 1
    with transaction(write=False) as session:
        row = session.get(GoogleWalletObject, pass_["id"])
        assert row.pending_message is None and row.message_claim is None


def test_another_job_of_the_pass_finding_a_message_whose_sender_died_does_not_send_it_again(
        google_app, client, account, icon, google_sim, monkeypatch):
    campaign, pass_ = synced_pass(google_app, client, account, "coupons", icon)
    base = f"/v2/coupons/{campaign['id']}/passes/{pass_['id']}"
    kill_worker_after_send(monkeypatch)
    client.post(f"{base}/push", json={"pass": {"push_message": "Sale today"}}, headers=account.basic)
    with pytest.raises(WorkerKilled):
        JobWorker(google_app).run_until_idle()  # its lease has not run out yet

    client.patch(base, json={"pass": {"voided": True}}, headers=account.basic)  # a second job for the pass
    JobWorker(google_app).run_until_idle()  # the dead worker's job is still leased: only the new one runs

    stored = google_sim.resources[("offerObject", f"{ISSUER_ID}.p-{pass_['id']}")]
    assert [message["body"] for message in stored["messages"]] == ["Sale today"]
    assert stored["state"] == "INACTIVE"
    assert len(object_requests(google_sim, pass_["id"], "POST", "/addMessage")) == 1


def test_the_first_send_of_a_message_reads_nothing_from_google(google_app, client, account, icon, google_sim):
    campaign, pass_ = synced_pass(google_app, client, account, "coupons", icon)
    gets_before = len(object_requests(google_sim, pass_["id"], "GET"))
    client.post(f"/v2/coupons/{campaign['id']}/passes/{pass_['id']}/push",
                json={"pass": {"push_message": "Sale today"}}, headers=account.basic)
    run_jobs(google_app)

    assert len(object_requests(google_sim, pass_["id"], "POST", "/addMessage")) == 1
    assert len(object_requests(google_sim, pass_["id"], "GET")) == gets_before
