"""The dashboard's roll-ups (migration d41c7e2a9b50): event_day_counts always equals a
GROUP BY over pass_events, whatever path wrote the events, and organization_counters
always equals the organization's passes with a registration, whatever path registered
or removed them, with 8 threads at once, and after the migration back-fills them."""

from __future__ import annotations

import datetime as dt
import random
import threading

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import delete, exists, func, insert, literal_column, select, text

from tests.factories import make_campaign, make_organization, make_pass
from walletservice.db import transaction
from walletservice.models import (
    Device, EventDayCount, Organization, OrganizationCounter, Pass, PassEvent, PushRequest, Registration,
)
from walletservice.models.base import utcnow
from walletservice.services.devices import drop_registrations_for_token, register_device, unregister_device
from walletservice.services.events import (
    KINDS, PassFetch, WalletClient, record_event, record_pass_fetches, record_push_events,
)
from walletservice.services.reports import DateRange, daily_report, totals_report

pytestmark = pytest.mark.timeout(120)
IPHONE, ANDROID = WalletClient("ios", "passbook"), WalletClient("android", "wallet_passes")
BEFORE_ROLL_UPS = "6a2f9c41d7e8"


def _events_grouped() -> dict[tuple[str, str, str, str], int]:
    day, os = func.date(PassEvent.occurred_at), func.coalesce(PassEvent.device_os, literal_column("''"))
    with transaction(write=False) as session:
        rows = session.execute(
            select(PassEvent.campaign_id, day, PassEvent.kind, os, func.sum(PassEvent.count))
            .where(PassEvent.campaign_id.is_not(None))
            .group_by(PassEvent.campaign_id, day, PassEvent.kind, os)).all()
    return {(campaign, str(on), kind, os): int(total) for campaign, on, kind, os, total in rows}


def _rolled_up() -> dict[tuple[str, str, str, str], int]:
    with transaction(write=False) as session:
        rows = session.execute(select(EventDayCount.campaign_id, EventDayCount.day, EventDayCount.kind,
                                      EventDayCount.device_os, EventDayCount.n)).all()
    return {(campaign, on.isoformat(), kind, os): int(n) for campaign, on, kind, os, n in rows}


def _passes_with_devices_truth() -> dict[str, int]:
    with transaction(write=False) as session:
        rows = session.execute(
            select(Pass.organization_id, func.count()).where(exists().where(Registration.pass_id == Pass.id))
            .group_by(Pass.organization_id)).all()
    return {organization: int(count) for organization, count in rows}


def _passes_with_devices_counted() -> dict[str, int]:
    with transaction(write=False) as session:
        rows = session.execute(select(OrganizationCounter.organization_id,
                                      OrganizationCounter.passes_with_devices)).all()
    return {organization: int(count) for organization, count in rows if count}


def _with_webhooks(organization: Organization) -> None:
    with transaction() as session:
        session.get(Organization, organization.id).webhook_url = "https://hooks.example.test/wallet"


