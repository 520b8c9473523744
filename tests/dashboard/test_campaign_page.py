"""The campaign page: its chart agrees with the v2 report, its preview shows the design,
edits go through the v2 update and are audited, and "push to all passes" starts the v2
campaign push whose progress the page follows. Viewers, forged posts, other tenants and
bad input are refused."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from tests.api.conftest import new_account
from tests.dashboard.conftest import Team, add_user, csrf_from, signed_in_client
from tests.factories import make_campaign, make_pass, png_bytes
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import BackgroundJob, Campaign, DashboardAuditEntry, Organization, PassEvent
from walletservice.models.base import utcnow
from walletservice.services.dashboard_overview import last_days
from walletservice.workers.job_runner import JobWorker
from walletservice.workers.push_sender import PushWorker


def _campaign(organization_id: str, name: str = "Flights") -> Campaign:
    with transaction() as session:
        organization = session.get(Organization, organization_id)
    campaign = make_campaign(organization)
    with transaction() as session:
        session.merge(campaign).name = name
    return campaign


def _event(campaign: Campaign, kind: str, days_ago: int, count: int = 1) -> None:
    with transaction() as session:
        session.add(PassEvent(organization_id=campaign.organization_id, campaign_id=campaign.id, kind=kind,
                              device_os="ios", count=count, occurred_at=utcnow() - dt.timedelta(days=days_ago)))


def _attribute(page: str, testid: str, name: str) -> str:
    match = re.search(rf'data-testid="{re.escape(testid)}"[^>]*?{name}="([^"]*)"', page)
    assert match, f"{testid} not on the page"
    return html.unescape(match.group(1))


def _design(campaign_id: str) -> dict:  # type: ignore[type-arg]
    with transaction(write=False) as session:
        return dict(session.get(Campaign, campaign_id).design)


def _audit() -> list[DashboardAuditEntry]:
    with transaction(write=False) as session:
        return list(session.scalars(select(DashboardAuditEntry).order_by(DashboardAuditEntry.occurred_at)))


def _save(client: FlaskClient, campaign: Campaign, **form: object):  # type: ignore[no-untyped-def]
    token = csrf_from(client, f"/dashboard/campaigns/{campaign.id}")
    return client.post(f"/dashboard/campaigns/{campaign.id}/design", data={"csrf_token": token, **form},
                       content_type="multipart/form-data")


def test_the_page_shows_the_campaign_its_state_buttons_and_its_preview(app: Flask, team: Team) -> None:
    campaign = _campaign(team.account.id)
    page = signed_in_client(app, team.editor).get(f"/dashboard/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'data-testid="campaign-name">Flights<' in page and ">boardingPass<" in page
    assert 'data-testid="campaign-state">published<' in page
    assert 'data-action="pause"' in page and 'data-action="archive"' in page and 'data-action="resume"' not in page
    preview = page[page.index('data-testid="pass-preview"'):page.index('data-testid="push-section"')]
    assert '--pass-background: rgb(30, 60, 114)' in preview  # the design's #1e3c72, as Wallet reads it
    assert 'data-field-key="gate"' in preview and ">GATE<" in preview and ">A1<" in preview
    assert 'data-testid="pass-back"' in preview and 'data-format="pdf417"' in preview
    assert "<script>" not in page  # the CSP forbids inline scripts: campaign_page.js is a file
    assert 'src="/dashboard/static/campaign_page.js"' in page


def test_another_organizations_campaign_is_404_and_so_is_an_unknown_one(app: Flask, team: Team) -> None:
    theirs = _campaign(new_account("Skyport Airways").id)
    before = _design(theirs.id)
    client = signed_in_client(app, team.owner)
    token = csrf_from(client, "/dashboard/campaigns")
    assert client.get(f"/dashboard/campaigns/{theirs.id}").status_code == 404
    assert client.get("/dashboard/campaigns/not-a-campaign").status_code == 404
    for action in ("design", "push"):
        assert client.post(f"/dashboard/campaigns/{theirs.id}/{action}",
                           data={"csrf_token": token}).status_code == 404
    assert _design(theirs.id) == before
    with transaction(write=False) as session:
        assert session.scalar(select(BackgroundJob.id)) is None


def test_the_chart_equals_the_v2_report_of_the_campaign(app: Flask, team: Team) -> None:
    campaign, other = _campaign(team.account.id), _campaign(team.account.id, "Other")
    for kind, days_ago, count in (("installed", 1, 3), ("installed", 4, 2), ("uninstalled", 1, 1),
                                  ("updated", 2, 5), ("pushed", 2, 7), ("installed", 40, 9)):
        _event(campaign, kind, days_ago, count)
    _event(other, "installed", 1, 100)  # another campaign's: not in this chart
    page = signed_in_client(app, team.viewer).get(f"/dashboard/campaigns/{campaign.id}").get_data(as_text=True)
    chart = json.loads(_attribute(page, "chart-campaign-daily", "data-series"))

    window = last_days(utcnow().date())
    report = app.test_client().get(
        f"/v2/boarding_passes/{campaign.id}/reports?start_date={window.start}&end_date={window.end}",
        headers=team.account.basic).get_json()["report"]
    assert chart["days"] == list(report)
    for series, counter in (("installs", "installs_count"), ("uninstalls", "uninstalls_count"),
                            ("updates", "updates_count"), ("pushes", "pushes_count")):
        assert chart[series] == [report[day][counter] for day in chart["days"]]
    assert (sum(chart["installs"]), sum(chart["uninstalls"]), sum(chart["updates"]), sum(chart["pushes"])) == (
        5, 1, 5, 7)


def test_the_campaigns_list_shows_each_trend_from_one_grouped_query(app: Flask, team: Team) -> None:
    campaigns = [_campaign(team.account.id, f"Campaign {n}") for n in range(3)]
    _event(campaigns[0], "installed", 0, 4)
    _event(campaigns[0], "installed", 2, 1)
    _event(campaigns[1], "installed", 29, 2)
    _event(campaigns[1], "installed", 30, 50)  # the 31st day back: outside the trend
    _event(campaigns[2], "uninstalled", 0, 3)  # not an install
    client = signed_in_client(app, team.viewer)
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)
    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        page = client.get("/dashboard/campaigns").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    trends = {campaign.id: json.loads(_attribute(page, f"trend-{campaign.id}", "data-installs"))
              for campaign in campaigns}
    assert [len(trend) for trend in trends.values()] == [30, 30, 30]
    assert trends[campaigns[0].id][-1] == 4 and trends[campaigns[0].id][-3] == 1 and sum(trends[campaigns[0].id]) == 5
    assert trends[campaigns[1].id][0] == 2 and sum(trends[campaigns[1].id]) == 2
    assert sum(trends[campaigns[2].id]) == 0
    assert f'href="/dashboard/campaigns/{campaigns[0].id}"' in page
    assert len([s for s in statements if "pass_events" in s]) == 1, statements


def test_an_editor_saves_labels_values_and_colours_through_the_v2_update_and_it_is_audited(
        app: Flask, team: Team) -> None:
    campaign = _campaign(team.account.id)
    client = signed_in_client(app, team.editor)
    response = _save(client, campaign, **{"field:gate:label": "BOARDING GATE", "field:gate:value": "B7",
                                          "field:origin:value": "LIS", "background_color": "#003366"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/dashboard/campaigns/{campaign.id}")
    api = app.test_client().get(f"/v2/boarding_passes/{campaign.id}", headers=team.account.basic).get_json()
    assert api["header_fields"][0]["label"] == "BOARDING GATE" and api["header_fields"][0]["value"] == "B7"
    assert api["background_color"] == "#003366"
    assert api["primary_fields"][0]["value"] == "LIS"  # sent unchanged: no change
    [entry] = _audit()
    assert (entry.action, entry.user_email, entry.target_id) == ("campaign.update", team.editor, campaign.id)
    assert set(entry.before) == set(entry.after) == {"header_fields", "background_color"}
    assert entry.before["background_color"] == "#1e3c72" and entry.after["background_color"] == "#003366"
    assert entry.before["header_fields"][0]["value"] == "A1" and entry.after["header_fields"][0]["value"] == "B7"
    page = client.get(f"/dashboard/campaigns/{campaign.id}").get_data(as_text=True)
    assert ">BOARDING GATE<" in page and "rgb(0, 51, 102)" in page


def test_a_dynamic_fields_empty_value_stays_empty_and_an_unchanged_form_changes_nothing(
        app: Flask, team: Team) -> None:
    campaign = _campaign(team.account.id)
    before = _design(campaign.id)
    response = _save(signed_in_client(app, team.owner), campaign,
                     **{"field:passenger:label": "PASSENGER", "field:passenger:value": "", "field:gate:value": "A1"})
    assert response.status_code == 302
    assert _design(campaign.id) == before and _audit() == []


@pytest.mark.parametrize(("form", "reason"), [
    ({"background_color": "blue-ish"}, "color"),
    ({"field:gate:value": "x\x00y"}, "NUL"),
    ({"field:gate:label": "L" * 501}, "at most 500"),
])
def test_bad_input_is_a_4xx_page_with_the_reason_and_nothing_is_saved(
        app: Flask, team: Team, form: dict[str, str], reason: str) -> None:
    campaign = _campaign(team.account.id)
    before = _design(campaign.id)
    response = _save(signed_in_client(app, team.editor), campaign, **form)
    assert response.status_code == 422  # InvalidInput's status, as the v2 API answers it
    error = re.search(r'data-testid="edit-error">([^<]*)<', response.get_data(as_text=True))
    assert error and reason.lower() in html.unescape(error.group(1)).lower(), error
    assert _design(campaign.id) == before and _audit() == []


def test_an_uploaded_logo_becomes_the_campaigns_logo_and_the_preview_shows_it(app: Flask, team: Team) -> None:
    campaign = _campaign(team.account.id)
    client = signed_in_client(app, team.editor)
    response = _save(client, campaign, **{"image:logo": (io.BytesIO(png_bytes((320, 100))), "logo.png")})
    assert response.status_code == 302
    logo_id = _design(campaign.id)["images"]["logo"]
    page = client.get(f"/dashboard/campaigns/{campaign.id}").get_data(as_text=True)
    url = f"/dashboard/assets/{logo_id}/logo@2x.png"
    assert f'src="{url}"' in page
    image = client.get(url)
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    assert _audit()[0].after == {"logo_id": logo_id}
    # Another organization's user cannot read it.
    stranger = new_account("Skyport Airways")
    outsider = signed_in_client(app, add_user(stranger.id, "them@sky.test", "owner"))
    assert outsider.get(url).status_code == 404


def test_a_file_that_is_not_an_image_is_refused_with_4xx(app: Flask, team: Team) -> None:
    campaign = _campaign(team.account.id)
    before = _design(campaign.id)
    response = _save(signed_in_client(app, team.editor), campaign,
                     **{"image:strip": (io.BytesIO(b"not a picture"), "strip.png")})
    assert 400 <= response.status_code < 500 and 'data-testid="edit-error"' in response.get_data(as_text=True)
    assert _design(campaign.id) == before


def test_a_viewer_is_refused_by_the_server_and_sees_no_editor(app: Flask, team: Team) -> None:
    campaign = _campaign(team.account.id)
    client = signed_in_client(app, team.viewer)
    page = client.get(f"/dashboard/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'data-testid="campaign-editor"' not in page and 'data-action="push-all"' not in page
    token = csrf_from(client, "/dashboard/campaigns")
    assert client.post(f"/dashboard/campaigns/{campaign.id}/design",
                       data={"csrf_token": token, "field:gate:value": "Z9"}).status_code == 403
    assert client.post(f"/dashboard/campaigns/{campaign.id}/push", data={"csrf_token": token}).status_code == 403
    assert _design(campaign.id)["headerFields"][0]["value"] == "A1" and _audit() == []


def test_a_post_without_the_csrf_token_is_refused(app: Flask, team: Team) -> None:
    campaign = _campaign(team.account.id)
    client = signed_in_client(app, team.owner)
    assert client.post(f"/dashboard/campaigns/{campaign.id}/design",
                       data={"field:gate:value": "Z9"}).status_code == 403
    assert client.post(f"/dashboard/campaigns/{campaign.id}/push", data={"csrf_token": "forged"}).status_code == 403
    assert _design(campaign.id)["headerFields"][0]["value"] == "A1"


def test_push_to_all_passes_starts_the_v2_campaign_push_and_the_progress_follows_it(
        app: Flask, team: Team) -> None:
    campaign = _campaign(team.account.id)
    for _ in range(3):
        make_pass(campaign)
    client = signed_in_client(app, team.editor)
    token = csrf_from(client, f"/dashboard/campaigns/{campaign.id}")
    response = client.post(f"/dashboard/campaigns/{campaign.id}/push",
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert 'data-testid="push-progress"' in fragment and 'data-state="running"' in fragment
    assert 'hx-trigger="every 1s"' in fragment and 'data-testid="push-passes">0 / 3<' in fragment
    with transaction(write=False) as session:
        job = session.scalars(select(BackgroundJob)).one()
        assert (job.kind, job.payload["campaign_id"], job.total) == ("campaign_merge", campaign.id, 3)
    [entry] = _audit()
    assert (entry.action, entry.after) == ("campaign.push", {"job_id": job.id, "push_id": job.push_request_id,
                                                             "passes": 3})
    JobWorker(app).run_until_idle()
    progress = client.get(f"/dashboard/campaigns/{campaign.id}/pushes/{job.id}").get_data(as_text=True)
    assert 'data-testid="push-passes">3 / 3<' in progress
    # No device holds a pass: the push has nothing to send; the page shows whichever state it reached.
    page = client.get(f"/dashboard/campaigns/{campaign.id}?push={job.id}").get_data(as_text=True)
    assert 'data-testid="push-progress"' in page


def test_push_progress_of_another_campaign_or_organization_is_404(app: Flask, team: Team) -> None:
    mine, other = _campaign(team.account.id), _campaign(team.account.id, "Other")
    client = signed_in_client(app, team.owner)
    token = csrf_from(client, f"/dashboard/campaigns/{mine.id}")
    client.post(f"/dashboard/campaigns/{mine.id}/push", data={"csrf_token": token})
    with transaction(write=False) as session:
        job_id = session.scalar(select(BackgroundJob.id))
    assert client.get(f"/dashboard/campaigns/{mine.id}/pushes/{job_id}").status_code == 200
    assert client.get(f"/dashboard/campaigns/{other.id}/pushes/{job_id}").status_code == 404
    assert client.get(f"/dashboard/campaigns/{mine.id}/pushes/no-such-job").status_code == 404
    stranger = new_account("Skyport Airways")
    outsider = signed_in_client(app, add_user(stranger.id, "them@sky.test", "owner"))
    assert outsider.get(f"/dashboard/campaigns/{mine.id}/pushes/{job_id}").status_code == 404


def test_a_push_of_a_campaign_without_passes_reaches_done(app: Flask, team: Team) -> None:
    campaign = _campaign(team.account.id)
    client = signed_in_client(app, team.owner)
    token = csrf_from(client, f"/dashboard/campaigns/{campaign.id}")
    response = client.post(f"/dashboard/campaigns/{campaign.id}/push", data={"csrf_token": token})
    assert response.status_code == 302
    job_id = response.headers["Location"].split("push=")[1]
    JobWorker(app).run_until_idle()
    worker = PushWorker(app)
    try:
        worker.run_once()  # expands the released push: no device, nothing to send
    finally:
        worker.clients.close()
    page = client.get(f"/dashboard/campaigns/{campaign.id}?push={job_id}").get_data(as_text=True)
    assert 'data-state="done"' in page and "hx-trigger" not in page.split('data-testid="push-progress"')[1][:400]


def test_ids_with_nul_bytes_or_of_any_length_are_refused_not_500(app: Flask, team: Team) -> None:
    campaign = _campaign(team.account.id)
    client = signed_in_client(app, team.owner)
    for bad in ("%00", "a%00b", "x" * 300):
        refused = {404} if "%00" not in bad else {400, 404}  # the app refuses a NUL anywhere in a URL: 400
        assert client.get(f"/dashboard/campaigns/{bad}").status_code in refused
        assert client.get(f"/dashboard/campaigns/{campaign.id}/pushes/{bad}").status_code in refused
        assert client.get(f"/dashboard/assets/{bad}/logo.png").status_code in refused
        page = client.get(f"/dashboard/campaigns/{campaign.id}?push={bad}")
        assert page.status_code in refused | {200}
        assert 'data-testid="push-progress"' not in page.get_data(as_text=True)
