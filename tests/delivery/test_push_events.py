"""Pass events recorded by the push worker: pushes sent, and registrations APNs says are gone."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import make_pass
from tests.delivery.conftest import drain, register, token_for
from tests.services.test_events import _events, _with_webhook
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import Organization, WebhookDelivery
from walletservice.queue.pushes import enqueue_campaign_push

pytestmark = pytest.mark.timeout(60)


def test_a_push_records_pushed_with_the_deliveries_sent(campaign, make_worker, simulator):  # type: ignore[no-untyped-def]
    passes = [make_pass(campaign, serial_number=f"PU-{i}") for i in range(3)]
    for index, pass_ in enumerate(passes):
        register(pass_, f"device-{index}", token_for(index + 1))
    simulator.mark_bad(token_for(3))
    with transaction() as session:
        enqueue_campaign_push(session, campaign.organization_id, campaign.id)
    drain(make_worker())
    [pushed] = _events("pushed")
    assert (pushed.campaign_id, pushed.pass_id, pushed.count) == (campaign.id, None, 2)


def test_apns_410_records_uninstalled_and_its_webhook(campaign, make_worker, simulator):  # type: ignore[no-untyped-def]
    pass_ = make_pass(campaign, serial_number="GONE-1")
    register(pass_, "gone-device", token_for(5))
    with transaction(write=False) as session:
        _with_webhook(session.get(Organization, campaign.organization_id))
    simulator.mark_unregistered(token_for(5), dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=5))
    with transaction() as session:
        enqueue_campaign_push(session, campaign.organization_id, campaign.id)
    drain(make_worker())
    [event] = _events("uninstalled")
    assert (event.pass_id, event.details["reason"]) == (pass_.id, "apns_unregistered")
    db.session.rollback()
    [delivery] = db.session.scalars(select(WebhookDelivery)).all()
    assert delivery.payload["event"] == "uninstalled"
