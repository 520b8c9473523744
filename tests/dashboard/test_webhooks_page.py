"""The webhooks page: the organization's webhook URL and its delivery log, and the retry
of a failed delivery (owners and editors; audited; only failed ones; only one's own)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from sqlalchemy import select

from tests.api.conftest import new_account
from tests.dashboard.conftest import Team, add_user, csrf_from, signed_in_client
from walletservice.db import transaction
from walletservice.models import DashboardAuditEntry, Organization, WebhookDelivery
from walletservice.models.base import utcnow
from walletservice.queue.webhooks import claim_webhooks

HOOK = "https://hooks.example.test/wallet"
LONG_AGO = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _delivery(organization_id: str, state: str = "failed", event: str = "pass.installed") -> int:
    with transaction() as session:
        delivery = WebhookDelivery(organization_id=organization_id, url=HOOK, payload={"event": event},
                                   state=state, attempts=5, last_status=500, next_attempt_at=LONG_AGO,
                                   finished_at=LONG_AGO if state != "pending" else None)
        session.add(delivery)
        session.flush()
        return delivery.id


def _reread(delivery_id: int) -> WebhookDelivery:
    with transaction(write=False) as session:
        return session.get(WebhookDelivery, delivery_id)


def _audit() -> list[DashboardAuditEntry]:
    with transaction(write=False) as session:
        return list(session.scalars(select(DashboardAuditEntry)))


def test_the_page_shows_the_url_and_the_organizations_deliveries_only(app: Flask, team: Team) -> None:
    with transaction() as session:
        session.get(Organization, team.account.id).webhook_url = HOOK
    _delivery(team.account.id, event="pass.installed")
    stranger = new_account("Skyport Airways")
    _delivery(stranger.id, event="pass.uninstalled")
    page = signed_in_client(app, team.viewer).get("/dashboard/webhooks").get_data(as_text=True)
    assert f'data-testid="webhook-url">{HOOK}<' in page
    assert page.count('data-testid="delivery-row"') == 1
    assert "pass.installed" in page and "pass.uninstalled" not in page and ">500<" in page
    assert 'data-action="retry"' not in page  # a viewer sees no button


def test_an_editor_retries_a_failed_delivery_which_is_due_again_and_audited(app: Flask, team: Team) -> None:
    delivery_id = _delivery(team.account.id)
    client = signed_in_client(app, team.editor)
    page = client.get("/dashboard/webhooks").get_data(as_text=True)
    assert 'data-action="retry"' in page
    token = csrf_from(client, "/dashboard/webhooks")
    before = utcnow()
    response = client.post(f"/dashboard/webhooks/deliveries/{delivery_id}/retry",
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 200
    assert re.search(r'data-testid="delivery-state"[^>]*>pending<', response.get_data(as_text=True))
    delivery = _reread(delivery_id)
    assert (delivery.state, delivery.attempts, delivery.finished_at) == ("pending", 0, None)
    assert before - dt.timedelta(seconds=1) <= delivery.next_attempt_at <= utcnow()
    with transaction() as session:  # the webhook worker's own claim picks it up now
        claimed = claim_webhooks(session, "test-worker", 10, 30.0)
    assert [row.id for row in claimed] == [delivery_id]
    [entry] = _audit()
    assert (entry.action, entry.target_id, entry.user_email, entry.before, entry.after) == (
        "webhook_delivery.retry", str(delivery_id), team.editor, {"state": "failed"}, {"state": "pending"})


@pytest.mark.parametrize("state", ["pending", "sent"])
def test_only_a_failed_delivery_can_be_retried(app: Flask, team: Team, state: str) -> None:
    delivery_id = _delivery(team.account.id, state=state)
    client = signed_in_client(app, team.owner)
    token = csrf_from(client, "/dashboard")
    response = client.post(f"/dashboard/webhooks/deliveries/{delivery_id}/retry", data={"csrf_token": token})
    assert response.status_code == 409 and _reread(delivery_id).state == state and _audit() == []


def test_a_viewer_is_refused_by_the_server(app: Flask, team: Team) -> None:
    delivery_id = _delivery(team.account.id)
    client = signed_in_client(app, team.viewer)
    token = csrf_from(client, "/dashboard")
    response = client.post(f"/dashboard/webhooks/deliveries/{delivery_id}/retry", headers={"X-CSRF-Token": token})
    assert response.status_code == 403 and _reread(delivery_id).state == "failed" and _audit() == []


def test_another_organizations_delivery_is_not_found(app: Flask, team: Team) -> None:
    delivery_id = _delivery(team.account.id)
    stranger = new_account("Skyport Airways")
    client = signed_in_client(app, add_user(stranger.id, "owner@skyport.test", "owner"))
    token = csrf_from(client, "/dashboard")
    response = client.post(f"/dashboard/webhooks/deliveries/{delivery_id}/retry", data={"csrf_token": token})
    assert response.status_code == 404 and _reread(delivery_id).state == "failed" and _audit() == []
    assert client.post("/dashboard/webhooks/deliveries/999999/retry", data={"csrf_token": token}).status_code == 404


def test_a_forged_retry_without_the_csrf_token_is_refused(app: Flask, team: Team) -> None:
    delivery_id = _delivery(team.account.id)
    client = signed_in_client(app, team.owner)
    assert client.post(f"/dashboard/webhooks/deliveries/{delivery_id}/retry").status_code == 403
    assert _reread(delivery_id).state == "failed" and _audit() == []
