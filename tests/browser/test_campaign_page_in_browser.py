"""The campaign page in a real browser (Chromium through Playwright), offline: the preview
follows the editor as it is typed in, a save persists, the chart holds the seeded events,
a push to all passes progresses to done against the APNs simulator, and the page fits a phone."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.api.conftest import new_account
from tests.browser.conftest import BrowserPage, LiveServer
from tests.dashboard.conftest import PASSWORD, add_user
from tests.delivery.conftest import drain, register, simulator, simulator_files, token_for  # noqa: F401
from tests.factories import make_campaign, make_pass, png_bytes
from walletservice.apns_sim import ApnsSimulator
from walletservice.db import transaction
from walletservice.models import Campaign, DashboardAuditEntry, Organization, PassEvent
from walletservice.models.base import utcnow
from walletservice.services.assets import create_asset
from walletservice.workers.job_runner import JobWorker
from walletservice.workers.push_sender import PushWorker

PREVIEW = '[data-testid="pass-preview"]'


def _campaign_with_events() -> Campaign:
    account = new_account("Toy Town")
    with transaction() as session:
        organization = session.get(Organization, account.id)
    campaign = make_campaign(organization)
    with transaction() as session:
        for kind, days_ago, count in (("installed", 1, 3), ("installed", 3, 2), ("uninstalled", 1, 1),
                                      ("updated", 2, 4), ("pushed", 2, 6)):
            session.add(PassEvent(organization_id=account.id, campaign_id=campaign.id, kind=kind, count=count,
                                  device_os="ios", occurred_at=utcnow() - dt.timedelta(days=days_ago)))
    return campaign


def _open_campaign_page(browser_page: BrowserPage, campaign: Campaign, role: str):  # type: ignore[no-untyped-def]
    """Sign in through the form as a user of the campaign's organization, then open its page from the list."""
    email = add_user(campaign.organization_id, f"{role}@toy.test", role)
    page = browser_page.page
    page.goto(browser_page.base_url + "/dashboard/campaigns")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(browser_page.base_url + "/dashboard/campaigns")
    page.get_by_role("link", name=campaign.name).click()
    page.wait_for_url(f"{browser_page.base_url}/dashboard/campaigns/{campaign.id}")
    return page


def _field_text(page, key: str, part: str) -> str:  # type: ignore[no-untyped-def]
    return page.inner_text(f'{PREVIEW} [data-field-key="{key}"] [data-part="{part}"]')


def test_the_preview_follows_typing_and_a_save_persists(
        live_server: LiveServer, browser_page: BrowserPage, screenshot) -> None:  # type: ignore[no-untyped-def]
    campaign = _campaign_with_events()
    page = _open_campaign_page(browser_page, campaign, "editor")
    assert _field_text(page, "gate", "value") == "A1"
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    gate = page.locator('input[name="field:gate:value"]')
    gate.press("End")
    gate.press_sequentially("9")  # typed key by key: each an input event
    page.fill('input[name="field:gate:label"]', "BOARDING GATE")
    page.fill('input[name="background_color"]', "#804020")
    assert _field_text(page, "gate", "value") == "A19"
    assert _field_text(page, "gate", "label") == "BOARDING GATE"
    assert page.evaluate(f"getComputedStyle(document.querySelector('{PREVIEW} .pass-front')).backgroundColor") == (
        "rgb(128, 64, 32)")
    assert asked == []  # the preview changed in the browser, with no request
    screenshot(page, "campaign-editing")

    page.click('button[data-action="save"]')
    page.wait_for_load_state("load")
    assert page.url == f"{live_server.url}/dashboard/campaigns/{campaign.id}"
    assert _field_text(page, "gate", "value") == "A19"  # the saved design, drawn by the server
    with transaction(write=False) as session:
        design = session.get(Campaign, campaign.id).design
        assert (design["headerFields"][0]["label"], design["headerFields"][0]["value"]) == ("BOARDING GATE", "A19")
        assert design["backgroundColor"] == "#804020"
        assert session.query(DashboardAuditEntry).filter_by(action="campaign.update").count() == 1
    assert browser_page.blocked == []


def test_a_bad_colour_shows_the_reason_and_keeps_the_design(
        live_server: LiveServer, browser_page: BrowserPage) -> None:
    campaign = _campaign_with_events()
    page = _open_campaign_page(browser_page, campaign, "owner")
    page.fill('input[name="background_color"]', "not a colour")
    page.click('button[data-action="save"]')
    page.wait_for_selector('[data-testid="edit-error"]')
    assert "color" in page.inner_text('[data-testid="edit-error"]').lower()
    assert page.input_value('input[name="background_color"]') == "not a colour"  # the form keeps what was typed
    with transaction(write=False) as session:
        assert session.get(Campaign, campaign.id).design["backgroundColor"] == "#1e3c72"


def test_the_chart_and_the_trend_hold_the_seeded_events(
        live_server: LiveServer, browser_page: BrowserPage, screenshot) -> None:  # type: ignore[no-untyped-def]
    campaign = _campaign_with_events()
    page = _open_campaign_page(browser_page, campaign, "viewer")
    chart = page.locator('[data-testid="chart-campaign-daily"]')
    chart.locator("canvas").first.wait_for()
    assert chart.get_attribute("data-drawn") == "true"
    series = json.loads(chart.get_attribute("data-series"))
    assert (sum(series["installs"]), sum(series["uninstalls"]), sum(series["updates"]), sum(series["pushes"])) == (
        5, 1, 4, 6)
    assert series["installs"][-2] == 3 and series["installs"][-4] == 2 and len(series["days"]) == 30
    assert page.locator('[data-testid="campaign-editor"]').count() == 0  # a viewer only looks
    screenshot(page, "campaign")
    page.goto(live_server.url + "/dashboard/campaigns")
    trend = json.loads(page.get_attribute(f'[data-testid="trend-{campaign.id}"]', "data-installs"))
    assert sum(trend) == 5 and trend[-2] == 3
    assert page.inner_text(f'[data-testid="trend-{campaign.id}"] [data-testid="trend-total"]') == "5"
    assert browser_page.blocked == []