def test_every_event_path_is_rolled_up_per_campaign_day_kind_and_os(app: Flask) -> None:
    plain, _key = make_organization("Plain")
    hooked, _key = make_organization("Hooked")
    _with_webhooks(hooked)
    passes = [make_pass(make_campaign(organization)) for organization in (plain, hooked, plain)]
    yesterday = utcnow() - dt.timedelta(days=1)
    with transaction() as session:
        for kind in sorted(KINDS):  # the ORM path, every kind, two days, known and unknown OS
            for pass_ in passes:
                record_event(session, kind, organization_id=pass_.organization_id, campaign_id=pass_.campaign_id,
                             pass_id=pass_.id, device_os="ios", count=2)
                record_event(session, kind, organization_id=pass_.organization_id, campaign_id=pass_.campaign_id,
                             pass_id=pass_.id, occurred_at=yesterday)
        record_event(session, "pushed", organization_id=plain.id, campaign_id=None, pass_id=None, count=5)
        request = PushRequest(organization_id=plain.id, campaign_id=passes[0].campaign_id, pass_ids=None)
        session.add(request)
        session.flush()
        record_push_events(session, {request.id: 7})
    with transaction() as session:  # the batched fetch paths: set-based (PostgreSQL) or multi-row
        record_pass_fetches(session, [
            PassFetch(pass_.id, pass_.organization_id, pass_.campaign_id, client, at)
            for pass_ in passes for client in (IPHONE, ANDROID, WalletClient()) for at in (yesterday, utcnow())])
    with transaction() as session:  # through the web service's own rules
        for number, pass_ in enumerate(passes):
            register_device(session, f"device-{number}", session.get(Pass, pass_.id), "ab" * 32, IPHONE)
        unregister_device(session, "device-0", session.get(Pass, passes[0].id))
        drop_registrations_for_token(session, "ab" * 32, passes[1].pass_type_identifier, None)
    with transaction() as session:  # a plain multi-row INSERT, as bulk writers might
        session.execute(insert(PassEvent), [
            {"organization_id": plain.id, "campaign_id": passes[2].campaign_id, "pass_id": passes[2].id,
             "kind": "viewed", "device_os": None, "wallet": None, "count": 1, "details": None,
             "occurred_at": yesterday} for _ in range(3)])

    assert _rolled_up() == _events_grouped()
    assert sum(_rolled_up().values()) > 0
    assert {kind for _c, _d, kind, _o in _rolled_up()} == KINDS


def test_reports_read_the_roll_up_and_keep_their_counts_when_events_are_deleted(app: Flask) -> None:
    organization, _key = make_organization()
    pass_ = make_pass(make_campaign(organization))
    today = utcnow().date()
    with transaction() as session:
        register_device(session, "device-a", session.get(Pass, pass_.id), "cd" * 32, IPHONE)
        register_device(session, "device-b", session.get(Pass, pass_.id), "ef" * 32, ANDROID)
    before = daily_report_today(pass_.campaign_id, today), totals_report_now(pass_.campaign_id)
    assert before[0]["installs_count"] == 2 and before[0]["i"] == {"ios": 1, "android": 1, "wp": 0}

    with transaction() as session:  # retention: the events go, the counts stay (docs/dashboard.md)
        session.execute(delete(PassEvent))
    assert (daily_report_today(pass_.campaign_id, today), totals_report_now(pass_.campaign_id)) == before


def daily_report_today(campaign_id: str, today: dt.date) -> dict:  # type: ignore[type-arg]
    with transaction(write=False) as session:
        return daily_report(session, campaign_id, DateRange(today, today))[today.isoformat()]


def totals_report_now(campaign_id: str) -> dict:  # type: ignore[type-arg]
    with transaction(write=False) as session:
        return totals_report(session, campaign_id)


