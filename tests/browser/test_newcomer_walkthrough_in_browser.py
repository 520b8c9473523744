"""Issue 16's "done when", as a newcomer does it: `wallet demo --json`, sign in with what it
printed, and find the demo campaign's pass preview and chart and its pass's delivery
timeline. The pass is downloaded and installed on a device first, through the real routes,
so the timeline holds what a newcomer who tried the demo on an iPhone would see."""

from __future__ import annotations

import json

import httpx

from tests.browser.conftest import BrowserPage, LiveServer


def _run_demo(live_server: LiveServer) -> dict[str, str]:
    result = live_server.app.test_cli_runner().invoke(args=["wallet", "demo", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _download_and_install(demo: dict[str, str]) -> None:
    """What Wallet does after a tap on the download link: fetch the pass, then register."""
    assert httpx.get(demo["pkpass_url"]).status_code == 200
    registration = (f"{demo['web_service_url']}/v1/devices/newcomer-iphone/registrations/"
                    f"{demo['pass_type_identifier']}/{demo['serial_number']}")
    answer = httpx.post(registration, json={"pushToken": "ab" * 32},
                        headers={"Authorization": f"ApplePass {demo['authentication_token']}"})
    assert answer.status_code == 201, answer.text


def test_a_newcomer_signs_in_with_the_demo_and_sees_its_campaign_and_timeline(
        live_server: LiveServer, browser_page: BrowserPage, screenshot) -> None:  # type: ignore[no-untyped-def]
    demo = _run_demo(live_server)
    _download_and_install(demo)
    page = browser_page.page
    page.goto(demo["dashboard_url"])
    page.fill("input[name=email]", demo["dashboard_email"])
    page.fill("input[name=password]", demo["dashboard_password"])
    page.click("button[type=submit]")
    page.wait_for_url(demo["dashboard_url"])
    assert page.inner_text('[data-testid="figure-installs"] .value') == "1"

    page.locator("nav").get_by_role("link", name="Campaigns", exact=True).click()
    page.locator("table a[href^='/dashboard/campaigns/']").first.click()
    preview = page.locator('[data-testid="pass-preview"]')
    preview.wait_for()
    assert "BALANCE" in preview.inner_text() and "Demo Customer" in preview.inner_text()
    chart = page.locator('[data-testid="chart-campaign-daily"]')
    chart.locator("canvas").first.wait_for()
    assert sum(json.loads(chart.get_attribute("data-series"))["installs"]) == 1
    screenshot(page, "demo-campaign")

    page.goto(f"{live_server.url}/dashboard/passes?q={demo['serial_number']}")
    page.locator('[data-testid="pass-row"] a').first.click()
    entries = page.locator('[data-testid="delivery-timeline"] li')
    entries.first.wait_for()
    kinds = [entries.nth(index).get_attribute("data-kind") for index in range(entries.count())]
    assert "downloaded" in kinds and "installed" in kinds, kinds
    screenshot(page, "demo-pass")
    assert browser_page.blocked == []
