"""The dashboard and /docs in a real browser (Chromium through Playwright), offline."""

from __future__ import annotations

import datetime as dt
import json

from tests.api.conftest import new_account
from tests.browser.conftest import BrowserPage, LiveServer
from tests.dashboard.conftest import PASSWORD, add_user
from tests.factories import make_campaign, make_pass
from walletservice.db import transaction
from walletservice.models import Campaign, Organization, PassEvent
from walletservice.models.base import utcnow


def _seed() -> tuple[str, Campaign]:
    account = new_account("Toy Town")
    with transaction() as session:
        organization = session.get(Organization, account.id)
    campaign = make_campaign(organization)
    with transaction() as session:
        for kind, days_ago, count in (("installed", 1, 3), ("installed", 3, 2), ("uninstalled", 1, 1),
                                      ("updated", 2, 4), ("pushed", 2, 6)):
            session.add(PassEvent(organization_id=account.id, campaign_id=campaign.id, kind=kind, count=count,
                                  device_os="ios", occurred_at=utcnow() - dt.timedelta(days=days_ago)))
    return account.id, campaign


def _sign_in(browser_page: BrowserPage, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    page = browser_page.page
    page.goto(browser_page.base_url + "/dashboard")
    assert page.url.startswith(browser_page.base_url + "/dashboard/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    return page


def _signed_in_as(browser_page: BrowserPage, role: str):  # type: ignore[no-untyped-def]
    """The seeded organization's user with this role, signed in through the form; (page, campaign)."""
    organization_id, campaign = _seed()
    page = _sign_in(browser_page, add_user(organization_id, f"{role}@toy.test", role))
    page.wait_for_url(browser_page.base_url + "/dashboard")
    return page, campaign


def test_sign_in_shows_the_cards_and_a_drawn_chart_of_the_seeded_events(
        live_server: LiveServer, browser_page: BrowserPage, screenshot) -> None:  # type: ignore[no-untyped-def]
    page, _campaign = _signed_in_as(browser_page, "owner")
    assert page.inner_text('[data-testid="figure-installs"] .value') == "5"
    assert page.inner_text('[data-testid="figure-pushes_sent"] .value') == "6"
    chart = page.locator('[data-testid="chart-daily"]')
    chart.locator("canvas").first.wait_for()
    assert chart.get_attribute("data-drawn") == "true"
    series = json.loads(chart.get_attribute("data-series"))
    assert (sum(series["installs"]), sum(series["uninstalls"]), sum(series["updates"]), sum(series["pushes"])) == (
        5, 1, 4, 6)
    assert series["installs"][-2] == 3 and len(series["days"]) == 30
    screenshot(page, "overview")
    assert browser_page.blocked == []


def test_a_wrong_password_shows_an_error_and_stays_signed_out(
        live_server: LiveServer, browser_page: BrowserPage) -> None:
    organization_id, _campaign = _seed()
    add_user(organization_id, "owner@toy.test", "owner")
    page = _sign_in(browser_page, "owner@toy.test", "not the right password")
    assert "Wrong e-mail address or password." in page.inner_text('[data-testid="sign-in-error"]')
    page.goto(live_server.url + "/dashboard")
    assert page.url.startswith(live_server.url + "/dashboard/login")


def test_an_editor_pauses_with_htmx_and_the_audit_log_shows_it(
        live_server: LiveServer, browser_page: BrowserPage, screenshot) -> None:  # type: ignore[no-untyped-def]
    page, campaign = _signed_in_as(browser_page, "editor")
    page.goto(live_server.url + "/dashboard/campaigns")
    page.click('button[data-action="pause"]')
    page.wait_for_selector('[data-testid="campaign-state"]:text-is("paused")')
    assert page.url == live_server.url + "/dashboard/campaigns"  # swapped in place, no reload
    screenshot(page, "campaigns")
    page.goto(live_server.url + "/dashboard/audit")
    assert "campaign.pause" in page.inner_text('[data-testid="audit-log"]')
    with transaction(write=False) as session:
        assert session.get(Campaign, campaign.id).state == "paused"


def test_a_viewer_sees_no_buttons_and_a_forged_post_from_the_page_gets_403(
        live_server: LiveServer, browser_page: BrowserPage) -> None:
    page, campaign = _signed_in_as(browser_page, "viewer")
    page.goto(live_server.url + "/dashboard/campaigns")
    assert page.locator('[data-testid="campaign-row"]').count() == 1
    assert page.locator("button[data-action]").count() == 0
    status = page.evaluate("""async (path) => {
        const headers = JSON.parse(document.body.getAttribute("hx-headers"));
        const answer = await fetch(path, {method: "POST", headers});
        return answer.status;
    }""", f"/dashboard/campaigns/{campaign.id}/pause")
    assert status == 403
    with transaction(write=False) as session:
        assert session.get(Campaign, campaign.id).state == "published"


def test_docs_render_the_api_description_with_no_internet(
        live_server: LiveServer, browser_page: BrowserPage, screenshot) -> None:  # type: ignore[no-untyped-def]
    page = browser_page.page
    # Apple's web service document: the smallest (8 KB), so Redoc renders it in a second;
    # the page and the script are the same for every document.
    page.goto(live_server.url + "/docs?api=wallet")
    page.get_by_text("walletservice: Apple Wallet web service").first.wait_for(timeout=15000)
    assert page.get_by_text("/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}").count() >= 1
    screenshot(page, "docs", full_page=False)  # the whole document is too tall to capture quickly
    assert browser_page.blocked == []


def test_overview_and_campaigns_fit_a_phone_screen(
        live_server: LiveServer, browser_page: BrowserPage, screenshot) -> None:  # type: ignore[no-untyped-def]
    page, _campaign = _signed_in_as(browser_page, "owner")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/dashboard", "/dashboard/campaigns", "/dashboard/audit", "/dashboard/passes",
                 "/dashboard/schedules", "/dashboard/certificates"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow} px wider than the phone"
        screenshot(page, "phone" + path.replace("/", "-"))


def test_search_opens_a_pass_whose_timeline_shows_its_entries(
        live_server: LiveServer, browser_page: BrowserPage, screenshot) -> None:  # type: ignore[no-untyped-def]
    page, campaign = _signed_in_as(browser_page, "viewer")
    pass_, other = make_pass(campaign), make_pass(campaign)
    with transaction() as session:
        session.add(PassEvent(organization_id=campaign.organization_id, campaign_id=campaign.id, pass_id=pass_.id,
                              kind="downloaded", device_os="ios", occurred_at=utcnow() + dt.timedelta(minutes=1)))
    page.locator("nav").get_by_role("link", name="Passes", exact=True).click()
    page.wait_for_url(f"{live_server.url}/dashboard/passes")
    page.fill('[data-testid="pass-search"]', pass_.id)
    page.click("form.search button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/passes?q={pass_.id}")
    rows = page.locator('[data-testid="pass-row"]')
    assert rows.count() == 1 and other.id not in page.content()
    screenshot(page, "passes")
    rows.first.locator("a").click()
    page.wait_for_url(f"{live_server.url}/dashboard/passes/{pass_.id}")
    entries = page.locator('[data-testid="delivery-timeline"] li')
    kinds = [entries.nth(index).get_attribute("data-kind") for index in range(entries.count())]
    assert kinds[-1] == "downloaded" and "created" in kinds and "revision" in kinds, kinds
    assert "downloaded from its link (ios)" in entries.last.inner_text()
    screenshot(page, "pass")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(page, "phone-pass")
    assert browser_page.blocked == []
