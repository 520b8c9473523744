"""The dashboard's guards and its stale-device flag, in Chromium: lock-out after wrong
passwords, a form whose CSRF token was tampered with, and a pass whose device was pushed
but never fetched, flagged on the overview and on its page."""

from __future__ import annotations

import datetime as dt

from tests.browser.conftest import BrowserPage, LiveServer
from tests.browser.test_dashboard_in_browser import _seed, _sign_in, _signed_in_as
from tests.dashboard.conftest import add_user
from tests.dashboard.test_passes import _changed, _push, _register
from tests.factories import make_pass
from walletservice.db import transaction
from walletservice.models import Campaign
from walletservice.models.base import utcnow


def test_wrong_passwords_lock_the_address_even_against_the_right_one(
        live_server: LiveServer, browser_page: BrowserPage, screenshot) -> None:  # type: ignore[no-untyped-def]
    live_server.app.config["WALLET_DASHBOARD_SIGN_IN_MAX_FAILURES"] = 3
    organization_id, _campaign = _seed()
    email = add_user(organization_id, "owner@toy.test", "owner")
    for _ in range(3):
        page = _sign_in(browser_page, email, "not the right password")
    page = _sign_in(browser_page, email)  # the right one, too late
    assert "Too many wrong passwords" in page.inner_text('[data-testid="sign-in-error"]')
    screenshot(page, "locked")
    page.goto(live_server.url + "/dashboard")
    assert page.url.startswith(live_server.url + "/dashboard/login")


def test_a_form_with_a_tampered_csrf_token_is_refused_and_changes_nothing(
        live_server: LiveServer, browser_page: BrowserPage) -> None:
    page, campaign = _signed_in_as(browser_page, "editor")
    page.goto(live_server.url + "/dashboard/campaigns")
    # Both places the token travels: the form's field and the header htmx copies from <body>.
    page.evaluate("""() => {
        document.body.setAttribute("hx-headers", JSON.stringify({"X-CSRF-Token": "forged"}));
        document.querySelectorAll("input[name=csrf_token]").forEach((input) => { input.value = "forged"; });
    }""")
    with page.expect_response(lambda answer: answer.request.method == "POST") as answered:
        page.click('button[data-action="pause"]')
    assert answered.value.status == 403
    with transaction(write=False) as session:
        assert session.get(Campaign, campaign.id).state == "published"


def test_a_pushed_device_that_never_fetched_is_flagged_on_the_overview_and_the_pass(
        live_server: LiveServer, browser_page: BrowserPage, screenshot) -> None:  # type: ignore[no-untyped-def]
    page, campaign = _signed_in_as(browser_page, "viewer")
    stale, fresh = make_pass(campaign), make_pass(campaign)
    now = utcnow()
    for pass_, fetched in ((stale, False), (fresh, True)):
        token = _register(pass_, "phone", now - dt.timedelta(hours=3))
        _changed(pass_, (now - dt.timedelta(hours=2)).replace(microsecond=0))
        _push(pass_, token, now - dt.timedelta(minutes=90))  # over the default 60 minutes
        if fetched:
            with transaction() as session:
                session.get(type(pass_), pass_.id).last_fetched_at = now - dt.timedelta(minutes=80)
    page.reload()
    assert page.locator('[data-testid="stale-count"]').get_attribute("data-value") == "1"
    listed = page.locator('[data-testid="stale-pass"] a')
    assert listed.count() == 1
    listed.first.click()
    page.wait_for_url(f"{live_server.url}/dashboard/passes/{stale.id}")
    assert page.locator('[data-testid="stale-flag"]').is_visible()
    screenshot(page, "stale-pass")
    page.goto(f"{live_server.url}/dashboard/passes/{fresh.id}")
    assert page.locator('[data-testid="stale-flag"]').count() == 0
    assert browser_page.blocked == []
