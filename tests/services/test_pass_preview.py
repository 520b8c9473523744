"""The pass preview model, per style: the design pass.json is built from, as Wallet lays it out."""

from __future__ import annotations

import pytest

from walletservice.services.pass_preview import pass_preview
from walletservice.services.push_message import PUSH_MESSAGE_KEY

IMAGES = {role: f"{role}-asset" for role in ("icon", "logo", "strip", "thumbnail", "background", "footer")}


def _design(style: str, **extra: object) -> dict[str, object]:
    return {"style": style, "organizationName": "Toy Town", "description": "A pass", "logoText": "Toys",
            "backgroundColor": "#102030", "foregroundColor": "rgb(250, 250, 250)",
            "headerFields": [{"key": "points", "label": "POINTS", "value": 120}],
            "primaryFields": [{"key": "offer", "label": "OFFER", "value": "20% off"}],
            "secondaryFields": [{"key": "member", "label": "MEMBER", "value": None}],
            "auxiliaryFields": [{"key": "level", "label": "LEVEL", "value": "Gold"}],
            "backFields": [{"key": "terms", "label": "TERMS", "value": "One per visit"},
                           {"key": PUSH_MESSAGE_KEY, "label": "", "value": "hello"}],
            "barcode": {"format": "PKBarcodeFormatQR", "message": "TOY-1", "altText": "TOY 1"},
            "images": IMAGES, **extra}


@pytest.mark.parametrize(("style", "front_images"), [
    ("boardingPass", {"logo", "footer"}),
    ("coupon", {"logo", "strip"}),
    ("eventTicket", {"logo", "strip"}),  # a strip hides the background and the thumbnail
    ("generic", {"logo", "thumbnail"}),
    ("storeCard", {"logo", "strip"}),
])
def test_each_style_shows_the_images_wallet_draws_on_its_front(style: str, front_images: set[str]) -> None:
    preview = pass_preview(_design(style))
    assert preview.style == style
    assert set(preview.images) == front_images
    assert preview.images["logo"] == "logo-asset" and preview.icon == "icon-asset"


def test_an_event_ticket_without_a_strip_shows_its_background_and_thumbnail() -> None:
    preview = pass_preview(_design("eventTicket", images={"icon": "i", "background": "b", "thumbnail": "t"}))
    assert preview.images == {"background": "b", "thumbnail": "t"}


@pytest.mark.parametrize("style", ["boardingPass", "coupon", "eventTicket", "generic", "storeCard"])
def test_fields_colours_and_barcode_come_from_the_design(style: str) -> None:
    preview = pass_preview(_design(style, transitType="PKTransitTypeTrain"))
    assert preview.colours == {"backgroundColor": "rgb(16, 32, 48)", "foregroundColor": "rgb(250, 250, 250)",
                               "labelColor": "rgb(250, 250, 250)"}  # unset: labels in the text colour
    assert [(f.key, f.label, f.value) for f in preview.fields["headerFields"]] == [("points", "POINTS", "120")]
    assert [(f.key, f.value) for f in preview.fields["secondaryFields"]] == [("member", "")]  # a pass fills it
    assert [f.key for f in preview.fields["backFields"]] == ["terms"]  # our push-message field is not the design's
    assert (preview.barcode.format, preview.barcode.message, preview.barcode.alt_text) == ("qr", "TOY-1", "TOY 1")
    assert (preview.organization_name, preview.logo_text) == ("Toy Town", "Toys")
    assert preview.transit_symbol == ("🚆" if style == "boardingPass" else None)


def test_a_design_without_barcode_or_colours_shows_wallets_defaults() -> None:
    preview = pass_preview({"style": "generic", "barcode": {"format": "none"}, "primaryFields": []})
    assert preview.barcode is None
    assert preview.colours["backgroundColor"] == "rgb(255, 255, 255)"
    assert preview.fields["primaryFields"] == [] and preview.images == {}


def test_short_barcode_formats_and_transit_types_are_read_like_pass_json_does() -> None:
    preview = pass_preview(_design("boardingPass", transitType="PKTransitTypeAir",
                                   barcode={"format": "pdf417", "message": "X"}))
    assert preview.barcode.format == "pdf417" and preview.transit_symbol == "✈"


@pytest.mark.parametrize(("written", "drawn"), [("qrcode", "qr"), ("qr", "qr"), ("PKBarcodeFormatQR", "qr"),
                                                ("ean128", "code128"), ("Aztec", "aztec")])
def test_every_spelling_of_a_barcode_format_is_drawn_as_its_format(written: str, drawn: str) -> None:
    assert pass_preview(_design("coupon", barcode={"format": written, "message": "X"})).barcode.format == drawn


