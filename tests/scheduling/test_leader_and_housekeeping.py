"""One scheduler leader at a time, through the database; housekeeping rules."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import func, select

from tests.factories import make_organization
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import BackgroundJob, Device, DeviceLogEntry, SchedulerLease
from walletservice.models.base import utcnow
from walletservice.scheduling import housekeeping
from walletservice.scheduling.leader import release_leadership, try_acquire_leadership
from walletservice.scheduling.process import LEASE_NAME, SchedulerProcess

pytestmark = pytest.mark.timeout(60)


def _acquire(holder: str, now: dt.datetime, ttl: float = 30) -> bool:
    with transaction() as session:
        return try_acquire_leadership(session, "test", holder, ttl, now)


def test_only_one_holder_until_the_lease_expires(app):
    now = utcnow()
    assert _acquire("a", now) is True
    assert _acquire("b", now + dt.timedelta(seconds=1)) is False
    assert _acquire("a", now + dt.timedelta(seconds=10)) is True  # renewal
    assert _acquire("b", now + dt.timedelta(seconds=39)) is False
    assert _acquire("b", now + dt.timedelta(seconds=41)) is True  # a stopped renewing
    assert _acquire("a", now + dt.timedelta(seconds=42)) is False


def test_released_lease_is_taken_at_once(app):
    assert _acquire("a", utcnow())
    with transaction() as session:
        release_leadership(session, "test", "a")
    assert _acquire("b", utcnow())


def test_concurrent_takers_get_exactly_one_leader(app):
    results: list[bool] = []
    barrier = threading.Barrier(6)

    def take(holder: str) -> None:
        with app.app_context():
            barrier.wait()
            results.append(_acquire(holder, utcnow()))

    threads = [threading.Thread(target=take, args=(f"h{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]


def test_two_scheduler_processes_fire_housekeeping_from_one_leader(app, monkeypatch):
    # A lease much longer than a renewal round, so a slow machine cannot flip leaders.
    app.config.update(WALLET_SCHEDULER_LEASE_SECONDS=3, WALLET_HOUSEKEEPING_INTERVAL_SECONDS=1)
    fired_by: list[str] = []
    from walletservice.scheduling import jobs

    real = jobs.housekeeping
    monkeypatch.setattr(jobs, "housekeeping", lambda holder: (fired_by.append(holder), real(holder)))
    processes = [SchedulerProcess(app, holder=f"scheduler-{i}") for i in range(2)]
    stop = threading.Event()
    threads = [threading.Thread(target=p.run, args=(stop,)) for p in processes]
    for thread in threads:
        thread.start()
    time.sleep(2.5)
    leaders = [p.holder for p in processes if p.is_leader()]
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    assert len(leaders) == 1
    assert fired_by and set(fired_by) == set(leaders)


def test_scheduler_takes_over_when_the_leader_dies(app):
    app.config.update(WALLET_SCHEDULER_LEASE_SECONDS=0.5)
    first, second = SchedulerProcess(app, holder="first"), SchedulerProcess(app, holder="second")
    try:
        assert first.tick() is True
        assert second.tick() is False
        first._stop_scheduler()  # "dies": stops renewing without releasing
        time.sleep(0.6)
        assert second.tick() is True
        assert first.tick() is False and not first.is_leader()
        db.session.rollback()
        assert db.session.execute(select(SchedulerLease.holder).where(SchedulerLease.name == LEASE_NAME)).scalar_one() == "second"
    finally:
        first.shutdown()
        second.shutdown()


def test_housekeeping_prunes_old_logs_and_devices_without_registrations(app):
    now = utcnow()
    with transaction() as session:
        session.add_all([DeviceLogEntry(message="old", created_at=now - dt.timedelta(days=31)),
                         DeviceLogEntry(message="new", created_at=now)])
        session.add(Device(device_library_identifier="orphan", push_token="ab"))
    with transaction() as session:
        assert housekeeping.prune_device_logs(session, 30, now) == 1
        assert housekeeping.remove_devices_without_registrations(session) == 1
    assert db.session.execute(select(DeviceLogEntry.message)).scalars().all() == ["new"]
    assert db.session.execute(select(func.count()).select_from(Device)).scalar_one() == 0


def test_housekeeping_prunes_finished_jobs_past_the_retention_only(app):
    organization, _ = make_organization()
    now = utcnow()
    old = now - dt.timedelta(days=31)
    jobs = {
        "old done": BackgroundJob(kind="v3_pass_email", state="done", finished_at=old),
        "old failed": BackgroundJob(kind="v3_pass_email", state="failed", finished_at=old),
        "recent done": BackgroundJob(kind="v3_pass_email", state="done", finished_at=now - dt.timedelta(days=29)),
        # Unfinished work is never pruned, however old: it is still owed.
        "old queued": BackgroundJob(kind="v3_pass_email", state="queued", created_at=old),
        "old running": BackgroundJob(kind="v3_pass_email", state="running", created_at=old, started_at=old),
    }
    with transaction() as session:
        for name, job in jobs.items():
            job.organization_id, job.payload = organization.id, {"name": name}
            session.add(job)
    with transaction() as session:
        assert housekeeping.prune_finished_jobs(session, 30, now) == 2
    left = db.session.execute(select(BackgroundJob.payload)).scalars().all()
    assert sorted(payload["name"] for payload in left) == ["old queued", "old running", "recent done"]


def test_certificates_expiring_soon_are_reported(app, tmp_path):
    from tests.cli.test_commands import _write_pem_identity
    from walletservice.services.certificates import CertificateUpload, import_certificate

    make_organization()
    cert, key, wwdr = _write_pem_identity(tmp_path, valid_days=20)
    with transaction() as session:
        row = import_certificate(session, CertificateUpload(cert.read_bytes(), key.read_bytes(), wwdr.read_bytes()),
                                 app.config["WALLET_SECRET_KEY"])
        row_id = row.id
    with transaction(write=False) as session:
        assert [c.id for c in housekeeping.certificates_expiring_within(session, 30)] == [row_id]
        assert housekeeping.certificates_expiring_within(session, 10) == []
