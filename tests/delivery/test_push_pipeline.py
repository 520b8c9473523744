"""Campaign and pass pushes through the outbox, the worker and a real HTTP/2 APNs."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import func, select

from tests.factories import make_campaign, make_organization, make_pass
from tests.delivery.conftest import drain, register, token_for
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import Device, PushDelivery, Registration
from walletservice.queue.pushes import (
    claim_deliveries,
    enqueue_campaign_push,
    enqueue_pass_push,
    expand_request,
    push_progress,
)

pytestmark = pytest.mark.timeout(60)


def _campaign_push(campaign) -> str:  # type: ignore[no-untyped-def]
    with transaction() as session:
        return enqueue_campaign_push(session, campaign.organization_id, campaign.id).id


def _progress(campaign, push_id):  # type: ignore[no-untyped-def]
    db.session.rollback()
    return push_progress(db.session, campaign.organization_id, push_id)


def _count(model, *where) -> int:  # type: ignore[no-untyped-def]
    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_campaign_push_reaches_every_device_once_per_pass_type(campaign, campaign_passes, make_worker, simulator):
    for pass_ in campaign_passes:  # one device holds all three passes
        register(pass_, "shared-device", token_for(1))
    register(campaign_passes[0], "other-device", token_for(2))
    push_id = _campaign_push(campaign)
    drain(make_worker())
    received = sorted(record.token for record in simulator.received)
    assert received == [token_for(1), token_for(2)]
    assert {record.topic for record in simulator.received} == {campaign.pass_type_identifier}
    assert all(record.payload == b"{}" for record in simulator.received)
    progress = _progress(campaign, push_id)
    assert (progress.state, progress.total, progress.sent, progress.failed, progress.pending) == ("done", 2, 2, 0, 0)
    assert progress.finished_at is not None


def test_device_ids_sharing_a_push_token_get_one_push(campaign, campaign_passes, make_worker, simulator):
    # Wallet may register one phone under several deviceLibraryIdentifiers (forum 130425).
    register(campaign_passes[0], "old-library-id", token_for(1))
    register(campaign_passes[0], "new-library-id", token_for(1))
    _campaign_push(campaign)
    drain(make_worker())
    assert [record.token for record in simulator.received] == [token_for(1)]
    assert _count(Registration) == 2


def test_pass_push_reaches_only_devices_holding_those_passes(campaign, campaign_passes, make_worker, simulator):
    register(campaign_passes[0], "d0", token_for(10))
    register(campaign_passes[1], "d1", token_for(11))
    with transaction() as session:
        enqueue_pass_push(session, campaign.organization_id, [campaign_passes[1].id])
    drain(make_worker())
    assert [record.token for record in simulator.received] == [token_for(11)]


def test_push_of_campaign_without_registrations_is_done_at_once(campaign, campaign_passes, make_worker, simulator):
    push_id = _campaign_push(campaign)
    drain(make_worker())
    progress = _progress(campaign, push_id)
    assert (progress.state, progress.total) == ("done", 0)
    assert simulator.received == []


def test_another_organizations_passes_are_never_pushed(campaign, campaign_passes, make_worker, simulator):
    other_org, _ = make_organization("Toy Town")
    other_pass = make_pass(make_campaign(other_org))
    register(other_pass, "foreign", token_for(99))
    register(campaign_passes[0], "mine", token_for(1))
    with transaction() as session:  # a forged request naming a foreign pass
        enqueue_pass_push(session, campaign.organization_id, [campaign_passes[0].id, other_pass.id])
    drain(make_worker())
    assert [record.token for record in simulator.received] == [token_for(1)]


def test_expansion_is_idempotent(campaign, campaign_passes):
    register(campaign_passes[0], "d0", token_for(1))
    push_id = _campaign_push(campaign)
    from walletservice.models import PushRequest

    for _ in range(2):
        with transaction() as session:
            expand_request(session, session.get(PushRequest, push_id))
    assert _count(PushDelivery) == 1


def test_unregistered_token_older_registration_is_dropped(campaign, campaign_passes, make_worker, simulator):
    register(campaign_passes[0], "gone", token_for(5))
    simulator.mark_unregistered(token_for(5), dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=5))
    push_id = _campaign_push(campaign)
    drain(make_worker())
    assert _count(Registration) == 0
    assert _count(Device) == 0
    assert _progress(campaign, push_id).failed_by_reason == {"Unregistered": 1}


def test_unregistered_timestamp_before_a_new_registration_keeps_it(campaign, campaign_passes, make_worker, simulator):
    simulator.mark_unregistered(token_for(6), dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))
    register(campaign_passes[0], "came-back", token_for(6))
    _campaign_push(campaign)
    drain(make_worker())
    assert _count(Registration) == 1


def test_unregistered_timestamp_before_a_repeated_registration_keeps_it(campaign, campaign_passes, make_worker, simulator):
    # The 200 "already registered" path must refresh the registration's time too.
    register(campaign_passes[0], "re-added", token_for(16))
    time.sleep(0.02)
    simulator.mark_unregistered(token_for(16), dt.datetime.now(dt.timezone.utc))
    time.sleep(0.02)
    register(campaign_passes[0], "re-added", token_for(16))
    _campaign_push(campaign)
    drain(make_worker())
    assert _count(Registration) == 1


def test_bad_device_token_drops_the_registration(campaign, campaign_passes, make_worker, simulator):
    register(campaign_passes[0], "bad", token_for(7))
    register(campaign_passes[1], "good", token_for(8))
    simulator.mark_bad(token_for(7))
    push_id = _campaign_push(campaign)
    drain(make_worker())
    assert _count(Registration) == 1
    progress = _progress(campaign, push_id)
    assert (progress.sent, progress.failed_by_reason) == (1, {"BadDeviceToken": 1})


def test_device_token_not_for_topic_keeps_registrations_and_is_recorded(campaign, campaign_passes, make_worker, simulator):
    register(campaign_passes[0], "d", token_for(9))
    simulator.mark_for_topic(token_for(9), "pass.some.other.type")
    push_id = _campaign_push(campaign)
    drain(make_worker())
    assert _count(Registration) == 1
    assert _progress(campaign, push_id).failed_by_reason == {"DeviceTokenNotForTopic": 1}


@pytest.mark.parametrize(("status", "reason"), [
    (503, "ServiceUnavailable"), (500, "InternalServerError"), (429, "TooManyRequests"), (400, "IdleTimeout"),
])
def test_transient_errors_are_retried_then_delivered(campaign, campaign_passes, make_worker, simulator, status, reason):
    register(campaign_passes[0], "d", token_for(3))
    simulator.faults.fail_next(2, status=status, reason=reason)
    push_id = _campaign_push(campaign)
    drain(make_worker())
    progress = _progress(campaign, push_id)
    assert (progress.sent, progress.failed) == (1, 0)
    statuses = [record.status for record in simulator.received]
    assert statuses[-1] == 200 and statuses.count(status) == 2
    assert _count(Registration) == 1


def test_retries_are_bounded_and_end_as_failed_with_reason(campaign, campaign_passes, make_worker, simulator):
    register(campaign_passes[0], "d", token_for(4))
    simulator.faults.fail_next(100, status=500, reason="InternalServerError")
    push_id = _campaign_push(campaign)
    drain(make_worker(WALLET_PUSH_MAX_ATTEMPTS=3))
    progress = _progress(campaign, push_id)
    assert progress.failed_by_reason == {"InternalServerError": 1}
    assert len(simulator.received) == 3
    assert progress.state == "done"


def test_claims_of_a_dead_worker_are_sent_after_their_lease(campaign, campaign_passes, make_worker, simulator):
    for index, pass_ in enumerate(campaign_passes):
        register(pass_, f"device{index}", token_for(20 + index))
    _campaign_push(campaign)
    worker = make_worker()
    worker._expand_requests()
    with transaction() as session:  # a worker claims, then dies before sending
        dead = claim_deliveries(session, "dead-worker", 100, lease_seconds=600)
    assert len(dead) == 3
    assert worker.run_once() == 0  # live leases are respected
    with transaction() as session:  # time passes: the leases run out
        session.execute(PushDelivery.__table__.update().values(
            lease_expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))
    drain(worker)
    assert sorted(r.token for r in simulator.received) == [token_for(20), token_for(21), token_for(22)]


def test_two_workers_share_a_campaign_without_sending_twice(campaign, make_worker, simulator):
    passes = [make_pass(campaign, serial_number=f"T{i:03d}") for i in range(40)]
    for index, pass_ in enumerate(passes):
        register(pass_, f"device{index}", token_for(100 + index))
    _campaign_push(campaign)
    workers = [make_worker(WALLET_PUSH_BATCH_SIZE=7), make_worker(WALLET_PUSH_BATCH_SIZE=7)]
    errors: list[BaseException] = []

    def work(worker) -> None:  # type: ignore[no-untyped-def]
        try:
            drain(worker)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    tokens = [record.token for record in simulator.received]
    assert len(tokens) == 40 and len(set(tokens)) == 40
    assert _count(PushDelivery, PushDelivery.state == "sent") == 40


def test_two_pipelined_workers_send_every_push_once_and_finish_the_request(campaign, make_worker, simulator):
    """`run` overlaps sending one batch with recording the last and claiming the next."""
    passes = [make_pass(campaign, serial_number=f"P{i:03d}") for i in range(45)]
    for index, pass_ in enumerate(passes):
        register(pass_, f"device{index}", token_for(300 + index))
    push_id = _campaign_push(campaign)
    simulator.faults.delay = 0.01  # keep batches on the wire while the next is claimed
    workers = [make_worker(WALLET_PUSH_BATCH_SIZE=4, WALLET_WORKER_POLL_SECONDS=0.01) for _ in range(2)]
    stop = threading.Event()
    threads = [threading.Thread(target=worker.run, args=(stop,)) for worker in workers]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while _progress(campaign, push_id).state != "done" and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)

    progress = _progress(campaign, push_id)
    assert (progress.state, progress.sent, progress.pending) == ("done", 45, 0)
    tokens = [record.token for record in simulator.received]
    assert len(tokens) == 45 and len(set(tokens)) == 45


def test_stopping_a_running_worker_leaves_nothing_claimed(campaign, campaign_passes, make_worker, simulator):
    for index, pass_ in enumerate(campaign_passes):
        register(pass_, f"device{index}", token_for(40 + index))
    _campaign_push(campaign)
    worker = make_worker(WALLET_PUSH_BATCH_SIZE=1)
    stop = threading.Event()
    simulator.faults.delay = 0.2
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 10
    while not simulator.received and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    held = _count(PushDelivery, PushDelivery.state == "pending", PushDelivery.lease_owner.is_not(None))
    assert held == 0
    assert _count(PushDelivery, PushDelivery.state == "sent") >= 1


def test_idle_worker_closes_a_request_left_sending(campaign, campaign_passes, make_worker, simulator):
    from walletservice.models import PushRequest

    register(campaign_passes[0], "d", token_for(60))
    push_id = _campaign_push(campaign)
    worker = make_worker()
    drain(worker)
    with transaction() as session:  # as if two workers' last records raced past each other
        session.get(PushRequest, push_id).state = "sending"
    worker._last_sweep = float("-inf")
    assert worker.run_once() == 0
    assert _progress(campaign, push_id).state == "done"
