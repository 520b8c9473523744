"""What the dashboard's pass preview shows, from a campaign's design (pure: no Flask,
no database; docs/dashboard.md, "Campaign page").

The preview reads the same design pass.json is built from (services.pass_content,
walletservice.passkit.design): its colours, texts, field lists, barcode and images.
Which images a style shows and where follows Apple's "Wallet Developer Guide" (pass
styles): a boarding pass has a footer but no strip; a coupon and a store card a strip;
an event ticket a strip, or a background with a thumbnail; a generic pass a thumbnail.
A field whose value a pass fills (a dynamic field) has no value in the design: the
preview shows its label over an empty value.

Newer faces, as far as a sketch can show them (docs/dashboard.md): a poster generic
campaign (iOS 27, passkit.poster_generic) gets its poster face beside the classic card
older iOS shows: the poster background, the primary logo, header and primary fields and
the one footer field Wallet shows. A poster event ticket campaign (iOS 18, preferredStyleSchemes
posterEventTicket) gets its poster face the same way: the artwork (or, without one, the
background that also satisfies Apple's image rule), the event logo text and poster logos,
the primary fields, and the event's name, start and venue from its semantic tags, which
Wallet reads for this face. Featured actions (iOS 27, passkit.featured_actions)
are listed as the buttons Wallet draws below the pass.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from walletservice.passkit.barcodes import design_barcodes
from walletservice.passkit.colors import normalize_color
from walletservice.passkit.poster_generic import FALLBACK_STYLES as POSTER_GENERIC_STYLES
from walletservice.passkit.poster_generic import FOOTER_FIELDS, MAX_FOOTER_FIELDS
from walletservice.passkit.poster_generic import KEY as POSTER_GENERIC_KEY
from walletservice.passkit.problems import Problems
from walletservice.passkit.style_schemes import POSTER_EVENT_TICKET
from walletservice.services.pass_content import apple_design, compose_pass_content
from walletservice.services.push_message import PUSH_MESSAGE_KEY

# Style -> the image roles Wallet draws on the front of that style.
FRONT_IMAGES = {
    "boardingPass": ("logo", "footer"),
    "coupon": ("logo", "strip"),
    "eventTicket": ("logo", "strip", "background", "thumbnail"),
    "generic": ("logo", "thumbnail"),
    "storeCard": ("logo", "strip"),
}
FRONT_LISTS = ("headerFields", "primaryFields", "secondaryFields", "auxiliaryFields")
# Wallet's defaults when a design sets no colour (a white pass with black text; labels as the text).
DEFAULT_COLOURS = {"backgroundColor": "rgb(255, 255, 255)", "foregroundColor": "rgb(0, 0, 0)",
                   "labelColor": "rgb(0, 0, 0)"}
TRANSIT_SYMBOLS = {"PKTransitTypeAir": "✈", "PKTransitTypeBoat": "⛴", "PKTransitTypeBus": "🚌",
                   "PKTransitTypeTrain": "🚆", "PKTransitTypeGeneric": "→"}


@dataclass(frozen=True)
class PreviewField:
    list_name: str  # Apple's list: headerFields, primaryFields...
    key: str
    label: str
    value: str


@dataclass(frozen=True)
class PreviewBarcode:
    format: str
    message: str
    alt_text: str


@dataclass(frozen=True)
class PosterFace:
    """The poster generic face: the design's own header and primary fields over its background."""

    images: dict[str, str]  # "background", "primaryLogo" -> asset id, those the design has
    fields: dict[str, list[PreviewField]]  # headerFields, primaryFields, footerFields (the one shown)


@dataclass(frozen=True)
class PosterEventFace:
    """The poster event ticket face: artwork, event logo text, primary fields and the event's semantics."""

    images: dict[str, str]  # "artwork" (or "background"), "primaryLogo", "secondaryLogo" -> asset id
    event_logo_text: str  # eventLogoText, else the classic logoText
    primary_fields: list[PreviewField]
    event_name: str  # semantics.eventName
    event_start: str  # semantics.eventStartDate as written
    venue: tuple[str, ...]  # venueName, venueRoom, venueRegionName: those set, in that order
    footer_colour: str | None  # footerBackgroundColor as rgb(), when the design sets one


@dataclass(frozen=True)
class PreviewAction:
    identifier: str
    label: str  # from Apple's type: "membershipBenefits" -> "Membership benefits"
    url: str


@dataclass(frozen=True)
class PassPreview:
    style: str
    colours: dict[str, str]  # backgroundColor, foregroundColor, labelColor as "rgb(r, g, b)"
    organization_name: str
    logo_text: str
    description: str
    transit_symbol: str | None  # boarding passes: drawn between the two primary fields
    images: dict[str, str]  # role -> asset id, only the roles this style shows on its front
    icon: str | None
    fields: dict[str, list[PreviewField]]  # every list of FRONT_LISTS plus backFields
    barcode: PreviewBarcode | None
    poster: PosterFace | None = None
    poster_event: PosterEventFace | None = None
    actions: tuple[PreviewAction, ...] = ()

    @property
    def front_lists(self) -> tuple[str, ...]:
        return FRONT_LISTS

    @property
    def image_roles(self) -> tuple[str, ...]:
        """The places this style has for images, filled or not: an image chosen in the editor
        for an empty one shows there before it is saved."""
        return FRONT_IMAGES.get(self.style, ())


