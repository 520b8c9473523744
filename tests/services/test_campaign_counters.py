"""The report counters that are not pass events, raised from many threads at once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from tests.factories import make_campaign, make_organization
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import CampaignDayCounter
from walletservice.services.campaign_counters import (
    API_CALLS,
    DISTRIBUTION_UPDATES,
    count_api_call,
    count_distribution_update,
)

pytestmark = pytest.mark.timeout(60)
THREADS, CALLS_EACH = 8, 25


def _counted() -> dict[str, int]:
    db.session.rollback()
    return {row.counter: row.n for row in db.session.scalars(select(CampaignDayCounter))}


def test_concurrent_increments_are_never_lost(app):  # type: ignore[no-untyped-def]
    organization, _ = make_organization()
    campaign_id = make_campaign(organization).id
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def call_many() -> None:
        with app.app_context():
            try:
                start.wait()
                for _ in range(CALLS_EACH):
                    with transaction() as session:
                        count_api_call(session, organization.id, campaign_id)
                        count_distribution_update(session, campaign_id)
            except BaseException as exc:  # handed to the test thread, which fails on it
                failures.append(exc)

    threads = [threading.Thread(target=call_many) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert _counted() == {API_CALLS: THREADS * CALLS_EACH, DISTRIBUTION_UPDATES: THREADS * CALLS_EACH}


def test_a_call_on_another_organizations_campaign_writes_nothing(app):  # type: ignore[no-untyped-def]
    owner, _ = make_organization("Owner")
    stranger, _ = make_organization("Stranger")
    campaign_id = make_campaign(owner).id
    with transaction() as session:
        count_api_call(session, stranger.id, campaign_id)
        count_api_call(session, owner.id, "00000000-0000-4000-8000-000000000000")
    assert _counted() == {}
