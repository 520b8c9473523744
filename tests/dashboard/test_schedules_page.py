"""The schedules page: the organization's scheduled updates (what, when due, state, last
result), and cancelling a pending one (owners and editors; audited; 409 once it ran;
another organization's is 404; a viewer's POST is 403)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select

from tests.api.conftest import new_account
from tests.dashboard.conftest import Team, csrf_from, signed_in_client
from tests.factories import make_campaign
from walletservice.db import transaction
from walletservice.models import DashboardAuditEntry, Organization, Schedule

SOON = dt.datetime(2031, 5, 1, 7, 30, tzinfo=dt.timezone.utc)
LATER = dt.datetime(2031, 6, 1, 9, 0, tzinfo=dt.timezone.utc)


def add_schedule(organization_id: str, state: str = "scheduled", next_run_at: dt.datetime | None = SOON,
                 **columns: object) -> str:
    """A schedule row as the API and the scheduler leave it (their rules have their own tests)."""
    with transaction(write=False) as session:
        organization = session.get(Organization, organization_id)
        session.expunge(organization)
    campaign = make_campaign(organization)
    with transaction() as session:
        schedule = Schedule(organization_id=organization_id, campaign_id=campaign.id, run_at=next_run_at,
                            changes={"relevant_date": "2031-05-01T09:00:00Z"}, state=state,
                            next_run_at=next_run_at, **columns)
        session.add(schedule)
        session.flush()
        return schedule.id


def _state(schedule_id: str) -> str:
    with transaction(write=False) as session:
        return session.get(Schedule, schedule_id).state


def _audit() -> list[DashboardAuditEntry]:
    with transaction(write=False) as session:
        return list(session.scalars(select(DashboardAuditEntry)))


def _cancel(client, schedule_id: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client, "/dashboard/schedules")
    return client.post(f"/dashboard/schedules/{schedule_id}/cancel", data={"csrf_token": token})


def test_the_page_lists_what_when_state_and_last_result_of_the_organizations_schedules(
        app: Flask, team: Team) -> None:
    pending = add_schedule(team.account.id, push_message="Your gate is now B7")
    done = add_schedule(team.account.id, state="done", next_run_at=None,
                        last_result={"outcome": "done", "due_at": "2026-01-01T00:00:00Z",
                                     "ran_at": "2026-01-01T00:00:01Z", "push_id": "p-1"})
    recurring = add_schedule(team.account.id, next_run_at=LATER, cron="0 9 * * *", timezone="Europe/Berlin")
    add_schedule(new_account("Skyport Airways").id, push_message="not ours")
    page = signed_in_client(app, team.viewer).get("/dashboard/schedules").get_data(as_text=True)
    assert page.count('data-testid="schedule-row"') == 3
    # Pending first, soonest due first; then the ones that ran.
    assert page.index(pending) < page.index(recurring) < page.index(done)
    assert "Your gate is now B7" in page and "not ours" not in page
    assert "changes relevant_date" in page and "2031-05-01 07:30:00" in page
    assert "<code>0 9 * * *</code> (Europe/Berlin)" in page
    assert "done\n" in page and "at 2026-01-01T00:00:01Z" in page
    assert 'data-action="cancel-schedule"' not in page  # a viewer sees no button


def test_an_editor_cancels_a_pending_schedule_which_is_audited(app: Flask, team: Team) -> None:
    schedule_id = add_schedule(team.account.id)
    client = signed_in_client(app, team.editor)
    page = client.get("/dashboard/schedules").get_data(as_text=True)
    assert page.count('data-action="cancel-schedule"') == 1
    response = _cancel(client, schedule_id)
    assert response.status_code == 302
    assert _state(schedule_id) == "cancelled"
    with transaction(write=False) as session:
        assert session.get(Schedule, schedule_id).next_run_at is None  # the scheduler will not fire it
    [entry] = _audit()
    assert (entry.action, entry.target_type, entry.target_id, entry.user_email, entry.before, entry.after) == (
        "schedule.cancel", "schedule", schedule_id, team.editor, {"state": "scheduled"}, {"state": "cancelled"})
    assert 'data-action="cancel-schedule"' not in client.get("/dashboard/schedules").get_data(as_text=True)


@pytest.mark.parametrize("state", ["done", "failed", "missed", "cancelled"])
def test_a_schedule_that_ran_or_was_cancelled_is_409_and_unchanged(app: Flask, team: Team, state: str) -> None:
    schedule_id = add_schedule(team.account.id, state=state, next_run_at=None)
    response = _cancel(signed_in_client(app, team.owner), schedule_id)
    assert response.status_code == 409
    assert f"the schedule is {state}" in response.get_data(as_text=True)
    assert _state(schedule_id) == state and _audit() == []


def test_a_viewer_is_refused_by_the_server(app: Flask, team: Team) -> None:
    schedule_id = add_schedule(team.account.id)
    assert _cancel(signed_in_client(app, team.viewer), schedule_id).status_code == 403
    assert _state(schedule_id) == "scheduled" and _audit() == []


@pytest.mark.parametrize("whose", ["another organization's", "nobody's"])
def test_another_organizations_or_a_missing_schedule_is_404(app: Flask, team: Team, whose: str) -> None:
    schedule_id = add_schedule(new_account("Skyport Airways").id) if whose != "nobody's" else "no-such-schedule"
    assert _cancel(signed_in_client(app, team.owner), schedule_id).status_code == 404
    if whose != "nobody's":
        assert _state(schedule_id) == "scheduled"
    assert _audit() == []


def test_cancelling_without_a_csrf_token_is_403(app: Flask, team: Team) -> None:
    schedule_id = add_schedule(team.account.id)
    response = signed_in_client(app, team.owner).post(f"/dashboard/schedules/{schedule_id}/cancel")
    assert response.status_code == 403 and _state(schedule_id) == "scheduled"
