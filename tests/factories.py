"""Test data built through the real services, committed like production does."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from walletservice.db import transaction
from walletservice.models import Campaign, Organization, Pass
from walletservice.runtime import runtime
from walletservice.services.assets import create_asset
from walletservice.services.campaigns import create_campaign
from walletservice.services.organizations import create_organization
from walletservice.services.passes import issue_pass


def png_bytes(size: tuple[int, int] = (120, 120), color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def make_organization(name: str = "Skyport Airways") -> tuple[Organization, str]:
    with transaction() as session:
        issued = create_organization(session, name)
        return issued.organization, issued.api_key


BOARDING_DESIGN: dict[str, Any] = {
    "style": "boardingPass",
    "transitType": "PKTransitTypeAir",
    "organizationName": "Skyport Airways",
    "description": "Skyport boarding pass",
    "backgroundColor": "#1e3c72",
    "foregroundColor": "#ffffff",
    "headerFields": [{"key": "gate", "label": "GATE", "value": "A1", "changeMessage": "Gate changed to %@"}],
    "primaryFields": [
        {"key": "origin", "label": "LISBON", "value": "LIS"},
        {"key": "destination", "label": "LONDON", "value": "LHR"},
    ],
    "secondaryFields": [{"key": "passenger", "label": "PASSENGER", "value": None}],
    "barcode": {"format": "pdf417", "message": "SKY123"},
}


def make_campaign(organization: Organization, design: dict[str, Any] | None = None) -> Campaign:
    with transaction() as session:
        organization = session.merge(organization)
        icon = create_asset(session, organization, "icon", png_bytes())
        signer = runtime().certificates.dev_signer()
        return create_campaign(
            session, organization, name="Flights",
            design={**(design or BOARDING_DESIGN), "images": {"icon": icon.id}}, signer=signer,
        )


def make_pass(campaign: Campaign, values: dict[str, Any] | None = None, serial_number: str | None = None) -> Pass:
    with transaction() as session:
        campaign = session.merge(campaign)
        return issue_pass(
            session, campaign, values or {"fields": {"passenger": "Ada Lovelace"}}, serial_number=serial_number
        )


def run_at_once(app: Flask, count: int, call: Callable[[FlaskClient], Any]) -> list[Any]:
    """Run `call(test_client)` in `count` threads released together; their results."""
    barrier = threading.Barrier(count)
    results: list[Any] = []

    def run() -> None:
        thread_client = app.test_client()
        barrier.wait()
        results.append(call(thread_client))
    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
