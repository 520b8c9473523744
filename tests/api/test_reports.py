"""Campaign reports: /v2/{type}/{campaign_id}/reports and /reports/totals (v2/reports.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.conftest import Account
from tests.factories import make_campaign, make_pass
from walletservice.db import transaction
from walletservice.models import Organization, PassEvent
from walletservice.services.reports import one_month_before

COUNTERS = {
    "installs_count", "uninstalls_count", "redeems_count", "fetches_count", "downloads_count", "views_count",
    "creates_count", "expires_count", "pushes_count", "updates_count", "webhooks_count", "api_calls_count",
    "distribution_updates_count", "active_count", "removed_count",
}
UTC = dt.timezone.utc


@pytest.fixture
def campaign(account: Account):  # type: ignore[no-untyped-def]
    with transaction() as session:
        organization = session.get(Organization, account.id)
    return make_campaign(organization)


def _at(day: str, time: str = "12:00:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=UTC)


def _event(campaign, kind: str, at: dt.datetime, device_os: str | None = None, count: int = 1) -> None:  # type: ignore[no-untyped-def]
    with transaction() as session:
        session.add(PassEvent(organization_id=campaign.organization_id, campaign_id=campaign.id, pass_id=None,
                              kind=kind, device_os=device_os, count=count, occurred_at=at))


def _report(client, account, campaign, query: str = "", segment: str = "boarding_passes"):  # type: ignore[no-untyped-def]
    return client.get(f"/v2/{segment}/{campaign.id}/reports{query}", headers=account.basic)


def test_daily_report_counts_each_kind_per_day_with_every_day_present(client, account, campaign):  # type: ignore[no-untyped-def]
    _event(campaign, "installed", _at("2016-06-01", "00:00:00"), "ios")
    _event(campaign, "installed", _at("2016-06-01", "23:59:59"), "android")
    _event(campaign, "uninstalled", _at("2016-06-02", "00:00:00"), "ios")
    _event(campaign, "pushed", _at("2016-06-02"), count=40)
    _event(campaign, "webhook_sent", _at("2016-06-03"))
    for kind in ("redeemed", "fetched", "downloaded", "viewed", "created", "expired", "updated", "removed"):
        _event(campaign, kind, _at("2016-06-03"))
    _event(campaign, "fetched", _at("2016-06-04"))  # after the range

    response = _report(client, account, campaign, "?start_date=2016-06-01&end_date=2016-06-03")

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["campaign_id"], body["start_date"], body["end_date"]) == (campaign.id, "2016-06-01", "2016-06-03")
    assert list(body["report"]) == ["2016-06-01", "2016-06-02", "2016-06-03"]
    first, second, third = body["report"].values()
    assert set(first) == COUNTERS | {"i", "u"}
    assert first["installs_count"] == 2 and first["i"] == {"ios": 1, "android": 1, "wp": 0}
    assert (second["uninstalls_count"], second["u"]["ios"], second["pushes_count"]) == (1, 1, 40)
    assert [day["active_count"] for day in (first, second, third)] == [2, 1, 1]
    assert {name for name, value in third.items() if value == 1} == {
        "redeems_count", "fetches_count", "downloads_count", "views_count", "creates_count", "expires_count",
        "updates_count", "webhooks_count", "removed_count", "active_count"}
    assert third["api_calls_count"] == third["distribution_updates_count"] == 0


def test_active_count_carries_installs_from_before_the_range(client, account, campaign):  # type: ignore[no-untyped-def]
    _event(campaign, "installed", _at("2016-05-01"), "ios", count=1)
    _event(campaign, "installed", _at("2016-05-02"), "ios")
    _event(campaign, "uninstalled", _at("2016-06-02"), "ios")
    body = _report(client, account, campaign, "?start_date=2016-06-01&end_date=2016-06-02").get_json()
    assert [day["active_count"] for day in body["report"].values()] == [2, 1]


def test_default_range_is_one_month_back_to_today(client, account, campaign):  # type: ignore[no-untyped-def]
    body = _report(client, account, campaign).get_json()
    today = dt.datetime.now(UTC).date()
    assert (body["start_date"], body["end_date"]) == (one_month_before(today).isoformat(), today.isoformat())
    assert len(body["report"]) == (today - one_month_before(today)).days + 1


def test_only_start_date_given_ends_today(client, account, campaign):  # type: ignore[no-untyped-def]
    start = (dt.datetime.now(UTC).date() - dt.timedelta(days=3)).isoformat()
    body = _report(client, account, campaign, f"?start_date={start}").get_json()
    assert len(body["report"]) == 4


@pytest.mark.parametrize("query", [
    "?start_date=2016-6-1", "?start_date=2016-02-30", "?end_date=tomorrow", "?start_date=1466000000",
    "?start_date=2016-06-01T00:00:00", "?start_date=", "?start_date=2016-06-10&end_date=2016-06-01",
    "?start_date=2015-01-01&end_date=2016-06-01",
])
def test_bad_dates_are_422_with_a_reason(client, account, campaign, query):  # type: ignore[no-untyped-def]
    response = _report(client, account, campaign, query)
    assert response.status_code == 422
    assert response.get_json()["errors"]


def test_a_year_and_a_day_is_the_longest_report(client, account, campaign):  # type: ignore[no-untyped-def]
    response = _report(client, account, campaign, "?start_date=2016-01-01&end_date=2016-12-31")
    assert response.status_code == 200
    assert len(response.get_json()["report"]) == 366


def test_totals_count_everything_with_platform_splits(client, account, campaign):  # type: ignore[no-untyped-def]
    _event(campaign, "installed", _at("2015-01-01"), "ios")
    _event(campaign, "installed", _at("2016-06-01"), "android")
    _event(campaign, "installed", _at("2016-06-01"), "android")
    _event(campaign, "uninstalled", _at("2016-06-02"), "android")
    _event(campaign, "created", _at("2016-06-01"), count=1)
    _event(campaign, "pushed", _at("2016-06-03"), count=7)
    response = client.get(f"/v2/boarding_passes/{campaign.id}/reports/totals", headers=account.basic)
    assert response.status_code == 200
    body = response.get_json()
    report = body["report"]
    assert body["campaign_id"] == campaign.id
    assert set(report) == COUNTERS | {"apple", "android"}
    assert report["apple"] == {"installs_count": 1, "uninstalls_count": 0}
    assert report["android"] == {"installs_count": 2, "uninstalls_count": 1}
    assert (report["installs_count"], report["uninstalls_count"], report["pushes_count"]) == (3, 1, 7)
    assert report["active_count"] == 0  # no registration exists: active counts live registrations


def test_totals_active_count_is_the_campaigns_registrations(client, account, campaign):  # type: ignore[no-untyped-def]
    pass_ = make_pass(campaign, serial_number="REP-1")
    for device in ("a", "b"):
        response = client.post(f"/wallet/v1/devices/{device}/registrations/{pass_.pass_type_identifier}/REP-1",
                               json={"pushToken": "ab" * 32},
                               headers={"Authorization": f"ApplePass {pass_.authentication_token}",
                                        "User-Agent": "PassKit/1.0 CFNetwork Darwin"})
        assert response.status_code == 201
    client.get(f"/download/{pass_.download_id}.pkpass")
    report = client.get(f"/v2/boarding_passes/{campaign.id}/reports/totals", headers=account.basic).get_json()["report"]
    assert (report["active_count"], report["installs_count"], report["creates_count"]) == (2, 2, 1)
    assert (report["apple"]["installs_count"], report["downloads_count"]) == (2, 1)
    today = dt.datetime.now(UTC).date().isoformat()
    day = _report(client, account, campaign, f"?start_date={today}&end_date={today}").get_json()["report"][today]
    assert (day["installs_count"], day["i"]["ios"], day["active_count"], day["downloads_count"]) == (2, 2, 2, 1)


@pytest.mark.parametrize("suffix", ["", "/totals"])
def test_another_organizations_campaign_is_404(client, other_account, campaign, suffix):  # type: ignore[no-untyped-def]
    response = client.get(f"/v2/boarding_passes/{campaign.id}/reports{suffix}", headers=other_account.basic)
    assert response.status_code == 404


@pytest.mark.parametrize("suffix", ["", "/totals"])
def test_the_wrong_campaign_type_or_an_unknown_id_is_404(client, account, campaign, suffix):  # type: ignore[no-untyped-def]
    assert client.get(f"/v2/coupons/{campaign.id}/reports{suffix}", headers=account.basic).status_code == 404
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/v2/boarding_passes/{unknown}/reports{suffix}", headers=account.basic).status_code == 404


def test_reports_need_credentials(client, campaign):  # type: ignore[no-untyped-def]
    assert client.get(f"/v2/boarding_passes/{campaign.id}/reports").status_code == 401


@pytest.mark.parametrize(("day", "expected"), [
    ("2016-03-31", "2016-02-29"), ("2016-01-15", "2015-12-15"), ("2016-06-30", "2016-05-30"),
])
def test_one_month_before_keeps_the_day_or_takes_the_months_last(day, expected):  # type: ignore[no-untyped-def]
    assert one_month_before(dt.date.fromisoformat(day)).isoformat() == expected


def _totals(client, account, base: str) -> dict:  # type: ignore[no-untyped-def]
    return client.get(f"{base}/reports/totals", headers=account.basic).get_json()["report"]


def test_api_calls_and_distribution_updates_are_counted(client, account, other_account):  # type: ignore[no-untyped-def]
    from tests.api.test_campaigns import toy_town, upload
    created = client.post("/v2/generics", json={"generic": toy_town(upload(client, account))}, headers=account.basic)
    base = f"/v2/generics/{created.get_json()['id']}"
    # The campaign's download page: published with it, then its design changed, then paused.
    client.patch(base, json={"generic": {"background_color": "#facada"}}, headers=account.basic)  # call 1
    client.post(f"{base}/pause", headers=account.basic)  # call 2
    client.get(base, headers=account.basic)  # call 3
    client.get(f"/v1/generics/{created.get_json()['id']}", headers=account.basic)  # call 4 (v1)
    # Not counted: calls that fail, and other organizations' calls on this campaign.
    assert client.post(f"{base}/pause", headers=account.basic).status_code == 412
    assert client.get(base, headers=other_account.basic).status_code == 404
    assert client.get(f"{base}/reports", headers=other_account.basic).status_code == 404
    first = _totals(client, account, base)  # call 5, counted once answered
    assert (first["api_calls_count"], first["distribution_updates_count"]) == (4, 3)
    assert _totals(client, account, base)["api_calls_count"] == 5
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    daily = client.get(f"{base}/reports", headers=account.basic).get_json()["report"][today]
    assert (daily["api_calls_count"], daily["distribution_updates_count"]) == (6, 3)


def test_wallet_web_service_calls_are_not_api_calls(client, account, campaign):  # type: ignore[no-untyped-def]
    """Apple's endpoints (/wallet/v1) add no work for the counters: they are not API calls."""
    from walletservice.models import CampaignDayCounter
    from sqlalchemy import func, select
    pass_ = make_pass(campaign)
    path = f"/wallet/v1/passes/{pass_.pass_type_identifier}/{pass_.serial_number}"
    response = client.get(path, headers={"Authorization": f"ApplePass {pass_.authentication_token}"})
    assert response.status_code == 200
    with transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(CampaignDayCounter)) == 0


def test_a_counter_that_cannot_be_written_does_not_fail_the_answered_call(client, account, monkeypatch):  # type: ignore[no-untyped-def]
    """The call's own change is committed before the count: the client must get its answer."""
    from sqlalchemy.exc import OperationalError
    from tests.api.test_campaigns import toy_town, upload
    from walletservice.api import registry
    created = client.post("/v2/generics", json={"generic": toy_town(upload(client, account))}, headers=account.basic)
    base = f"/v2/generics/{created.get_json()['id']}"

    def database_gone(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("UPDATE campaign_day_counters", {}, Exception("server closed the connection"))

    monkeypatch.setattr(registry, "count_api_call", database_gone)
    answer = client.patch(base, json={"generic": {"background_color": "#facada"}}, headers=account.basic)
    assert answer.status_code == 200, answer.get_json()
    assert client.get(base, headers=account.basic).get_json()["background_color"] == "#facada"