def pass_preview(design: Mapping[str, Any]) -> PassPreview:
    """The preview of a pass with no values of its own: the campaign's design as Wallet draws it."""
    content = compose_pass_content(design, {})
    apple = apple_design(content)
    style = str(apple.get("style") or "generic")
    shown_roles = FRONT_IMAGES.get(style, ())
    images = {role: str(asset) for role, asset in (content.get("images") or {}).items()
              if asset and role in shown_roles}
    if style == "eventTicket" and "strip" in images:  # Wallet draws a strip instead of background and thumbnail
        images.pop("background", None)
        images.pop("thumbnail", None)
    icon = (content.get("images") or {}).get("icon")
    return PassPreview(
        style=style,
        colours=_colours(apple),
        organization_name=_text(apple.get("organizationName")),
        logo_text=_text(apple.get("logoText")),
        description=_text(apple.get("description")),
        transit_symbol=TRANSIT_SYMBOLS.get(_long_transit_type(apple.get("transitType"))) if style == "boardingPass"
        else None,
        images=images,
        icon=str(icon) if icon else None,
        fields={name: _fields(name, apple.get(name)) for name in (*FRONT_LISTS, "backFields")},
        barcode=_barcode(apple),
        poster=_poster_face(style, apple, content.get("images") or {}),
        poster_event=_poster_event_face(style, apple, content.get("images") or {}),
        actions=_actions(apple.get("featuredActions")),
    )


def _poster_face(style: str, apple: Mapping[str, Any], images: Mapping[str, Any]) -> PosterFace | None:
    if apple.get(POSTER_GENERIC_KEY) is not True or style not in POSTER_GENERIC_STYLES:
        return None
    footer = _fields(FOOTER_FIELDS, apple.get(FOOTER_FIELDS))[:MAX_FOOTER_FIELDS]  # Wallet shows the first only
    return PosterFace(
        images={role: str(images[role]) for role in ("background", "primaryLogo") if images.get(role)},
        fields={**{name: _fields(name, apple.get(name)) for name in ("headerFields", "primaryFields")},
                FOOTER_FIELDS: footer},
    )


def _poster_event_face(style: str, apple: Mapping[str, Any], images: Mapping[str, Any]) -> PosterEventFace | None:
    schemes = apple.get("preferredStyleSchemes")
    if style != "eventTicket" or not isinstance(schemes, list) or POSTER_EVENT_TICKET not in schemes:
        return None
    semantics = apple.get("semantics") if isinstance(apple.get("semantics"), Mapping) else {}
    # Apple's Pass Builder accepts a background in place of the artwork; the artwork wins when both are set.
    picture = next((role for role in ("artwork", "background") if images.get(role)), None)
    roles = ((picture,) if picture else ()) + ("primaryLogo", "secondaryLogo")
    return PosterEventFace(
        images={role: str(images[role]) for role in roles if images.get(role)},
        event_logo_text=_text(apple.get("eventLogoText") or apple.get("logoText")),
        primary_fields=_fields("primaryFields", apple.get("primaryFields")),
        event_name=_text(semantics.get("eventName")),
        event_start=_text(semantics.get("eventStartDate")),
        venue=tuple(_text(semantics[tag]) for tag in ("venueName", "venueRoom", "venueRegionName")
                    if _text(semantics.get(tag)).strip()),
        footer_colour=normalize_color(apple.get("footerBackgroundColor")),
    )


def _actions(actions: Any) -> tuple[PreviewAction, ...]:
    if not isinstance(actions, list):
        return ()
    return tuple(PreviewAction(_text(action.get("identifier")), _action_label(action.get("type")),
                               _text(action.get("url")))
                 for action in actions if isinstance(action, Mapping))


def _action_label(action_type: Any) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", _text(action_type)).lower()
    return words[:1].upper() + words[1:]


def _colours(apple: Mapping[str, Any]) -> dict[str, str]:
    colours = {key: normalize_color(apple.get(key)) or default for key, default in DEFAULT_COLOURS.items()}
    if not normalize_color(apple.get("labelColor")):  # Wallet draws unset labels in the text colour
        colours["labelColor"] = colours["foregroundColor"]
    return colours


def _fields(list_name: str, fields: Any) -> list[PreviewField]:
    # The push-message back field is ours (services.push_message): Wallet shows it, the design never wrote it.
    return [PreviewField(list_name, str(field.get("key")), _text(field.get("label")), _text(field.get("value")))
            for field in fields or [] if isinstance(field, Mapping) and field.get("key") != PUSH_MESSAGE_KEY]


def _barcode(apple: Mapping[str, Any]) -> PreviewBarcode | None:
    # Read as pass.json is built ("qr" and PKBarcodeFormatQR are one format; entries that draw
    # nothing left out), then as Wallet reads it: the first entry of barcodes.
    barcode = next(iter(design_barcodes(apple, Problems())), None)
    if barcode is None:
        return None
    short = barcode["format"].removeprefix("PKBarcodeFormat").lower()  # qr, pdf417, aztec, code128
    return PreviewBarcode(short, _text(barcode.get("message")), _text(barcode.get("altText")))


def _long_transit_type(value: Any) -> str:
    text = _text(value)
    return text if text.startswith("PKTransitType") or not text else "PKTransitType" + text.capitalize()


def _text(value: Any) -> str:
    return "" if value is None else str(value)
