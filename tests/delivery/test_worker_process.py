"""A real `flask wallet worker` process, killed mid-campaign with SIGKILL."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import make_pass
from tests.delivery.conftest import drain, register, token_for
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import PushDelivery
from walletservice.queue.pushes import enqueue_campaign_push

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[2]
DEVICES = 120
BATCH = 10


def _worker_process(push_app) -> subprocess.Popen:  # type: ignore[no-untyped-def,type-arg]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("WALLET_DATABASE_URL", "WALLET_CERTS_DIR", "WALLET_SECRET_KEY", "WALLET_APNS_URL",
                 "WALLET_APNS_CA_BUNDLE"):
        env[name] = str(push_app.config[name])
    env.update(WALLET_PUSH_BATCH_SIZE=str(BATCH), WALLET_APNS_CONCURRENCY=str(BATCH),
               WALLET_PUSH_LEASE_SECONDS="2", WALLET_WORKER_POLL_SECONDS="0.05")
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "wallet", "worker"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for(condition, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_worker_killed_mid_campaign_loses_nothing(push_app, campaign, make_worker, simulator):
    for index in range(DEVICES):
        register(make_pass(campaign, serial_number=f"K{index:04d}"), f"device{index}", token_for(1000 + index))
    with transaction() as session:
        enqueue_campaign_push(session, campaign.organization_id, campaign.id)
    simulator.faults.delay = 0.05  # slow APNs: the kill lands mid-campaign
    process = _worker_process(push_app)
    try:
        _wait_for(lambda: len(simulator.received) >= 3 * BATCH)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    simulator.faults.delay = 0
    sent_before_kill = len(simulator.received)
    assert sent_before_kill < DEVICES, "the worker finished before it was killed"
    time.sleep(2.1)  # the dead worker's leases run out
    drain(make_worker(WALLET_PUSH_BATCH_SIZE=50))
    db.session.rollback()
    states = dict(db.session.execute(
        select(PushDelivery.state, func.count()).group_by(PushDelivery.state)).all())
    assert states == {"sent": DEVICES}
    received = collections.Counter(record.token for record in simulator.received)
    assert set(received) == {token_for(1000 + index) for index in range(DEVICES)}
    # Only what the dead worker held may have gone out twice: the pipelined worker
    # holds at most two batches, one on the wire and one sent but not yet recorded.
    assert sum(count - 1 for count in received.values()) <= 2 * BATCH


def test_sigterm_drains_the_batch_in_flight_and_exits(push_app, campaign, simulator):
    for index in range(40):
        register(make_pass(campaign, serial_number=f"S{index:04d}"), f"device{index}", token_for(2000 + index))
    with transaction() as session:
        enqueue_campaign_push(session, campaign.organization_id, campaign.id)
    simulator.faults.delay = 0.05
    process = _worker_process(push_app)
    _wait_for(lambda: len(simulator.received) >= BATCH)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0, process.stderr.read().decode() if process.stderr else ""
    db.session.rollback()
    held = db.session.execute(select(func.count()).select_from(PushDelivery).where(
        PushDelivery.state == "pending", PushDelivery.lease_owner.is_not(None))).scalar_one()
    assert held == 0
    sent = db.session.execute(select(func.count()).select_from(PushDelivery).where(
        PushDelivery.state == "sent")).scalar_one()
    assert sent == len({record.token for record in simulator.received})


def test_the_worker_process_also_runs_background_jobs(push_app, campaign):  # type: ignore[no-untyped-def]
    from walletservice.queue.jobs import enqueue_job
    from walletservice.models import BackgroundJob

    with transaction() as session:
        job_id = enqueue_job(session, campaign.organization_id, "count_to", {"n": 5, "step": 2}).id
    process = _worker_process(push_app)
    try:
        def job_done() -> bool:
            db.session.rollback()
            return db.session.get(BackgroundJob, job_id, populate_existing=True).state == "done"
        _wait_for(job_done)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0, process.stderr.read().decode() if process.stderr else ""
    assert db.session.get(BackgroundJob, job_id).processed == 5
