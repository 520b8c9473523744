"""A cluster with work in every state an operator watches, built through the real
outbox, job and leader functions; rows are then moved in time where a test needs
an age (a delivery due five minutes ago, a lease that ran out)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update

from tests.factories import make_campaign, make_organization, make_pass
from walletservice.db import transaction
from walletservice.queue.jobs import enqueue_job
from walletservice.queue.jobs import claim_job
from walletservice.models import BackgroundJob, Campaign, PushDelivery, Schedule, SchedulerLease, WebhookDelivery
from walletservice.models.base import utcnow
from walletservice.queue.pushes import (
    claim_deliveries,
    claim_request_to_expand,
    enqueue_campaign_push,
    enqueue_pass_push,
    expand_request,
)
from walletservice.scheduling.leader import try_acquire_leadership
from walletservice.services.devices import register_device

SCHEDULER_HOLDER = "scheduler-host:4242"


@dataclass(frozen=True)
class OpenWork:
    """What the metrics must report for the seeded rows (ages in seconds, at seeding time)."""

    push_deliveries_pending: int = 4  # one more was sent: not counted
    push_deliveries_due: int = 2  # one never claimed, one whose worker's lease ran out
    push_deliveries_leased: int = 1
    push_deliveries_oldest_due_age: float = 300
    push_requests_open: tuple[tuple[str, int], ...] = (("waiting", 1), ("expanding", 1), ("sending", 1))
    jobs_open: tuple[tuple[str, int], ...] = (("queued", 2), ("running", 1))
    jobs_oldest_queued_age: float = 600
    jobs_failed_last_hour: int = 1  # another failed yesterday
    webhook_deliveries_pending: int = 3
    webhook_deliveries_oldest_due_age: float = 90
    scheduler_lease_seconds: float = 30
    schedules_due: int = 2
    schedules_oldest_due_age: float = 120


def seed_open_work() -> OpenWork:
    organization, _key = make_organization()
    campaign = make_campaign(organization)
    _seed_pushes(organization.id, campaign)
    _seed_jobs(organization.id)
    _seed_webhooks(organization.id)
    _seed_scheduler(organization.id, campaign.id)
    return OpenWork()


def _seed_pushes(organization_id: str, campaign: Campaign) -> None:
    passes = [make_pass(campaign, serial_number=f"OPS-{index}") for index in range(5)]
    with transaction() as session:
        for index, pass_ in enumerate(passes):
            register_device(session, f"device-{index}", session.merge(pass_), f"{index:064x}")
    with transaction() as session:
        enqueue_campaign_push(session, organization_id, campaign.id)
    _expand_next()  # five deliveries; the request is "sending"
    quiet_campaign = make_campaign(make_organization("Quiet Air")[0])  # nobody installed its passes
    with transaction() as session:
        enqueue_campaign_push(session, quiet_campaign.organization_id, quiet_campaign.id)
    _expand_next()  # no deliveries: the request is "done", not counted
    with transaction() as session:
        enqueue_campaign_push(session, organization_id, campaign.id, held=True)  # "waiting"
        enqueue_pass_push(session, organization_id, [passes[0].id])  # "expanding"

    now = utcnow()
    with transaction() as session:
        sent, leased, backing_off, due, abandoned = session.scalars(
            select(PushDelivery.id).order_by(PushDelivery.id)).all()
        _move(session, PushDelivery, sent, state="sent", finished_at=now)
        assert [claimed.id for claimed in claim_deliveries(session, "worker-a", 1, 60)] == [leased]
        _move(session, PushDelivery, backing_off, next_attempt_at=now + dt.timedelta(minutes=10))
        _move(session, PushDelivery, due, next_attempt_at=now - dt.timedelta(seconds=300))
        _move(session, PushDelivery, abandoned, next_attempt_at=now - dt.timedelta(seconds=60),
              lease_owner="worker-gone", lease_expires_at=now - dt.timedelta(seconds=5))


def _expand_next() -> None:
    with transaction() as session:
        request = claim_request_to_expand(session, "worker-a", 60)
        assert request is not None
        expand_request(session, request)


def _seed_jobs(organization_id: str) -> None:
    with transaction() as session:
        enqueue_job(session, organization_id, "count_to", {"n": 1})
    with transaction() as session:
        assert claim_job(session, "worker-a", 120) is not None  # running
    now = utcnow()
    with transaction() as session:
        old, _fresh, done, failed_now, failed_yesterday = (
            enqueue_job(session, organization_id, "count_to", {"n": 1}).id for _ in range(5))
        _move(session, BackgroundJob, old, created_at=now - dt.timedelta(seconds=600))
        _move(session, BackgroundJob, done, state="done", finished_at=now)
        _move(session, BackgroundJob, failed_now, state="failed", finished_at=now - dt.timedelta(minutes=5))
        _move(session, BackgroundJob, failed_yesterday, state="failed", finished_at=now - dt.timedelta(days=1))


def _seed_webhooks(organization_id: str) -> None:
    now = utcnow()

    def delivery(**values: object) -> WebhookDelivery:
        return WebhookDelivery(organization_id=organization_id, url="https://hooks.example.test/",
                               payload={"event": "installed"}, **values)

    with transaction() as session:
        session.add_all([
            delivery(next_attempt_at=now - dt.timedelta(seconds=90)),
            delivery(next_attempt_at=now + dt.timedelta(minutes=5)),  # backing off
            delivery(next_attempt_at=now - dt.timedelta(seconds=200), lease_owner="worker-a",
                     lease_expires_at=now + dt.timedelta(seconds=60)),  # being posted
            delivery(next_attempt_at=now - dt.timedelta(hours=2), state="sent", finished_at=now),
            delivery(next_attempt_at=now - dt.timedelta(hours=2), state="failed", finished_at=now),
        ])


def _seed_scheduler(organization_id: str, campaign_id: str) -> None:
    now = utcnow()
    with transaction() as session:
        assert try_acquire_leadership(session, "scheduler", SCHEDULER_HOLDER, 30)

    def schedule(state: str, due_in_seconds: float) -> Schedule:
        return Schedule(organization_id=organization_id, campaign_id=campaign_id, changes={}, state=state,
                        run_at=now, next_run_at=now + dt.timedelta(seconds=due_in_seconds))

    with transaction() as session:
        session.add_all([
            schedule("scheduled", -120), schedule("scheduled", -10), schedule("scheduled", 3600),
            schedule("done", -1000), schedule("cancelled", -500), schedule("running", -700),
        ])


def expire_scheduler_lease(seconds_ago: float = 10) -> None:
    with transaction() as session:
        session.execute(update(SchedulerLease).values(expires_at=utcnow() - dt.timedelta(seconds=seconds_ago)))


def _move(session, model, row_id, **values) -> None:  # type: ignore[no-untyped-def]
    session.execute(update(model).where(model.id == row_id).values(**values))
