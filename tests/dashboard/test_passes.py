"""The dashboard's pass search, pass page (delivery timeline) and stale devices."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

from flask import Flask

from tests.api.conftest import new_account
from tests.dashboard.conftest import Team, signed_in_client
from tests.factories import make_campaign, make_pass
from walletservice.db import transaction
from walletservice.models import Device, Organization, Pass, PassEvent, PushDelivery, PushRequest, Registration
from walletservice.models.base import utcnow
from walletservice.services.dashboard_passes import search_passes
from walletservice.services.passcreator.pass_query import PassQuery

PASS_LINK = re.compile(r'href="/dashboard/passes/([0-9a-f-]{36})"')
TIMELINE_KINDS = re.compile(r'<li data-kind="(\w+)">')


def _campaign(organization_id: str):  # type: ignore[no-untyped-def]
    with transaction() as session:
        organization = session.get(Organization, organization_id)
    return make_campaign(organization)


def _listed(client, q: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get("/dashboard/passes", query_string={"q": q})
    assert response.status_code == 200, response.get_data(as_text=True)
    return PASS_LINK.findall(response.get_data(as_text=True))


def test_search_lists_only_the_organizations_passes(app: Flask, team: Team) -> None:
    campaign = _campaign(team.account.id)
    ada, grace = make_pass(campaign), make_pass(campaign)
    theirs = make_pass(_campaign(new_account("Skyport Airways").id))
    client = signed_in_client(app, team.viewer)

    assert sorted(_listed(client)) == sorted([ada.id, grace.id])
    assert _listed(client, ada.id) == [ada.id]  # plain text: a search phrase
    assert _listed(client, theirs.id) == []
    by_identifier = {"groups": [[{"field": "identifier", "operator": "equals", "value": [grace.id, theirs.id]}]]}
    assert _listed(client, json.dumps(by_identifier)) == [grace.id]
    assert theirs.id not in client.get("/dashboard/passes").get_data(as_text=True)


def test_a_bad_query_is_a_message_on_the_page_not_a_500(app: Flask, team: Team) -> None:
    client = signed_in_client(app, team.viewer)
    for q, message in (('{"groups": [[{"field": "identifier", "operator": "sounds like", "value": ["x"]}]]}',
                        "unknown operator"),
                       ("{not json", "not valid JSON"),
                       ('{"groups": "all"}', "query.groups must be a list")):
        response = client.get("/dashboard/passes", query_string={"q": q})
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert 'data-testid="search-error"' in page and message in page, page
    assert client.get("/dashboard/passes", query_string={"q": "Ada\x00"}).status_code == 400  # the app refuses it
    nul_cursor = base64.urlsafe_b64encode(b"2026-01-01T00:00:00+00:00|\x00").decode()
    for cursor in ("not-a-cursor!", nul_cursor):
        bad_cursor = client.get("/dashboard/passes", query_string={"after": cursor})
        assert bad_cursor.status_code == 400 and "cursor" in bad_cursor.get_data(as_text=True)


def test_search_pages_follow_on_without_repeats(app: Flask, team: Team) -> None:
    campaign = _campaign(team.account.id)
    made = {make_pass(campaign).id for _ in range(3)}
    with transaction(write=False) as session:
        first = search_passes(session, team.account.id, PassQuery(), None, page_size=2)
        second = search_passes(session, team.account.id, PassQuery(), first.next_cursor, page_size=2)
        seen = [p.id for p in first.passes] + [p.id for p in second.passes]
    assert first.next_cursor is not None and second.next_cursor is None
    assert len(seen) == 3 and set(seen) == made


def test_pages_need_a_sign_in_and_another_organizations_pass_is_404(app: Flask, team: Team, https_client) -> None:  # type: ignore[no-untyped-def]
    theirs = make_pass(_campaign(new_account("Skyport Airways").id))
    for path in ("/dashboard/passes", f"/dashboard/passes/{theirs.id}"):
        response = https_client.get(path)
        assert response.status_code == 302 and "/dashboard/login" in response.headers["Location"]
    viewer = signed_in_client(app, team.viewer)
    assert viewer.get(f"/dashboard/passes/{theirs.id}").status_code == 404
    assert viewer.get("/dashboard/passes/" + "x" * 300).status_code == 404
    assert viewer.get("/dashboard/passes/abc%00def").status_code == 400  # the app refuses NUL in any path


# -- the timeline and stale devices ---------------------------------------------------

def _register(pass_: Pass, name: str, at: dt.datetime) -> str:
    token = f"token-{name}-{pass_.id}"
    with transaction() as session:
        device = Device(device_library_identifier=f"library-{name}-{pass_.id}", push_token=token)
        session.add(device)
        session.flush()
        session.add(Registration(device_id=device.id, pass_id=pass_.id, pass_type_identifier=pass_.pass_type_identifier,
                                 wallet="apple_wallet", device_os="ios", created_at=at, updated_at=at))
        session.add(PassEvent(organization_id=pass_.organization_id, campaign_id=pass_.campaign_id, pass_id=pass_.id,
                              kind="installed", device_os="ios", occurred_at=at))
    return token


def _push(pass_: Pass, token: str, at: dt.datetime, pass_ids: list[str] | None = None, status: int = 200) -> None:
    with transaction() as session:
        request = PushRequest(organization_id=pass_.organization_id, pass_ids=pass_ids or [pass_.id], state="done")
        session.add(request)
        session.flush()
        session.add(PushDelivery(push_request_id=request.id, push_token=token,
                                 pass_type_identifier=pass_.pass_type_identifier,
                                 state="sent" if status == 200 else "failed", status=status, attempts=1,
                                 reason=None if status == 200 else "BadDeviceToken", finished_at=at))


def _fetched(pass_: Pass, at: dt.datetime) -> None:
    with transaction() as session:
        session.add(PassEvent(organization_id=pass_.organization_id, campaign_id=pass_.campaign_id, pass_id=pass_.id,
                              kind="fetched", device_os="ios", occurred_at=at))
        session.get(Pass, pass_.id).last_fetched_at = at


def _changed(pass_: Pass, at: dt.datetime) -> None:
    with transaction() as session:
        session.get(Pass, pass_.id).modified_at = at


def test_the_timeline_shows_each_step_in_order(app: Flask, team: Team) -> None:
    campaign = _campaign(team.account.id)
    pass_, other = make_pass(campaign), make_pass(campaign)
    start = utcnow() + dt.timedelta(minutes=1)
    token = _register(pass_, "phone", start)
    _push(pass_, token, start + dt.timedelta(minutes=1))
    _push(pass_, token, start + dt.timedelta(minutes=2), status=400)
    _push(pass_, token, start + dt.timedelta(minutes=3), pass_ids=[other.id])  # meant for the other pass
    _fetched(pass_, start + dt.timedelta(minutes=4))

    page = signed_in_client(app, team.viewer).get(f"/dashboard/passes/{pass_.id}").get_data(as_text=True)
    timeline = page[page.index('data-testid="delivery-timeline"'):]
    kinds = TIMELINE_KINDS.findall(timeline)
    assert kinds[-4:] == ["installed", "push", "push", "fetched"], kinds
    assert {"created", "revision"} <= set(kinds[:-4])
    assert kinds.count("push") == 2  # not the push for the other pass
    assert "APNs answered 200" in timeline and "APNs answered 400 BadDeviceToken" in timeline
    assert "a device fetched (ios): version 1" in timeline
    assert "device …" in timeline


def _stale_setup(team: Team, pushed_minutes_ago: int, registered_before_change: bool = True) -> Pass:
    pass_ = make_pass(_campaign(team.account.id))
    now = utcnow()
    changed_at = now - dt.timedelta(minutes=pushed_minutes_ago + 5)
    registered = changed_at - dt.timedelta(minutes=30 if registered_before_change else -1)
    token = _register(pass_, "phone", registered)
    _changed(pass_, changed_at.replace(microsecond=0))
    _push(pass_, token, now - dt.timedelta(minutes=pushed_minutes_ago))
    return pass_


def _is_flagged(app: Flask, team: Team, pass_: Pass) -> bool:
    client = signed_in_client(app, team.viewer)
    page = client.get(f"/dashboard/passes/{pass_.id}").get_data(as_text=True)
    overview = client.get("/dashboard").get_data(as_text=True)
    flagged = 'data-testid="stale-flag"' in page
    listed = f"/dashboard/passes/{pass_.id}" in overview
    assert flagged == listed
    count = int(re.search(r'data-testid="stale-count" data-value="(\d+)"', overview).group(1))
    assert count == (1 if listed else 0)
    return flagged


def test_pushed_and_not_fetched_after_the_threshold_is_stale(app: Flask, team: Team) -> None:
    pass_ = _stale_setup(team, pushed_minutes_ago=90)  # default threshold: 60 minutes
    assert _is_flagged(app, team, pass_)
    assert 'data-stale="true"' in signed_in_client(app, team.viewer).get(
        f"/dashboard/passes/{pass_.id}").get_data(as_text=True)


def test_fetched_after_the_change_is_not_stale(app: Flask, team: Team) -> None:
    pass_ = _stale_setup(team, pushed_minutes_ago=90)
    _fetched(pass_, utcnow() - dt.timedelta(minutes=80))
    assert not _is_flagged(app, team, pass_)


def test_a_push_within_the_threshold_is_not_stale_yet(app: Flask, team: Team) -> None:
    pass_ = _stale_setup(team, pushed_minutes_ago=30)
    assert not _is_flagged(app, team, pass_)
    app.config["WALLET_DASHBOARD_STALE_DEVICE_MINUTES"] = 20
    assert _is_flagged(app, team, pass_)


def test_a_device_registered_after_the_change_already_has_it(app: Flask, team: Team) -> None:
    pass_ = _stale_setup(team, pushed_minutes_ago=90, registered_before_change=False)
    assert not _is_flagged(app, team, pass_)


def test_another_organizations_stale_pass_is_not_counted(app: Flask, team: Team) -> None:
    other_team = Team(new_account("Skyport Airways"), "", "", "")
    _stale_setup(other_team, pushed_minutes_ago=90)
    overview = signed_in_client(app, team.viewer).get("/dashboard").get_data(as_text=True)
    assert 'data-testid="stale-count" data-value="0"' in overview


def test_a_push_before_the_last_change_does_not_make_it_stale(app: Flask, team: Team) -> None:
    pass_ = _stale_setup(team, pushed_minutes_ago=90)
    _changed(pass_, (utcnow() - dt.timedelta(minutes=85)).replace(microsecond=0))  # changed again, not pushed yet
    older = make_pass(_campaign(team.account.id))  # another pass, changed long before that push
    _changed(older, utcnow() - dt.timedelta(minutes=200))
    assert not _is_flagged(app, team, pass_)
