"""The campaign page's preview of iOS 27 features: a poster generic campaign shows its poster
face (background, primary logo, header, primary and footer fields) above the classic card,
and its featured actions as buttons below the pass."""

from __future__ import annotations

from flask import Flask

from tests.api.test_featured_actions import BENEFITS, LOUNGE
from tests.api.test_poster_event_images import upload_image
from tests.api.test_poster_generic import CLUB, upload_for_poster
from tests.dashboard.conftest import Team, signed_in_client


def _club(app: Flask, team: Team, **extra: object) -> str:
    client = app.test_client()
    body = {**CLUB, "icon_id": upload_image(client, team.account, "icon", (100, 100)), **extra}
    response = client.post("/v2/store_cards", json={"store_card": body}, headers=team.account.basic)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_a_poster_generic_campaign_previews_its_poster_face_and_featured_actions(app: Flask, team: Team) -> None:
    api = app.test_client()
    background = upload_for_poster(api, team.account, "background")
    primary_logo = upload_for_poster(api, team.account, "primaryLogo")
    campaign_id = _club(app, team, background_id=background, primary_logo_id=primary_logo,
                        featured_actions=[BENEFITS, LOUNGE])

    client = signed_in_client(app, team.viewer)
    page = client.get(f"/dashboard/campaigns/{campaign_id}").get_data(as_text=True)

    poster = page[page.index('data-testid="pass-poster"'):page.index('data-testid="pass-front"')]
    assert f"/dashboard/assets/{background}/background@2x.png" in poster
    assert f'src="/dashboard/assets/{primary_logo}/primaryLogo@2x.png"' in poster
    assert 'data-field-key="level"' in poster and 'data-field-key="club"' in poster
    footer = poster[poster.index('data-testid="pass-poster-footer"'):]
    assert ">MEMBER<" in footer and ">Ada Lovelace<" in footer
    assert 'data-field-key="since"' not in poster  # secondary fields: the classic card only
    assert client.get(f"/dashboard/assets/{background}/background@2x.png").status_code == 200
    actions = page[page.index('data-testid="pass-actions"'):page.index('data-testid="pass-back"')]
    assert f'href="{BENEFITS["url"]}"' in actions and ">Membership benefits<" in actions
    assert f'data-action="{LOUNGE["identifier"]}"' in actions


def test_a_classic_campaign_has_no_poster_face_nor_actions(app: Flask, team: Team) -> None:
    campaign_id = _club(app, team, poster_generic=None, footer_fields=None)

    page = signed_in_client(app, team.viewer).get(f"/dashboard/campaigns/{campaign_id}").get_data(as_text=True)

    assert 'data-testid="pass-front"' in page
    assert 'data-testid="pass-poster"' not in page and 'data-testid="pass-actions"' not in page
