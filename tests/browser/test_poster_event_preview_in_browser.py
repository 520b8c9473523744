"""The poster event ticket face of the campaign page's preview in a real browser: its artwork
loads, the event's name and venue show above the classic card, and an image picked in the
editor previews on the classic card, not on the poster face."""

from __future__ import annotations

from tests.api.conftest import new_account
from tests.browser.conftest import BrowserPage, LiveServer
from tests.browser.test_campaign_page_in_browser import PREVIEW, _open_campaign_page
from tests.factories import png_bytes
from tests.v3.conftest import TEMPLATE_DESIGN
from walletservice.db import transaction
from walletservice.models import Campaign, Organization
from walletservice.runtime import runtime
from walletservice.services.assets import create_asset
from walletservice.services.campaigns import create_campaign

POSTER_DESIGN = {**TEMPLATE_DESIGN, "preferredStyleSchemes": ["posterEventTicket"], "eventLogoText": "Live in Hamburg",
                 "semantics": {"eventName": "Die Beispiele live", "venueName": "Arena Hamburg", "venueRoom": "Halle 1"}}
POSTER_FACE = '[data-testid="pass-poster-event"]'


def _poster_concert() -> Campaign:
    account = new_account("Toy Town")
    with transaction() as session:
        organization = session.get(Organization, account.id)
        images = {"icon": create_asset(session, organization, "icon", png_bytes()).id,
                  "artwork": create_asset(session, organization, "artwork", png_bytes((358, 448), (20, 40, 200))).id}
        return create_campaign(session, organization, name="Die Beispiele", signer=runtime().certificates.dev_signer(),
                               design={**POSTER_DESIGN, "images": images})


def test_the_poster_event_face_shows_its_artwork_and_event_above_the_classic_card(
        live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = _open_campaign_page(browser_page, _poster_concert(), "editor")

    face = page.locator(f"{PREVIEW} {POSTER_FACE}")
    assert face.is_visible()
    artwork_loads = """element => new Promise(resolve => {
        const url = getComputedStyle(element).backgroundImage.slice(5, -2);
        const image = new Image();
        image.onload = () => resolve([url, image.naturalWidth, image.naturalHeight]);
        image.onerror = () => resolve([url, 0, 0]);
        image.src = url;
    })"""
    url, width, height = face.locator(".pass-poster-image").evaluate(artwork_loads)
    assert url.endswith("/artwork@2x.png") and (width, height) == (716, 896)  # Apple's 358 x 448 at @2x
    details = face.locator('[data-testid="pass-poster-event-details"]').inner_text()
    assert "Die Beispiele live" in details and "Arena Hamburg · Halle 1" in details
    assert face.locator('[data-testid="pass-event-logo-text"]').inner_text() == "Live in Hamburg"
    above = page.evaluate(f"""document.querySelector('{POSTER_FACE}').getBoundingClientRect().bottom
        <= document.querySelector('[data-testid="pass-front"]').getBoundingClientRect().top""")
    assert above

    page.set_input_files('input[name="image:background"]', files=[
        {"name": "background.png", "mimeType": "image/png", "buffer": png_bytes((180, 220), (200, 30, 30))}])
    classic = page.locator(f'{PREVIEW} .pass-front [data-image="background"]')
    page.wait_for_function("""() => getComputedStyle(document.querySelector(
        '.pass-front [data-image="background"]')).backgroundImage.includes('data:image/png')""")
    assert classic.is_visible()
    assert "/artwork@2x.png" in face.locator(".pass-poster-image").evaluate(
        "element => getComputedStyle(element).backgroundImage")
    assert browser_page.blocked == []