def test_passes_with_devices_follows_registrations_and_every_cascade(app: Flask) -> None:
    organization, _key = make_organization()
    other, _key = make_organization("Other")
    campaign = make_campaign(organization)
    passes = [make_pass(campaign) for _ in range(4)] + [make_pass(make_campaign(other))]
    with transaction() as session:
        for number, pass_ in enumerate(passes):
            for device in range(3):  # three devices per pass, one of them shared by every pass
                register_device(session, f"device-{number}-{device}" if device else "shared",
                                session.get(Pass, pass_.id), f"{number:02x}{device:02x}" * 16)
    assert _passes_with_devices_counted() == _passes_with_devices_truth() == {organization.id: 4, other.id: 1}

    with transaction() as session:  # a pass's last device unregisters; another keeps two
        for device in ("device-0-1", "device-0-2", "shared"):
            unregister_device(session, device, session.get(Pass, passes[0].id))
        unregister_device(session, "device-1-1", session.get(Pass, passes[1].id))
    assert _passes_with_devices_counted() == _passes_with_devices_truth() == {organization.id: 3, other.id: 1}

    with transaction() as session:  # a pass deleted: its registrations go by the foreign key
        session.execute(delete(Pass).where(Pass.id == passes[1].id))
    assert _passes_with_devices_counted() == _passes_with_devices_truth() == {organization.id: 2, other.id: 1}

    with transaction() as session:  # a device deleted (cascade), one statement over several passes
        session.execute(delete(Device).where(Device.device_library_identifier == "shared"))
    assert _passes_with_devices_counted() == _passes_with_devices_truth() == {organization.id: 2, other.id: 1}

    with transaction() as session:  # APNs 410 for one of a pass's two devices: it stays counted
        drop_registrations_for_token(session, f"{2:02x}{1:02x}" * 16, passes[2].pass_type_identifier, None)
    assert _passes_with_devices_counted() == _passes_with_devices_truth() == {organization.id: 2, other.id: 1}

    with transaction() as session:  # one statement removes two registrations of one pass, then adds two
        session.execute(delete(Registration).where(Registration.pass_id.in_([passes[2].id, passes[3].id])))
        devices = list(session.scalars(select(Device.id).where(Device.device_library_identifier.in_(["device-1-2", "device-2-2"]))))
        session.execute(insert(Registration), [
            {"device_id": device_id, "pass_id": passes[3].id, "pass_type_identifier": passes[3].pass_type_identifier}
            for device_id in devices])
    assert len(devices) == 2
    assert _passes_with_devices_counted() == _passes_with_devices_truth() == {organization.id: 1, other.id: 1}

    with transaction() as session:  # the campaign's passes go
        session.execute(text("DELETE FROM passes WHERE campaign_id = :campaign"), {"campaign": campaign.id})
    assert _passes_with_devices_counted() == _passes_with_devices_truth() == {other.id: 1}


def test_eight_threads_registering_and_unregistering_leave_the_counter_true(app: Flask) -> None:
    organization, _key = make_organization()
    campaign = make_campaign(organization)
    pass_ids = [make_pass(campaign).id for _ in range(3)]  # plain ids: no thread touches another's session
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def churn(thread: int) -> None:
        chance = random.Random(thread)
        try:
            with app.app_context():
                barrier.wait()
                for step in range(25):
                    pass_id = chance.choice(pass_ids)
                    with transaction() as session:
                        pass_ = session.get(Pass, pass_id)
                        if chance.random() < 0.6:
                            register_device(session, f"device-{thread}-{step % 3}", pass_, f"{thread:02x}" * 32)
                        else:
                            unregister_device(session, f"device-{thread}-{step % 3}", pass_)
        except BaseException as failure:  # reported below, with the thread's traceback
            errors.append(failure)

    threads = [threading.Thread(target=churn, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=100)
    assert errors == []
    truth = _passes_with_devices_truth()
    assert truth  # the churn left some registrations, so the check below is not of zeros
    assert _passes_with_devices_counted() == truth
    assert _rolled_up() == _events_grouped()


def test_the_migration_back_fills_both_roll_ups_from_existing_rows(app: Flask) -> None:
    organization, _key = make_organization()
    passes = [make_pass(make_campaign(organization)) for _ in range(2)]
    with transaction() as session:
        for number, pass_ in enumerate(passes):
            register_device(session, f"device-{number}", session.get(Pass, pass_.id), "aa" * 32, IPHONE)
            record_event(session, "fetched", organization_id=organization.id, campaign_id=pass_.campaign_id,
                         pass_id=pass_.id, count=3, occurred_at=utcnow() - dt.timedelta(days=40))
    expected_events, expected_passes = _events_grouped(), _passes_with_devices_truth()
    try:
        flask_migrate.downgrade(revision=BEFORE_ROLL_UPS)
        flask_migrate.upgrade()
    finally:
        flask_migrate.upgrade()  # a failure above must not leave later tests a schema without the tables
    assert _rolled_up() == expected_events and len(expected_events) == 6  # created, installed, fetched x 2
    assert _passes_with_devices_counted() == expected_passes == {organization.id: 2}
