"""A poster event ticket's own images through v2 (issue 18): artwork_id, secondary_logo_id and
primary_logo_id on the campaign, a pass's own replacing them, rendered at Apple's sizes
(Pass Builder's PassPackage.swift) at @1x, @2x and @3x into a signed .pkpass; a 422 names
the image when a poster image does not fit the pass or its size."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from tests.api.conftest import error_text
from tests.api.test_campaigns import create, upload
from tests.api.test_pass_features import (
    CONCERT, assert_smime_verifies, new_campaign, new_pass, pass_json_of, pkpass_of,
)
from tests.api.test_poster_generic import CLUB
from tests.factories import png_bytes
from tests.web.test_bundles import assert_signed_pkpass

RED, BLUE = (200, 30, 30), (20, 40, 200)


def upload_image(client, account, asset_type: str, size: tuple[int, int], color=RED) -> str:
    form = {"asset[asset_type]": asset_type, "asset[file]": (io.BytesIO(png_bytes(size, color)), "a.png")}
    response = client.post("/v2/assets", data=form, headers=account.basic, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def sizes(archive: zipfile.ZipFile, role: str) -> list[tuple[int, int]]:
    return [Image.open(archive.open(name)).size for name in (f"{role}.png", f"{role}@2x.png", f"{role}@3x.png")]


def test_a_poster_event_ticket_carries_its_artwork_and_logos_at_apples_sizes(client, account, dev_ca_pem, tmp_path):
    campaign_id = new_campaign(client, account, "event_tickets", {
        **CONCERT,
        "artwork_id": upload_image(client, account, "artwork", (1200, 1200)),
        "secondary_logo_id": upload_image(client, account, "secondaryLogo", (900, 60)),
        "primary_logo_id": upload_image(client, account, "primaryLogo", (400, 200))})
    # The pass's own artwork replaces the campaign's, as its other images do.
    own_artwork = upload_image(client, account, "artwork", (500, 700), BLUE)
    created = new_pass(client, account, "event_tickets", campaign_id, {"artwork_id": own_artwork})
    assert created.status_code == 201, created.get_json()
    pkpass = pkpass_of(client, created.get_json())

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "cms")
    assert_smime_verifies(pkpass, dev_ca_pem, tmp_path / "smime")
    assert pass_json_of(pkpass)["preferredStyleSchemes"] == ["posterEventTicket", "eventTicket"]
    archive = zipfile.ZipFile(io.BytesIO(pkpass))
    # Pass Builder: artwork exactly 358 x 448 points, secondaryLogo at most 135 x 12, primaryLogo 126 x 30.
    assert sizes(archive, "artwork") == [(358, 448), (716, 896), (1074, 1344)]
    assert Image.open(archive.open("artwork@2x.png")).convert("RGB").getpixel((358, 448)) == BLUE
    assert sizes(archive, "secondaryLogo") == [(135, 9), (270, 18), (405, 27)]  # 900 x 60 fits by width
    assert sizes(archive, "primaryLogo") == [(60, 30), (120, 60), (180, 90)]  # 400 x 200 fits by height
    assert created.get_json()["artwork_id"] == own_artwork


def test_the_campaign_view_answers_the_poster_image_ids(client, account):
    artwork = upload_image(client, account, "artwork", (358, 448))
    campaign_id = new_campaign(client, account, "event_tickets", {**CONCERT, "artwork_id": artwork})

    shown = client.get(f"/v2/event_tickets/{campaign_id}", headers=account.basic).get_json()

    assert shown["artwork_id"] == artwork and shown["secondary_logo_id"] is None


def test_artwork_without_the_poster_scheme_is_422_naming_the_image(client, account):
    response = create(client, account, "event_tickets", {
        **CONCERT, "preferred_style_schemes": None, "semantics": None, "icon_id": upload(client, account),
        "artwork_id": upload_image(client, account, "artwork", (358, 448))})

    assert response.status_code == 422, response.get_json()
    assert "artwork.png: a eventTicket shows no artwork image" in error_text(response)


def test_a_poster_event_ticket_campaign_without_artwork_or_background_is_422_naming_the_artwork(client, account):
    # Apple's Pass Builder (EventTicketValidator.swift) reports it as an error, which blocks signing.
    response = create(client, account, "event_tickets", {**CONCERT, "icon_id": upload(client, account)})

    assert response.status_code == 422, response.get_json()
    assert "artwork.png is required (or background.png) for a posterEventTicket" in error_text(response)


def test_a_pass_asking_a_classic_campaign_for_the_poster_is_422_naming_the_artwork(client, account):
    campaign_id = new_campaign(client, account, "event_tickets", {**CONCERT, "preferred_style_schemes": None})

    response = new_pass(client, account, "event_tickets", campaign_id, {"preferred_style_schemes": ["posterEventTicket"]})

    assert response.status_code == 422, response.get_json()
    assert "artwork.png is required (or background.png)" in error_text(response)
    with_artwork = new_pass(client, account, "event_tickets", campaign_id, {
        "preferred_style_schemes": ["posterEventTicket"],
        "artwork_id": upload_image(client, account, "artwork", (358, 448))})
    assert with_artwork.status_code == 201, with_artwork.get_json()


def test_a_background_instead_of_artwork_makes_a_signed_poster_event_ticket(client, account, dev_ca_pem, tmp_path):
    campaign_id = new_campaign(client, account, "event_tickets", {
        **CONCERT, "artwork_id": None, "background_id": upload_image(client, account, "background", (360, 440))})
    created = new_pass(client, account, "event_tickets", campaign_id, {})
    assert created.status_code == 201, created.get_json()
    pkpass = pkpass_of(client, created.get_json())

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "cms")
    names = zipfile.ZipFile(io.BytesIO(pkpass)).namelist()
    assert "background.png" in names and not any(name.startswith("artwork") for name in names)


def test_a_classic_background_on_the_poster_generic_face_is_422_naming_its_size(client, account):
    response = create(client, account, "store_cards", {
        **CLUB, "icon_id": upload(client, account),
        "background_id": upload_image(client, account, "background", (800, 1000))})  # no asset[style]: 180 x 220

    assert response.status_code == 422, response.get_json()
    assert ("background.png: is 180 x 220 pixels; Apple's size at @1x is exactly 345 x 505"
            in error_text(response))


@pytest.mark.parametrize(("attribute", "asset_type", "named"), [
    ("artwork_id", "logo", "artwork_id: the asset is a logo, not an artwork"),
    ("secondary_logo_id", "primaryLogo", "secondary_logo_id: the asset is a primaryLogo, not a secondaryLogo"),
])
def test_a_poster_image_of_another_type_is_422_naming_the_attribute(client, account, attribute, asset_type, named):
    response = create(client, account, "event_tickets", {
        **CONCERT, "icon_id": upload(client, account), attribute: upload(client, account, asset_type)})

    assert response.status_code == 422, response.get_json()
    assert named in error_text(response)