POSTER_CLUB = {"posterGeneric": True, "footerFields": [{"key": "since", "label": "SINCE", "value": "2019"}],
               "images": {"icon": "i", "logo": "l", "background": "poster-bg", "primaryLogo": "poster-logo"}}


@pytest.mark.parametrize("style", ["generic", "storeCard", "coupon"])
def test_a_poster_generic_campaign_previews_its_poster_face_beside_the_classic_card(style: str) -> None:
    preview = pass_preview(_design(style, **POSTER_CLUB))

    poster = preview.poster
    assert poster is not None
    assert poster.images == {"background": "poster-bg", "primaryLogo": "poster-logo"}
    assert [f.key for f in poster.fields["headerFields"]] == ["points"]
    assert [(f.key, f.value) for f in poster.fields["primaryFields"]] == [("offer", "20% off")]
    assert [(f.label, f.value) for f in poster.fields["footerFields"]] == [("SINCE", "2019")]
    assert "secondaryFields" not in poster.fields  # the poster face does not show them
    assert preview.images["logo"] == "l" and "primaryLogo" not in preview.images  # the classic card as before


def test_only_the_first_footer_field_is_previewed_as_wallet_shows_it() -> None:
    footer = [{"key": "a", "label": "A", "value": "1"}, {"key": "b", "label": "B", "value": "2"}]
    preview = pass_preview(_design("generic", **{**POSTER_CLUB, "footerFields": footer}))
    assert [f.key for f in preview.poster.fields["footerFields"]] == ["a"]


@pytest.mark.parametrize(("style", "extra"), [
    ("storeCard", {}),  # no switch
    ("storeCard", {"posterGeneric": False}),
    ("eventTicket", {"posterGeneric": True}),  # not a style the poster generic face is for
])
def test_no_poster_face_without_the_switch_on_a_poster_generic_style(style: str, extra: dict) -> None:
    assert pass_preview(_design(style, **extra)).poster is None


def test_featured_actions_are_previewed_as_buttons_with_readable_labels() -> None:
    actions = [{"identifier": "benefits", "type": "membershipBenefits", "url": "https://club.example.test/b"},
               {"identifier": "menu", "type": "viewMenu", "url": "https://club.example.test/m"}]
    preview = pass_preview(_design("storeCard", featuredActions=actions))

    assert [(a.identifier, a.label, a.url) for a in preview.actions] == [
        ("benefits", "Membership benefits", "https://club.example.test/b"),
        ("menu", "View menu", "https://club.example.test/m")]
    assert pass_preview(_design("coupon")).actions == ()


POSTER_CONCERT = {
    "preferredStyleSchemes": ["posterEventTicket"], "eventLogoText": "Live in Hamburg",
    "footerBackgroundColor": "#102030",
    "semantics": {"eventName": "Die Beispiele", "eventStartDate": "2026-11-20T20:00:00+01:00",
                  "venueName": "Arena Hamburg", "venueRoom": "Hall A", "venueRegionName": ""},
    "images": {**IMAGES, "artwork": "poster-art", "primaryLogo": "p-logo", "secondaryLogo": "s-logo"},
}


def test_a_poster_event_ticket_campaign_previews_its_poster_face_beside_the_classic_card() -> None:
    preview = pass_preview(_design("eventTicket", **POSTER_CONCERT))

    face = preview.poster_event
    assert face is not None and preview.poster is None
    assert face.images == {"artwork": "poster-art", "primaryLogo": "p-logo", "secondaryLogo": "s-logo"}
    assert face.event_logo_text == "Live in Hamburg"
    assert [(f.key, f.value) for f in face.primary_fields] == [("offer", "20% off")]
    assert (face.event_name, face.event_start) == ("Die Beispiele", "2026-11-20T20:00:00+01:00")
    assert face.venue == ("Arena Hamburg", "Hall A")  # an empty tag is left out
    assert face.footer_colour == "rgb(16, 32, 48)"
    assert preview.images["strip"] == "strip-asset"  # the classic card keeps its own images


def test_without_artwork_the_poster_event_face_shows_the_background_and_the_logo_text() -> None:
    images = {"icon": "i", "background": "bg"}
    design = _design("eventTicket", **{**POSTER_CONCERT, "images": images, "eventLogoText": None})

    face = pass_preview(design).poster_event

    assert face is not None
    assert face.images == {"background": "bg"}
    assert face.event_logo_text == "Toys"  # the classic logoText stands in for eventLogoText


@pytest.mark.parametrize(("style", "extra"), [
    ("eventTicket", {}),
    ("eventTicket", {"preferredStyleSchemes": ["eventTicket"]}),
    ("storeCard", {"preferredStyleSchemes": ["posterEventTicket"]}),
])
def test_no_poster_event_face_without_the_scheme_on_an_event_ticket(style: str, extra: dict) -> None:
    assert pass_preview(_design(style, **extra)).poster_event is None
