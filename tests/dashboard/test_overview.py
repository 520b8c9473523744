"""The overview's figures: the same events as the /v2 reports, one organization only."""

from __future__ import annotations

import datetime as dt
import json
import re

from flask import Flask

from tests.api.conftest import new_account
from tests.dashboard.conftest import Team, signed_in_client
from tests.factories import make_campaign, make_pass
from walletservice.db import transaction
from walletservice.models import Device, Organization, PassEvent, Registration, WebhookDelivery
from walletservice.models.base import utcnow
from walletservice.services.dashboard_overview import last_days

CHART = re.compile(r'data-testid="chart-daily" data-series="([^"]+)"')


def _event(campaign, kind: str, days_ago: int, count: int = 1, device_os: str | None = "ios") -> None:  # type: ignore[no-untyped-def]
    with transaction() as session:
        session.add(PassEvent(organization_id=campaign.organization_id, campaign_id=campaign.id, pass_id=None,
                              kind=kind, device_os=device_os, count=count,
                              occurred_at=utcnow() - dt.timedelta(days=days_ago)))


def _campaign(organization_id: str, name: str):  # type: ignore[no-untyped-def]
    with transaction() as session:
        organization = session.get(Organization, organization_id)
    campaign = make_campaign(organization)
    with transaction() as session:
        session.merge(campaign).name = name
    return campaign


def _figures(page: str) -> dict[str, int]:
    return {name: int(value) for name, value in
            re.findall(r'data-testid="figure-(\w+)">\s*<h2>[^<]*</h2>\s*<p class="value" data-value="(\d+)"', page)}


def _chart(page: str) -> dict[str, list]:  # type: ignore[type-arg]
    return json.loads(CHART.search(page).group(1).replace("&#34;", '"'))


def test_overview_figures_and_chart_agree_with_the_v2_reports(app: Flask, team: Team) -> None:
    first, second = _campaign(team.account.id, "First"), _campaign(team.account.id, "Second")
    for campaign, installs in ((first, 3), (second, 2)):
        _event(campaign, "installed", 1, installs)
        _event(campaign, "uninstalled", 0)
        _event(campaign, "updated", 2, 4)
        _event(campaign, "pushed", 2, 7)
    _event(first, "installed", 40)  # before the 30 days: in neither
    stranger = new_account("Skyport Airways")
    _event(_campaign(stranger.id, "Theirs"), "installed", 1, 100)  # another organization's

    page = signed_in_client(app, team.viewer).get("/dashboard").get_data(as_text=True)
    figures, chart = _figures(page), _chart(page)

    window = last_days(utcnow().date())
    query = f"?start_date={window.start.isoformat()}&end_date={window.end.isoformat()}"
    client = app.test_client()
    reports = [client.get(f"/v2/boarding_passes/{campaign.id}/reports{query}", headers=team.account.basic)
               .get_json()["report"] for campaign in (first, second)]
    total = {counter: sum(day[counter] for report in reports for day in report.values())
             for counter in ("installs_count", "uninstalls_count", "pushes_count", "updates_count")}
    assert (figures["installs"], figures["uninstalls"], figures["pushes_sent"]) == (
        total["installs_count"], total["uninstalls_count"], total["pushes_count"]) == (5, 2, 14)
    assert chart["days"] == list(reports[0])
    for series, counter in (("installs", "installs_count"), ("uninstalls", "uninstalls_count"),
                            ("updates", "updates_count"), ("pushes", "pushes_count")):
        assert chart[series] == [reports[0][day][counter] + reports[1][day][counter] for day in chart["days"]]
    assert sum(chart["installs"]) == 5


def test_overview_counts_passes_devices_failures_and_expiring_certificates(app: Flask, team: Team) -> None:
    campaign = _campaign(team.account.id, "Flights")
    installed, _never = make_pass(campaign), make_pass(campaign)
    with transaction() as session:
        device = Device(device_library_identifier="device-1", push_token="ab" * 32)
        session.add(device)
        session.flush()
        session.add(Registration(device_id=device.id, pass_id=installed.id,
                                 pass_type_identifier=installed.pass_type_identifier))
        session.add(WebhookDelivery(organization_id=team.account.id, url="https://hooks.example.test",
                                    payload={}, state="failed"))
        session.add(WebhookDelivery(organization_id=team.account.id, url="https://hooks.example.test",
                                    payload={}, state="delivered"))
    stranger = new_account("Skyport Airways")
    make_pass(_campaign(stranger.id, "Theirs"))

    figures = _figures(signed_in_client(app, team.owner).get("/dashboard").get_data(as_text=True))
    assert (figures["passes_issued"], figures["passes_with_devices"], figures["webhook_failures"]) == (2, 1, 1)
    assert figures["certificates_expiring"] == 0
    assert figures["pushes_failed"] == 0


def test_every_figure_says_what_it_counts(app: Flask, team: Team) -> None:
    page = signed_in_client(app, team.viewer).get("/dashboard").get_data(as_text=True)
    assert len(_figures(page)) == 8
    assert page.count('class="definition"') >= 9
    assert "First registrations of a device for a pass" in page


def test_every_page_has_a_plain_title_and_the_overview_one_stale_section(app: Flask, team: Team) -> None:
    """A block opened inside the title once put the stale-devices section in <title>."""
    client = signed_in_client(app, team.owner)
    for path in ("/dashboard", "/dashboard/campaigns", "/dashboard/passes", "/dashboard/audit",
                 "/dashboard/api-keys", "/dashboard/webhooks"):
        page = client.get(path).get_data(as_text=True)
        title = re.search(r"<title>(.*?)</title>", page, re.S)
        assert title is not None and "<" not in title.group(1) and title.group(1).endswith("· walletservice"), path
    assert client.get("/dashboard").get_data(as_text=True).count('data-testid="stale-devices"') == 1
