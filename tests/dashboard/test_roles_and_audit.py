"""Roles and the audit log: editors change campaigns and every change is logged; a
viewer's change is refused by the server; a change needs the session's CSRF token."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from tests.api.conftest import new_account
from tests.dashboard.conftest import Team, add_user, csrf_from, signed_in_client
from tests.factories import make_campaign
from walletservice.db import transaction
from walletservice.models import Campaign, DashboardAuditEntry, Organization


def _campaign(team: Team) -> Campaign:
    with transaction() as session:
        organization = session.get(Organization, team.account.id)
    return make_campaign(organization)


def _state(campaign_id: str) -> str:
    with transaction(write=False) as session:
        return session.get(Campaign, campaign_id).state


def _audit() -> list[DashboardAuditEntry]:
    with transaction(write=False) as session:
        return list(session.scalars(select(DashboardAuditEntry)))


def test_an_editor_pauses_a_campaign_with_htmx_and_the_change_is_audited(app: Flask, team: Team) -> None:
    campaign = _campaign(team)
    client = signed_in_client(app, team.editor)
    token = csrf_from(client, "/dashboard/campaigns")
    response = client.post(f"/dashboard/campaigns/{campaign.id}/pause",
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 200
    row = response.get_data(as_text=True)
    assert 'data-testid="campaign-state">paused<' in row
    assert 'data-action="resume"' in row and 'data-action="pause"' not in row  # only the moves it can make
    assert _state(campaign.id) == "paused"
    [entry] = _audit()
    assert (entry.user_email, entry.action, entry.target_type, entry.target_id) == (
        team.editor, "campaign.pause", "campaign", campaign.id)
    assert (entry.before, entry.after, entry.organization_id) == ({"state": "published"}, {"state": "paused"},
                                                                  team.account.id)
    page = client.get("/dashboard/audit").get_data(as_text=True)
    assert "campaign.pause" in page and team.editor in page and "&#34;paused&#34;" in page


def test_a_plain_form_post_works_without_javascript(app: Flask, team: Team) -> None:
    campaign = _campaign(team)
    client = signed_in_client(app, team.owner)
    token = csrf_from(client, "/dashboard/campaigns")
    response = client.post(f"/dashboard/campaigns/{campaign.id}/archive", data={"csrf_token": token})
    assert response.status_code == 302 and _state(campaign.id) == "archived"


def test_a_viewer_sees_no_buttons_and_the_server_refuses_a_forged_post(app: Flask, team: Team) -> None:
    campaign = _campaign(team)
    client = signed_in_client(app, team.viewer)
    page = client.get("/dashboard/campaigns").get_data(as_text=True)
    assert "Flights" in page and "data-action=" not in page
    token = csrf_from(client, "/dashboard")  # the viewer's own, valid token
    response = client.post(f"/dashboard/campaigns/{campaign.id}/pause", headers={"X-CSRF-Token": token})
    assert response.status_code == 403
    assert _state(campaign.id) == "published" and _audit() == []


def test_a_change_without_or_with_a_wrong_csrf_token_is_refused(app: Flask, team: Team) -> None:
    campaign = _campaign(team)
    client = signed_in_client(app, team.owner)
    assert client.post(f"/dashboard/campaigns/{campaign.id}/pause").status_code == 403
    assert client.post(f"/dashboard/campaigns/{campaign.id}/pause",
                       headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert _state(campaign.id) == "published" and _audit() == []


def test_another_organizations_campaign_is_not_found(app: Flask, team: Team) -> None:
    campaign = _campaign(team)
    stranger = new_account("Skyport Airways")
    client = signed_in_client(app, add_user(stranger.id, "owner@skyport.test", "owner"))
    token = csrf_from(client, "/dashboard")
    response = client.post(f"/dashboard/campaigns/{campaign.id}/pause", headers={"X-CSRF-Token": token})
    assert response.status_code == 404 and _state(campaign.id) == "published"
    assert "Flights" not in client.get("/dashboard/campaigns").get_data(as_text=True)


def test_a_move_the_campaign_cannot_make_is_409_and_not_audited(app: Flask, team: Team) -> None:
    campaign = _campaign(team)
    client = signed_in_client(app, team.owner)
    token = csrf_from(client, "/dashboard")
    response = client.post(f"/dashboard/campaigns/{campaign.id}/resume", headers={"X-CSRF-Token": token})
    assert response.status_code == 409 and _audit() == []
