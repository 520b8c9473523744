"""The overview's stale devices count the organization's pushes of the last 30 days only
(services.delivery_timeline.STALE_LOOKBACK_DAYS): the query starts from those pushes
rather than from every pass (docs/dashboard.md, "Stale devices")."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from tests.factories import make_campaign, make_organization, make_pass
from walletservice.db import transaction
from walletservice.models import Device, Pass, PushDelivery, PushRequest, Registration
from walletservice.models.base import utcnow
from walletservice.services.delivery_timeline import STALE_LOOKBACK_DAYS, stale_passes


def _pushed_unfetched_pass(organization, requested_days_ago: float, requester_id: str | None = None) -> str:  # type: ignore[no-untyped-def]
    """A pass changed after its device registered, pushed two hours ago by a request made
    `requested_days_ago`, never fetched."""
    pass_ = make_pass(make_campaign(organization))
    now = utcnow()
    with transaction() as session:
        session.get(Pass, pass_.id).modified_at = now - dt.timedelta(hours=3)
        device = Device(device_library_identifier=f"library-{pass_.id}", push_token=f"token-{pass_.id}")
        session.add(device)
        session.flush()
        session.add(Registration(device_id=device.id, pass_id=pass_.id, pass_type_identifier=pass_.pass_type_identifier,
                                 created_at=now - dt.timedelta(days=60), updated_at=now - dt.timedelta(days=60)))
        request = PushRequest(organization_id=requester_id or organization.id, pass_ids=[pass_.id], state="done",
                              created_at=now - dt.timedelta(days=requested_days_ago))
        session.add(request)
        session.flush()
        session.add(PushDelivery(push_request_id=request.id, push_token=device.push_token,
                                 pass_type_identifier=pass_.pass_type_identifier, state="sent", status=200,
                                 attempts=1, finished_at=now - dt.timedelta(hours=2)))
    return pass_.id


@pytest.mark.parametrize(("requested_days_ago", "stale"), [(STALE_LOOKBACK_DAYS - 1, True),
                                                             (STALE_LOOKBACK_DAYS + 1, False)])
def test_only_pushes_requested_within_the_window_make_a_pass_stale(app: Flask, requested_days_ago: int,
                                                                   stale: bool) -> None:
    organization, _key = make_organization()
    pass_id = _pushed_unfetched_pass(organization, requested_days_ago)
    with transaction(write=False) as session:
        count, listed = stale_passes(session, organization.id, utcnow(), stale_minutes=60)
        assert (count, [pass_.id for pass_ in listed]) == ((1, [pass_id]) if stale else (0, []))


def test_the_count_covers_every_stale_pass_and_the_list_the_newest_changes(app: Flask) -> None:
    organization, _key = make_organization()
    pass_ids = [_pushed_unfetched_pass(organization, requested_days_ago=1) for _ in range(3)]
    with transaction() as session:  # distinct change times, oldest first
        for minutes, pass_id in enumerate(pass_ids):
            session.get(Pass, pass_id).modified_at = utcnow() - dt.timedelta(hours=3, minutes=-minutes)
    with transaction(write=False) as session:
        count, listed = stale_passes(session, organization.id, utcnow(), stale_minutes=60, limit=2)
        assert (count, [pass_.id for pass_ in listed]) == (3, pass_ids[::-1][:2])


def test_another_organizations_push_does_not_make_a_pass_stale(app: Flask) -> None:
    organization, _key = make_organization()
    other, _key = make_organization("Other")
    _pushed_unfetched_pass(organization, requested_days_ago=1, requester_id=other.id)
    with transaction(write=False) as session:
        assert stale_passes(session, organization.id, utcnow(), stale_minutes=60) == (0, [])
        assert stale_passes(session, other.id, utcnow(), stale_minutes=60) == (0, [])
