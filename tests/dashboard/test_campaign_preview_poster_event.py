"""The campaign page's preview of an iOS 18 poster event ticket: a campaign asking for
posterEventTicket shows its poster face (artwork, event logo text, poster logos, primary
fields, the event's name and venue from its semantics) above the classic card."""

from __future__ import annotations

from flask import Flask

from tests.api.test_pass_features import CONCERT
from tests.api.test_poster_event_images import upload_image
from tests.dashboard.conftest import Team, signed_in_client


def _concert(app: Flask, team: Team, **extra: object) -> str:
    client = app.test_client()
    body = {**CONCERT, "icon_id": upload_image(client, team.account, "icon", (100, 100)), **extra}
    response = client.post("/v2/event_tickets", json={"event_ticket": body}, headers=team.account.basic)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _between(page: str, start: str, end: str) -> str:
    return page[page.index(start):page.index(end)]


def test_a_poster_event_ticket_campaign_previews_its_poster_face_above_the_classic_card(app: Flask, team: Team) -> None:
    api = app.test_client()
    artwork = upload_image(api, team.account, "artwork", (358, 448))
    secondary_logo = upload_image(api, team.account, "secondaryLogo", (270, 24))
    semantics = {**CONCERT["semantics"], "venueRoom": "Halle A", "eventStartDate": "2026-11-20T20:00:00+01:00"}
    campaign_id = _concert(app, team, artwork_id=artwork, secondary_logo_id=secondary_logo, semantics=semantics,
                           poster={"eventLogoText": "Live in Hamburg", "footerBackgroundColor": "#102030"})

    client = signed_in_client(app, team.viewer)
    page = client.get(f"/dashboard/campaigns/{campaign_id}").get_data(as_text=True)

    poster = _between(page, 'data-testid="pass-poster-event"', 'data-testid="pass-front"')
    assert f"url('/dashboard/assets/{artwork}/artwork@2x.png')" in poster
    assert f'src="/dashboard/assets/{secondary_logo}/secondaryLogo@2x.png"' in poster
    assert ">Live in Hamburg<" in poster
    assert 'data-field-key="event"' in poster and ">Die Beispiele<" in poster  # the primary field
    details = poster[poster.index('data-testid="pass-poster-event-details"'):]
    assert 'style="background: rgb(16, 32, 48)"' in details
    assert f">{semantics['eventName']}<" in details and ">2026-11-20T20:00:00+01:00<" in details
    assert f">{semantics['venueName']} · Halle A<" in details
    assert 'data-field-key="seat"' not in poster  # secondary fields: the classic card only
    assert "Poster face (iOS 18)" in page and "Classic face (iOS 17 and earlier)" in page
    assert client.get(f"/dashboard/assets/{artwork}/artwork@2x.png").status_code == 200


def test_a_classic_event_ticket_has_no_poster_face(app: Flask, team: Team) -> None:
    campaign_id = _concert(app, team, preferred_style_schemes=None)

    page = signed_in_client(app, team.viewer).get(f"/dashboard/campaigns/{campaign_id}").get_data(as_text=True)

    assert 'data-testid="pass-front"' in page
    assert 'data-testid="pass-poster-event"' not in page and 'data-testid="pass-poster"' not in page