def test_push_to_all_passes_progresses_to_done_against_the_apns_simulator(
        live_server: LiveServer, browser_page: BrowserPage, simulator: ApnsSimulator,  # noqa: F811
        simulator_files, screenshot) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    app = live_server.app
    app.config.update(WALLET_APNS_URL=simulator.url, WALLET_APNS_CA_BUNDLE=str(simulator_files.ca_file),
                      WALLET_PUSH_RETRY_BASE_SECONDS=0.0)
    campaign = _campaign_with_events()
    passes = [make_pass(campaign) for _ in range(4)]
    for index, pass_ in enumerate(passes[:3]):  # the fourth is on no device
        register(pass_, f"device-{index}", token_for(index))
    page = _open_campaign_page(browser_page, campaign, "editor")
    page.click('button[data-action="push-all"]')
    progress = page.locator('[data-testid="push-progress"]')
    progress.wait_for()
    assert page.inner_text('[data-testid="push-passes"]') == "0 / 4"
    assert progress.get_attribute("data-state") == "running"

    JobWorker(app).run_until_idle()  # the embedded worker's job step: rewrite the passes
    page.wait_for_selector('[data-testid="push-passes"]:text-is("4 / 4")')
    worker = PushWorker(app)
    try:
        drain(worker)  # then the push: APNs answers for each device
    finally:
        worker.clients.close()
    page.wait_for_selector('[data-testid="push-progress"][data-state="done"]')
    assert page.inner_text('[data-testid="push-sent"]') == "3"
    assert page.inner_text('[data-testid="push-failed"]') == "0"
    assert page.get_attribute('[data-testid="push-progress"] progress', "value") == page.get_attribute(
        '[data-testid="push-progress"] progress', "max")
    assert sorted(record.token for record in simulator.received) == sorted(token_for(index) for index in range(3))
    screenshot(page, "campaign-push-done")
    with transaction(write=False) as session:
        assert session.query(DashboardAuditEntry).filter_by(action="campaign.push").count() == 1
    assert browser_page.blocked == []


def test_the_campaign_page_fits_a_phone_screen(
        live_server: LiveServer, browser_page: BrowserPage, screenshot) -> None:  # type: ignore[no-untyped-def]
    campaign = _campaign_with_events()
    page = _open_campaign_page(browser_page, campaign, "owner")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_load_state("load")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the campaign page is {overflow} px wider than the phone"
    assert page.locator(f"{PREVIEW} .pass-front").bounding_box()["width"] <= 390
    screenshot(page, "phone-campaign")


STYLE_DESIGNS = {
    "coupon": ({"logo", "strip"}, ".pass-primary[data-image=strip]"),
    "storeCard": ({"logo", "strip"}, ".pass-primary[data-image=strip]"),
    "eventTicket": ({"logo", "background", "thumbnail"}, "img.pass-thumbnail"),
    "generic": ({"logo", "thumbnail"}, "img.pass-thumbnail"),
}


@pytest.mark.parametrize("style", list(STYLE_DESIGNS))
def test_each_style_draws_its_images_from_the_asset_route(
        live_server: LiveServer, browser_page: BrowserPage, screenshot, style: str) -> None:  # type: ignore[no-untyped-def]
    roles, image_place = STYLE_DESIGNS[style]
    account = new_account("Toy Town")
    with transaction() as session:
        organization = session.get(Organization, account.id)
        images = {role: create_asset(session, organization, role, png_bytes((600, 300), (20, 120, 60)),
                                     style=style).id for role in roles}
    design = {"style": style, "organizationName": "Toy Town", "description": "Toys", "backgroundColor": "#fafafa",
              "foregroundColor": "#222222", "labelColor": "#aa3300",
              "primaryFields": [{"key": "offer", "label": "OFFER", "value": "20% off"}],
              "secondaryFields": [{"key": "until", "label": "UNTIL", "value": "June"}],
              "backFields": [{"key": "terms", "label": "TERMS", "value": "One per visit"}],
              "barcode": {"format": "qr", "message": "TOY-1"}}
    campaign = make_campaign(organization, design)
    with transaction() as session:
        stored = session.get(Campaign, campaign.id)
        stored.design = {**stored.design, "images": {**stored.design["images"], **images}}
    page = _open_campaign_page(browser_page, campaign, "viewer")
    front = page.locator(f'{PREVIEW} [data-testid="pass-front"]')
    assert front.locator("img.pass-logo").evaluate("image => image.complete && image.naturalWidth > 0")
    place = front.locator(image_place)
    if style in ("coupon", "storeCard"):
        assert "/dashboard/assets/" in place.evaluate("element => getComputedStyle(element).backgroundImage")
    else:
        assert place.evaluate("image => image.complete && image.naturalWidth > 0")
    assert page.inner_text(f'{PREVIEW} [data-field-key="offer"] [data-part="value"]') == "20% off"
    assert page.evaluate(f"getComputedStyle(document.querySelector('{PREVIEW} .pass-label')).color") == (
        "rgb(170, 51, 0)")
    assert "TERMS" in page.inner_text(f'{PREVIEW} [data-testid="pass-back"]')
    symbol = front.locator(".pass-barcode-symbol.barcode-qr").bounding_box()  # the design's "qr", drawn square
    assert symbol["width"] == symbol["height"] >= 100
    screenshot(page, f"preview-{style}")
    assert browser_page.blocked == []
