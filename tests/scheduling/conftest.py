"""An organization with a boarding-pass campaign and a pass, and helpers to schedule
changes through the API and to fire them with a chosen clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import make_campaign, make_organization, make_pass
from walletservice.db import transaction
from walletservice.models import Campaign, Pass, Schedule
from walletservice.runtime import runtime
from walletservice.scheduling.runs import RunResult, RunSettings, fire_due_schedules

UTC = dt.timezone.utc
GRACE_SECONDS = 300


@dataclass
class Flights:
    organization_id: str
    bearer: dict[str, str]
    campaign: Campaign
    pass_: Pass

    @property
    def campaign_url(self) -> str:
        return f"/v2/boarding_passes/{self.campaign.id}"

    @property
    def pass_url(self) -> str:
        return f"{self.campaign_url}/passes/{self.pass_.id}"


@pytest.fixture
def flights(app: Flask) -> Flights:
    organization, api_key = make_organization()
    campaign = make_campaign(organization)
    pass_ = make_pass(campaign, serial_number="SKY-0001")
    return Flights(organization.id, {"Authorization": f"Bearer {api_key}"}, campaign, pass_)


def later(seconds: float = 3600) -> str:
    return (dt.datetime.now(UTC) + dt.timedelta(seconds=seconds)).isoformat()


def schedule_pass_change(client: FlaskClient, flights: Flights, **schedule: Any) -> dict[str, Any]:
    response = client.post(f"{flights.pass_url}/schedules", json={"schedule": schedule}, headers=flights.bearer)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def fire(app: Flask, at: dt.datetime, grace_seconds: float = GRACE_SECONDS,
         awake_since: dt.datetime | None = None) -> list[RunResult]:
    """Fire whatever is due at `at`, as the poll of a scheduler leading since `awake_since` would."""
    settings = RunSettings(runtime().certificates, grace_seconds, app.config["WALLET_RELEVANT_DATE_LEAD_SECONDS"],
                           awake_since)
    return fire_due_schedules(settings, clock=lambda: at)


def load_schedule(schedule_id: str) -> Schedule:
    with transaction(write=False) as session:
        schedule = session.get(Schedule, schedule_id)
        session.expunge(schedule)
        return schedule


def load_pass(pass_id: str) -> Pass:
    with transaction(write=False) as session:
        pass_ = session.get(Pass, pass_id)
        session.expunge(pass_)
        return pass_
