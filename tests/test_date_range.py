"""One accepted date range for every date a client sends (passkit/dates.py check_date_in_range).

Year 1 and year 9999 used to reach date arithmetic (a month back, a UTC offset) and
fail there with a 500, or be stored as given. Each API answers with its own error for
an invalid date: v2 422 (reports.md, filters), v3 400, pass designs 422.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.conftest import error_text, new_account
from tests.factories import make_campaign, make_pass
from tests.v3.conftest import V3Client, make_template
from walletservice.db import transaction
from walletservice.models import Organization
from walletservice.passkit.dates import EARLIEST_DATE, LATEST_DATE, check_date_in_range

OUT_OF_RANGE_DAYS = ["0001-01-01", "1899-12-31", "9999-12-31"]


def test_the_range_includes_its_ends_and_refuses_beyond_them():
    assert check_date_in_range(EARLIEST_DATE, "x") == EARLIEST_DATE
    assert check_date_in_range(LATEST_DATE, "x") == LATEST_DATE
    for day in (dt.date(1, 1, 1), EARLIEST_DATE - dt.timedelta(days=1), LATEST_DATE + dt.timedelta(days=1)):
        with pytest.raises(ValueError, match="start: the date is out of range"):
            check_date_in_range(day, "start")
    with pytest.raises(KeyError, match="the time is out of range"):
        check_date_in_range(dt.datetime(9999, 6, 1, tzinfo=dt.timezone.utc), "at", KeyError)


@pytest.fixture
def account(app):  # type: ignore[no-untyped-def]
    return new_account("Toy Town")


@pytest.fixture
def campaign(account):  # type: ignore[no-untyped-def]
    with transaction() as session:
        organization = session.get(Organization, account.id)
    return make_campaign(organization)


@pytest.mark.parametrize("day", OUT_OF_RANGE_DAYS)
@pytest.mark.parametrize("parameter", ["start_date", "end_date"])
def test_v2_reports_refuse_days_out_of_range_with_422(client, account, campaign, parameter, day):
    response = client.get(f"/v2/boarding_passes/{campaign.id}/reports?{parameter}={day}", headers=account.basic)

    assert response.status_code == 422
    assert "out of range" in error_text(response)


@pytest.mark.parametrize("day", ["0001-01-01", "0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z"])
def test_v2_filters_refuse_times_out_of_range_with_422(client, account, day):
    response = client.get(f"/v2/organizations?q[created_at_gt]={day}", headers=account.basic)

    assert response.status_code == 422
    assert "out of range" in error_text(response)


def test_v2_schedules_refuse_a_run_at_out_of_range(client, account, campaign):
    pass_ = make_pass(campaign, serial_number="S-1")
    response = client.post(f"/v2/boarding_passes/{campaign.id}/passes/{pass_.id}/schedules",
                           json={"schedule": {"run_at": "9999-06-01T00:00:00Z"}}, headers=account.basic)

    assert response.status_code == 422
    assert "run_at: the time is out of range" in error_text(response)


@pytest.mark.parametrize("field", ["expiration_date", "relevant_date"])
def test_v2_pass_dates_out_of_range_are_422_and_issue_nothing(client, account, campaign, field):
    response = client.post(f"/v2/boarding_passes/{campaign.id}/passes", json={"pass": {field: "0001-01-01T00:00:00Z"}},
                           headers=account.basic)

    assert response.status_code == 422
    assert "out of range" in error_text(response)
    assert client.get(f"/v2/boarding_passes/{campaign.id}/passes", headers=account.basic).get_json() == []


@pytest.mark.parametrize("day", ["0001-01-01", "0001-01-01 00:00", "9999-12-31 00:00"])
def test_v3_filters_and_pass_dates_out_of_range_are_400(client, account, day):
    v3 = V3Client(client, account.api_key)
    template_id = make_template(account.id)
    query = {"groups": [[{"field": "createdOn", "operator": "greaterThan", "value": [day]}]]}
    listed = v3.get("/pass", json={"filter": {"query": query}})
    created = v3.post("/pass?async=false", json={"data": {"templateId": template_id, "expirationDate": day}})

    assert listed.status_code == 400 and "out of range" in listed.get_data(as_text=True)
    if " " in day:  # a pass date needs the time
        assert created.status_code == 400 and "out of range" in created.get_data(as_text=True)
    assert v3.get("/pass").get_json()["data"] == []
