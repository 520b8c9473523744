"""Real `wallet worker` and `python app.py` processes whose database connections are cut
(pg_terminate_backend) while a campaign push, a webhook burst and a v3 bulk PATCH are
in flight: everything completes, nothing is lost, duplicates stay within one fault's
bound (docs/operations.md), and every loop is alive again quickly. Cutting connections is
PostgreSQL's (pg_terminate_backend); the SIGKILL of a worker runs on SQLite too, where
two processes share the database file."""

from __future__ import annotations

import collections
import time

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.http_servers import free_port
from tests.api.conftest import new_account
from tests.factories import make_campaign, make_pass
from tests.delivery.conftest import register, token_for
from tests.v3.conftest import make_template
from tests.workers.conftest import STARTUP_SECONDS, kill_connections, on_postgresql, tagged_url, wait_for
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import BackgroundJob, Organization, PushDelivery, WebhookDelivery, WorkerHeartbeat
from walletservice.models.base import utcnow
from walletservice.queue.pushes import enqueue_campaign_push
from walletservice.services.webhooks import set_webhook_url
from walletservice.workers.runner import ALL_LOOPS, WORKER_LOOPS

pytestmark = pytest.mark.timeout(300)

# The figure is a campaign to 2,000 devices; a few hundred keep CI fast and still
# put many batches in flight when the connections are cut.
FAULT_DEVICES = 2_000  # the campaign push in flight (issue 14: a 2,000-device campaign)
BULK_PASSES = 20
BATCH = 20
STALE_SECONDS = 3
APPLICATION_NAME = "walletservice-fault-test"
ONE_FAULT_DUPLICATE_BOUND = 2 * BATCH  # the push worker holds at most two batches (docs/operations.md)


def _worker_env(app: Flask, simulator_url: str, ca_bundle: str) -> dict[str, str]:
    env = {name: str(app.config[name]) for name in ("WALLET_CERTS_DIR", "WALLET_SECRET_KEY")}
    return env | {
        "WALLET_DATABASE_URL": _tagged(app.config["WALLET_DATABASE_URL"]),
        "WALLET_APNS_URL": simulator_url, "WALLET_APNS_CA_BUNDLE": ca_bundle,
        "WALLET_PUSH_BATCH_SIZE": str(BATCH), "WALLET_APNS_CONCURRENCY": str(BATCH),
        "WALLET_PUSH_LEASE_SECONDS": "3", "WALLET_JOB_LEASE_SECONDS": "5", "WALLET_WORKER_POLL_SECONDS": "0.05",
        "WALLET_PUSH_RETRY_BASE_SECONDS": "0", "WALLET_WEBHOOK_RETRY_BASE_SECONDS": "0",
        "WALLET_WEBHOOK_ALLOW_PRIVATE": "true", "WALLET_WEBHOOK_CONCURRENCY": "16",
        "WALLET_LOOP_STALE_SECONDS": str(STALE_SECONDS),
        "WALLET_SMTP_URL": "", "WALLET_MAIL_FROM": "",
        # The scheduler beats once per tick (a third of its lease): within STALE_SECONDS.
        "WALLET_SCHEDULER_LEASE_SECONDS": "3",
    }


def _tagged(url: str) -> str:
    """PostgreSQL connections carry the test's application_name (kill_connections finds them by it)."""
    return tagged_url(url, APPLICATION_NAME) if url.startswith("postgresql") else url


def _work_in_flight(receiver_url: str | None, client) -> None:  # type: ignore[no-untyped-def]
    """A campaign push to FAULT_DEVICES devices, their webhooks (unless no receiver), and a v3 bulk PATCH job."""
    account = new_account("Toy Town")
    if receiver_url is not None:
        with transaction() as session:
            set_webhook_url(session, session.get(Organization, account.id), receiver_url,
                            "test-secret-key-not-for-production", allow_private=True)
    template_id = make_template(account.id)
    identifiers = []
    for _ in range(BULK_PASSES):
        response = client.post("/api/v3/pass?async=false", headers={"Authorization": account.api_key},
                               json={"data": {"templateId": template_id, "firstname": "Ada"}})
        assert response.status_code == 200, response.json
        identifiers.append(response.json["data"]["identifier"])
    campaign = make_campaign(db.session.get(Organization, account.id))
    for index in range(FAULT_DEVICES):
        register(make_pass(campaign, serial_number=f"F{index:04d}"), f"device{index}", token_for(5000 + index))
    with transaction() as session:
        enqueue_campaign_push(session, campaign.organization_id, campaign.id)
    response = client.patch("/api/v3/pass/bulk", headers={"Authorization": account.api_key},
                            json={"data": {"firstname": "Grace"}, "filter": {"identifiers": identifiers}})
    assert response.status_code == 202, response.json


def _counts(model, column) -> dict[str, int]:  # type: ignore[no-untyped-def]
    db.session.rollback()
    return dict(db.session.execute(select(column, func.count()).group_by(column)).all())


def _all_work_done() -> bool:
    pushes = _counts(PushDelivery, PushDelivery.state)
    webhooks = _counts(WebhookDelivery, WebhookDelivery.state)
    jobs = _counts(BackgroundJob, BackgroundJob.state)
    return set(pushes) == {"sent"} and set(webhooks) <= {"sent"} and set(jobs) == {"done"}


def _loops_beating_since(since, loops: tuple[str, ...]) -> bool:  # type: ignore[no-untyped-def]
    db.session.rollback()
    fresh = set(db.session.scalars(select(WorkerHeartbeat.loop).where(WorkerHeartbeat.last_beat_at > since)))
    return fresh >= set(loops)


