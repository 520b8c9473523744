"""The API keys, webhooks, schedules and certificates pages in a real browser (Chromium
through Playwright), offline: each page's button does what it says, seen from the page
and from the database (or the API the key opens)."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from tests.api.conftest import p12_bytes
from tests.browser.conftest import BrowserPage, LiveServer
from tests.browser.test_dashboard_in_browser import _signed_in_as
from tests.dashboard.test_schedules_page import add_schedule
from walletservice.db import transaction
from walletservice.models import ApiKey, Schedule, SigningCertificate, WebhookDelivery
from walletservice.passkit import devcerts


def test_an_owner_creates_an_api_key_shown_once_which_works_until_revoked(
        live_server: LiveServer, browser_page: BrowserPage, screenshot) -> None:  # type: ignore[no-untyped-def]
    page, campaign = _signed_in_as(browser_page, "owner")
    page.locator("nav").get_by_role("link", name="API keys", exact=True).click()
    page.wait_for_url(f"{live_server.url}/dashboard/api-keys")
    keys_before = page.locator('[data-testid="api-key-row"]').count()
    page.click('button[data-action="create-key"]')
    secret = page.locator('[data-testid="new-api-key-secret"]').inner_text()
    assert len(secret) >= 32
    assert page.locator('[data-testid="api-key-row"]').count() == keys_before + 1
    screenshot(page, "api-key-created")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(f"{live_server.url}/v2/webhook", headers=bearer).status_code == 200  # the key opens the API

    page.goto(f"{live_server.url}/dashboard/api-keys")  # shown once: not on the page any more
    assert page.locator('[data-testid="new-api-key"]').count() == 0 and secret not in page.content()
    with transaction(write=False) as session:
        newest = session.scalars(select_newest_key(campaign.organization_id)).first()
    row = page.locator(f'[data-testid="api-key-row"][data-key-id="{newest}"]')
    row.locator('button[data-action="revoke"]').click()
    page.wait_for_url(f"{live_server.url}/dashboard/api-keys")
    row = page.locator(f'[data-testid="api-key-row"][data-key-id="{newest}"]')
    assert row.locator('[data-testid="api-key-state"]').inner_text().startswith("revoked")
    assert row.locator('button[data-action="revoke"]').count() == 0
    screenshot(page, "api-key-revoked")
    assert httpx.get(f"{live_server.url}/v2/webhook", headers=bearer).status_code == 401
    assert browser_page.blocked == []


def select_newest_key(organization_id: str):  # type: ignore[no-untyped-def]
    return select(ApiKey.id).where(ApiKey.organization_id == organization_id).order_by(ApiKey.created_at.desc())


def test_an_editor_retries_a_failed_webhook_delivery_in_place(
        live_server: LiveServer, browser_page: BrowserPage, screenshot) -> None:  # type: ignore[no-untyped-def]
    page, campaign = _signed_in_as(browser_page, "editor")
    with transaction() as session:
        delivery = WebhookDelivery(organization_id=campaign.organization_id, url="https://hooks.example.test/in",
                                   payload={"event": "pass.installed"}, state="failed", attempts=5, last_status=500)
        session.add(delivery)
        session.flush()
        delivery_id = delivery.id
    page.goto(f"{live_server.url}/dashboard/webhooks")
    row = page.locator(f'[data-testid="delivery-row"][data-delivery-id="{delivery_id}"]')
    assert row.locator('[data-testid="delivery-state"]').inner_text() == "failed"
    screenshot(page, "webhooks-failed")
    row.locator('button[data-action="retry"]').click()
    page.wait_for_selector(f'#delivery-{delivery_id} [data-testid="delivery-state"]:text-is("pending")')
    assert page.url == f"{live_server.url}/dashboard/webhooks"  # swapped in place by htmx
    assert page.locator(f'#delivery-{delivery_id} button[data-action="retry"]').count() == 0
    screenshot(page, "webhooks-retried")
    with transaction(write=False) as session:
        retried = session.get(WebhookDelivery, delivery_id)
        assert (retried.state, retried.attempts) == ("pending", 0)
    assert browser_page.blocked == []


def test_an_editor_cancels_a_pending_schedule(
        live_server: LiveServer, browser_page: BrowserPage, screenshot) -> None:  # type: ignore[no-untyped-def]
    page, campaign = _signed_in_as(browser_page, "editor")
    schedule_id = add_schedule(campaign.organization_id, push_message="Your gate is now B7")
    done_id = add_schedule(campaign.organization_id, state="done", next_run_at=None,
                           last_result={"outcome": "done", "ran_at": "2026-01-01T00:00:01Z"})
    page.locator("nav").get_by_role("link", name="Schedules", exact=True).click()
    page.wait_for_url(f"{live_server.url}/dashboard/schedules")
    pending = page.locator(f'[data-testid="schedule-row"][data-schedule-id="{schedule_id}"]')
    assert "Your gate is now B7" in pending.inner_text()
    assert pending.locator('[data-testid="schedule-due"]').inner_text().startswith("2031-05-01 07:30:00")
    done = page.locator(f'[data-testid="schedule-row"][data-schedule-id="{done_id}"]')
    assert done.locator('button[data-action="cancel-schedule"]').count() == 0
    screenshot(page, "schedules")
    pending.locator('button[data-action="cancel-schedule"]').click()
    page.wait_for_url(f"{live_server.url}/dashboard/schedules")
    pending = page.locator(f'[data-testid="schedule-row"][data-schedule-id="{schedule_id}"]')
    assert pending.locator('[data-testid="schedule-state"]').inner_text() == "cancelled"
    screenshot(page, "schedules-cancelled")
    with transaction(write=False) as session:
        assert session.get(Schedule, schedule_id).state == "cancelled"
    assert browser_page.blocked == []


def test_an_owner_uploads_a_p12_and_a_wrong_password_is_explained_on_the_page(
        live_server: LiveServer, browser_page: BrowserPage, screenshot,  # type: ignore[no-untyped-def]
        wwdr: devcerts.KeyPair, pass_certificate: devcerts.KeyPair) -> None:
    page, campaign = _signed_in_as(browser_page, "owner")
    page.locator("nav").get_by_role("link", name="Certificates", exact=True).click()
    page.wait_for_url(f"{live_server.url}/dashboard/certificates")
    p12 = p12_bytes(pass_certificate, [wwdr.certificate])
    upload = {"name": "pass.p12", "mimeType": "application/x-pkcs12", "buffer": p12}

    page.set_input_files('input[name="p12"]', upload)
    page.fill('input[name="password"]', "not the password")
    page.click('button[data-action="upload-certificate"]')
    error = page.locator('[data-testid="certificate-error"]')
    assert "wrong password" in error.inner_text()
    screenshot(page, "certificate-refused")

    page.set_input_files('input[name="p12"]', upload)
    page.fill('input[name="password"]', "s3cret")
    page.click('button[data-action="upload-certificate"]')
    assert page.locator('[data-testid="certificate-notice"]').inner_text() == "Certificate stored."
    row = page.locator('[data-testid="certificate-row"]')
    assert row.count() == 1 and "pass.com.example.toytown" in row.inner_text()
    assert "days left" in row.locator('[data-testid="certificate-expiry"]').inner_text()
    screenshot(page, "certificates")
    with transaction(write=False) as session:
        stored = session.get(SigningCertificate, row.get_attribute("data-certificate-id"))
        assert stored.organization_id == campaign.organization_id
    assert browser_page.blocked == []
