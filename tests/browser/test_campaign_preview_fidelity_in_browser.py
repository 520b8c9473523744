"""The campaign page's live preview against what Wallet would draw, in a real browser:
labels without a colour of their own follow the text colour as it is typed, and an image
chosen for a place the pass does not fill yet appears in that place, and a push progress
the server stops answering stops being polled."""

from __future__ import annotations

from sqlalchemy import delete

from tests.browser.conftest import BrowserPage, LiveServer
from tests.browser.test_campaign_page_in_browser import PREVIEW, _campaign_with_events, _open_campaign_page
from tests.factories import make_pass, png_bytes
from walletservice.db import transaction
from walletservice.models import BackgroundJob


def test_labels_without_a_colour_follow_the_text_colour_as_it_is_typed(
        live_server: LiveServer, browser_page: BrowserPage) -> None:
    campaign = _campaign_with_events()  # its design sets no labelColor: Wallet draws labels in the text colour
    page = _open_campaign_page(browser_page, campaign, "editor")
    label = f"getComputedStyle(document.querySelector('{PREVIEW} .pass-front .pass-label')).color"
    assert page.evaluate(label) == "rgb(255, 255, 255)"
    page.fill('input[name="text_color"]', "#102030")
    assert page.evaluate(label) == "rgb(16, 32, 48)"
    page.fill('input[name="label_color"]', "#aa0000")  # a label colour of its own wins
    page.fill('input[name="text_color"]', "#00ff00")
    assert page.evaluate(label) == "rgb(170, 0, 0)"
    assert browser_page.blocked == []


def test_an_image_chosen_for_an_empty_place_appears_in_the_preview(
        live_server: LiveServer, browser_page: BrowserPage) -> None:
    campaign = _campaign_with_events()  # a boarding pass with no footer image yet
    page = _open_campaign_page(browser_page, campaign, "editor")
    page.set_input_files('input[name="image:footer"]', files=[
        {"name": "footer.png", "mimeType": "image/png", "buffer": png_bytes((286, 15), (200, 30, 30))}])
    footer = page.locator(f'{PREVIEW} img[data-image="footer"]')
    footer.wait_for(state="visible")
    assert footer.evaluate("image => image.src.startsWith('data:image/png') && image.complete && image.naturalWidth > 0")
    assert browser_page.blocked == []


def test_a_push_progress_the_server_no_longer_answers_stops_polling(
        live_server: LiveServer, browser_page: BrowserPage) -> None:
    """The bar polls every second until done; a poll refused (the job purged, the campaign
    deleted, the session ended) used to be retried every second for as long as the tab stayed open."""
    campaign = _campaign_with_events()
    make_pass(campaign)
    page = _open_campaign_page(browser_page, campaign, "editor")
    page.click('button[data-action="push-all"]')
    page.locator('[data-testid="push-progress"][data-state="running"]').wait_for()
    with transaction() as session:
        session.execute(delete(BackgroundJob))  # as housekeeping purges old jobs
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url) if "/pushes/" in request.url else None)
    page.locator('[data-testid="push-progress"][data-state="unknown"]').wait_for()
    page.wait_for_timeout(3000)
    assert len(polls) <= 1, polls
    assert "reload" in page.inner_text('[data-testid="push-state"]')