def _assert_nothing_lost_and_few_duplicates(simulator, receiver) -> None:  # type: ignore[no-untyped-def]
    received = collections.Counter(record.token for record in simulator.received)
    assert {token_for(5000 + index) for index in range(FAULT_DEVICES)} <= set(received)
    assert sum(count - 1 for count in received.values()) <= ONE_FAULT_DUPLICATE_BOUND
    if receiver is not None:
        webhooks = sum(_counts(WebhookDelivery, WebhookDelivery.state).values())
        assert webhooks >= FAULT_DEVICES and receiver.posts >= webhooks
    db.session.rollback()
    [job] = db.session.scalars(select(BackgroundJob)).all()
    assert (job.state, job.processed, job.failed) == ("done", BULK_PASSES, 0)


@on_postgresql
def test_wallet_worker_survives_its_connections_being_killed(
        push_app, simulator, simulator_files, webhook_receiver, start_process, client, capsys):  # type: ignore[no-untyped-def]
    push_app.config["WALLET_LOOP_STALE_SECONDS"] = STALE_SECONDS
    _work_in_flight(webhook_receiver.url, client)
    simulator.faults.delay = 0.02  # slow enough that the cut lands mid-campaign
    worker = start_process(["-m", "flask", "--app", "app", "wallet", "worker"],
                           _worker_env(push_app, simulator.url, str(simulator_files.ca_file)), "worker")
    wait_for(lambda: len(simulator.received) >= 3 * BATCH and webhook_receiver.posts > 0, STARTUP_SECONDS,
             "work in flight")

    cut_at = utcnow()
    killed = kill_connections(push_app.config["WALLET_DATABASE_URL"], APPLICATION_NAME)
    cut = time.monotonic()

    assert killed >= 1
    recovered = wait_for(lambda: _loops_beating_since(cut_at, WORKER_LOOPS)
                         and client.get("/readyz").status_code == 200, 30, "every loop beating again")
    wait_for(_all_work_done, 90, "all work done")
    with capsys.disabled():
        print(f"\n[fault] {killed} worker connections killed; every loop beating and /readyz ready "
              f"{recovered:.2f} s after the cut; all work done {time.monotonic() - cut:.2f} s after it")
    assert worker.poll() is None, "the worker process exited"
    _assert_nothing_lost_and_few_duplicates(simulator, webhook_receiver)
    assert "stopped by a database fault" in worker.log_path.read_text()


def test_a_killed_worker_s_work_is_reclaimed_after_its_lease_by_another(
        push_app, simulator, simulator_files, start_process, client):  # type: ignore[no-untyped-def]
    # No webhooks here: their lease is 30 s at least (test_killed_webhook_sender.py waits it out once).
    push_app.config["WALLET_LOOP_STALE_SECONDS"] = STALE_SECONDS
    _work_in_flight(None, client)
    simulator.faults.delay = 0.02
    env = _worker_env(push_app, simulator.url, str(simulator_files.ca_file))
    first = start_process(["-m", "flask", "--app", "app", "wallet", "worker"], env, "first-worker")
    wait_for(lambda: len(simulator.received) >= 3 * BATCH, STARTUP_SECONDS, "work in flight")

    first.kill()
    first.wait(10)
    assert not _all_work_done()
    start_process(["-m", "flask", "--app", "app", "wallet", "worker"], env, "second-worker")

    wait_for(_all_work_done, STARTUP_SECONDS, "all work done by the second worker")
    _assert_nothing_lost_and_few_duplicates(simulator, None)
    readyz = client.get("/readyz")
    assert readyz.status_code == 200  # the dead worker's rows are stale, the second one runs every loop
    assert {row["process"].rsplit(":", 1)[1] for row in readyz.get_json()["stale_loops"]} == {str(first.pid)}


@on_postgresql
def test_embedded_mode_survives_its_connections_being_killed(
        push_app, simulator, simulator_files, webhook_receiver, start_process, client, capsys):  # type: ignore[no-untyped-def]
    import httpx

    _work_in_flight(webhook_receiver.url, client)
    simulator.faults.delay = 0.02
    port = free_port()
    env = _worker_env(push_app, simulator.url, str(simulator_files.ca_file)) | {
        "WALLET_EMBEDDED_APNS_SIMULATOR": "false"}
    embedded = start_process(["app.py", "--port", str(port)], env, "embedded")
    readyz = f"http://127.0.0.1:{port}/readyz"

    def answers(status: int) -> bool:
        try:
            return httpx.get(readyz, timeout=2).status_code == status
        except httpx.TransportError:
            return False

    started = wait_for(lambda: answers(200) and len(simulator.received) >= 3 * BATCH, STARTUP_SECONDS,
                       "embedded mode up and pushing")
    cut_at = utcnow()
    killed = kill_connections(push_app.config["WALLET_DATABASE_URL"], APPLICATION_NAME)
    cut = time.monotonic()

    assert killed >= 1
    ready_after = wait_for(lambda: answers(200) and _loops_beating_since(cut_at, ALL_LOOPS), 30,
                           "/readyz ready with every loop beating")
    with capsys.disabled():
        print(f"\n[fault] embedded: {killed} connections killed; /readyz ready with every loop beating "
              f"{ready_after:.2f} s later (started in {started:.2f} s)")
    wait_for(_all_work_done, 90, "all work done")
    with capsys.disabled():
        print(f"[fault] embedded: all work done {time.monotonic() - cut:.2f} s after the cut")
    assert embedded.poll() is None, "the embedded process exited"
    _assert_nothing_lost_and_few_duplicates(simulator, webhook_receiver)
