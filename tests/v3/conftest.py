"""Fixtures for the Passcreator v3 API: an account, a template with properties, requests."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import Account, new_account
from tests.conftest import TEST_PASS_TYPE, TEST_TEAM
from walletservice.db import transaction
from tests.factories import png_bytes
from walletservice.models import Campaign, Organization, Pass
from walletservice.models.base import utcnow
from walletservice.services.assets import create_asset

TEMPLATE_DESIGN: dict[str, Any] = {
    "style": "eventTicket",
    "organizationName": "Toy Town Arena",
    "description": "Concert ticket",
    "backgroundColor": "rgb(10, 20, 30)",
    "primaryFields": [{"key": "event", "label": "EVENT", "value": "Summer Gala"}],
    "secondaryFields": [
        {"key": "firstname", "label": "First name", "value": None},
        {"key": "country", "label": "Country", "value": None},
    ],
    "auxiliaryFields": [{"key": "age", "label": "Age", "value": None}],
    "barcode": {"format": "qrcode"},
}
TEMPLATE_SETTINGS = {"behaviours": {"event": "fixed", "firstname": "dynamic", "country": "dynamic", "age": "dynamic"},
                     "validValidationPlaces": ["North gate", "South gate"]}


def make_template(organization_id: str, name: str = "Gala", design: dict[str, Any] | None = None,
                  with_background: bool = False) -> str:
    """with_background: the event ticket's background, which lets its passes ask for the poster
    (Apple's Pass Builder signs no poster event ticket without artwork or a background)."""
    design = dict(design or TEMPLATE_DESIGN)
    with transaction() as session:
        organization = session.get(Organization, organization_id)
        images = {"icon": create_asset(session, organization, "icon", png_bytes()).id}
        if with_background:
            images["background"] = create_asset(session, organization, "background", png_bytes((360, 440))).id
        campaign = Campaign(
            organization_id=organization_id, name=name, style=design["style"],
            pass_type_identifier=TEST_PASS_TYPE, team_identifier=TEST_TEAM,
            design={**design, "images": images}, settings=TEMPLATE_SETTINGS,
        )
        session.add(campaign)
        session.flush()
        return campaign.id


def raw_pass(organization_id: str, campaign_id: str, *, created_at: dt.datetime | None = None,
             **columns: Any) -> Pass:
    """A pass row written directly (fast): for query and pagination tests."""
    return Pass(
        organization_id=organization_id, campaign_id=campaign_id, pass_type_identifier=TEST_PASS_TYPE,
        team_identifier=TEST_TEAM, serial_number=secrets.token_hex(8), authentication_token="t" * 32,
        download_id=secrets.token_urlsafe(24), update_tag=1, modified_at=utcnow().replace(microsecond=0),
        created_at=created_at or utcnow(), **{"values": {"fields": {}}, "content": {}, **columns},
    )


@pytest.fixture
def account(app: Flask) -> Account:
    return new_account("Toy Town")


@pytest.fixture
def other_account(app: Flask) -> Account:
    return new_account("Skyport Airways")


@pytest.fixture
def template_id(account: Account) -> str:
    return make_template(account.id)


class V3Client:
    """Requests with `Authorization: <api key>`, as Passcreator's clients send them."""

    def __init__(self, client: FlaskClient, api_key: str) -> None:
        self.client, self.api_key = client, api_key

    def __getattr__(self, method: str) -> Any:
        def call(path: str, **kwargs: Any) -> Any:
            headers = {"Authorization": self.api_key, **kwargs.pop("headers", {})}
            return getattr(self.client, method)("/api/v3" + path, headers=headers, **kwargs)
        return call


@pytest.fixture
def v3(client: FlaskClient, account: Account) -> V3Client:
    return V3Client(client, account.api_key)


@pytest.fixture
def run_jobs(app: Flask) -> Iterator[Any]:
    from walletservice.workers.job_runner import JobWorker

    def run() -> None:
        JobWorker(app).run_until_idle()
    yield run
