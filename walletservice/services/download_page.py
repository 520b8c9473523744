"""The customer's download page: what it shows, the owner's preview, and the events
it records (Flask-free; the web blueprint renders it).

A page is found by the pass's unguessable download id, never by serial or pass id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature
from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.plumbing.signed_values import load_signed, sign_value
from walletservice.errors import NotFound
from walletservice.models import AssetRendition, Campaign, Pass
from walletservice.passkit.colors import normalize_color
from walletservice.services.download_pins import PIN_SETTING, required_pin
from walletservice.services.events import identify_wallet, record_pass_download, record_pass_event
from walletservice.services.lookups import one_or_not_found
from walletservice.services.public_events import PublicVisit, first_in_window
from walletservice.services.passworks_mapping import SETTINGS_DEFAULTS

# issue_pass makes 32 URL-safe characters; anything else cannot be a download id.
DOWNLOAD_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
PREVIEW_SALT = "walletservice.download-page.preview"
# The page shows the logo, else the icon every pass has; @2x suits phone screens.
PAGE_IMAGE_ROLES = ("logo", "icon")
PAGE_IMAGE_SCALE = "@2x"
CUSTOM_CODE = ("stylesheet", "javascript")
DEFAULT_COLORS = {"background": "rgb(255, 255, 255)", "foreground": "rgb(0, 0, 0)", "label": "rgb(90, 90, 90)"}


@dataclass(frozen=True)
class PageField:
    label: str
    value: str


@dataclass(frozen=True)
class DownloadPage:
    """Everything the template shows; every text is raw and escaped by the template."""

    download_id: str
    title: str
    organization_name: str
    description: str
    logo_text: str
    primary_fields: list[PageField]
    secondary_fields: list[PageField]
    voided: bool
    og: bool
    og_description: str
    has_stylesheet: bool
    has_javascript: bool
    has_image: bool
    owner_notes: list[str]


def find_pass(session: Session, download_id: str) -> Pass:
    if not isinstance(download_id, str) or not DOWNLOAD_ID_PATTERN.match(download_id):
        raise NotFound("pass not found")
    return one_or_not_found(session, select(Pass).where(Pass.download_id == download_id), "pass")


def campaign_of(session: Session, pass_: Pass) -> Campaign:
    campaign = session.get(Campaign, pass_.campaign_id)
    if campaign is None:  # deleted in a race with this request
        raise NotFound("pass not found")
    return campaign


def build_download_page(session: Session, pass_: Pass, campaign: Campaign) -> DownloadPage:
    content = pass_.content
    settings = {**SETTINGS_DEFAULTS, **(campaign.settings or {})}
    return DownloadPage(
        download_id=pass_.download_id,
        title=campaign.name,
        organization_name=_text(content.get("organizationName")),
        description=_text(content.get("description")),
        logo_text=_text(content.get("logoText")),
        primary_fields=_shown_fields(content.get("primaryFields")),
        secondary_fields=_shown_fields(content.get("secondaryFields")),
        voided=bool(pass_.voided),
        og=bool(settings["og"]),
        og_description=_text(settings["og_description"]) or _text(content.get("description")),
        has_stylesheet=bool(settings["stylesheet"]),
        has_javascript=bool(settings["javascript"]),
        has_image=has_page_image(session, pass_.content.get("images") or {}),
        owner_notes=owner_notes(pass_, campaign),
    )


def owner_notes(pass_: Pass, campaign: Campaign) -> list[str]:
    """What only the owner is told: why the page may not do what they expect."""
    notes = ["This is a preview page; customers don't see this."]
    if campaign.state == "paused":
        notes.append("The campaign is paused: it issues no new passes. This pass still downloads.")
    elif campaign.state == "archived":
        notes.append("The campaign is archived: it issues no new passes. This pass still downloads.")
    if pass_.voided:
        notes.append("This pass is voided: customers see that it is no longer valid, without the Add button.")
    settings = campaign.settings or {}
    if settings.get("og") is False:
        notes.append("Open Graph tags are off for this campaign (og: false).")
    if required_pin(pass_, campaign) is not None:
        notes.append("Customers must enter this pass's download PIN before they see it or its download link; "
                     "this preview link skips the PIN, so share it only with people who may.")
    elif settings.get(PIN_SETTING) is True:
        notes.append("The campaign asks for download PINs, but this pass has none: customers see it without one.")
    if settings.get("javascript"):
        notes.append("The campaign's javascript runs under a strict Content-Security-Policy: "
                     "it cannot load other scripts or contact other sites.")
    return notes


def page_colors(pass_: Pass) -> dict[str, str]:
    """The pass's colors as "rgb(r, g, b)": only validated triples reach the stylesheet."""
    content = pass_.content
    found = {
        "background": normalize_color(content.get("backgroundColor")),
        "foreground": normalize_color(content.get("foregroundColor")),
        "label": normalize_color(content.get("labelColor")),
    }
    return {name: value or DEFAULT_COLORS[name] for name, value in found.items()}


def page_image(session: Session, pass_: Pass) -> bytes:
    return images_page_image(session, pass_.content.get("images") or {})


def images_page_image(session: Session, images: Mapping[str, Any]) -> bytes:
    """The logo at @2x, else the icon, of a pass's or campaign's images; NotFound without either."""
    rendition = _page_image_rendition(session, images)
    if rendition is None:
        raise NotFound("image not found")
    return rendition.content


def has_page_image(session: Session, images: Mapping[str, Any]) -> bool:
    return _page_image_rendition(session, images) is not None


def _page_image_rendition(session: Session, images: Mapping[str, Any]) -> AssetRendition | None:
    for role in PAGE_IMAGE_ROLES:
        if images.get(role):
            rendition = session.get(AssetRendition, (str(images[role]), f"{role}{PAGE_IMAGE_SCALE}.png"))
            if rendition is not None:
                return rendition
    return None


def custom_code(campaign: Campaign, kind: str) -> str:
    """The campaign's stylesheet or javascript; NotFound when it has none."""
    if kind not in CUSTOM_CODE:
        raise NotFound("not found")
    code = (campaign.settings or {}).get(kind)
    if not code:
        raise NotFound(f"the campaign has no {kind}")
    return str(code)


def preview_token(secret: str, pass_: Pass) -> str:
    """Signed with the app secret: shows the owner's notes to whoever holds the link."""
    # Signer (itsdangerous, app secret, salt PREVIEW_SALT). Bytes: the pass id only.
    # Who: the pass's tenant through its API key (the owner's links).
    return sign_value(secret, PREVIEW_SALT, pass_.id)


def is_preview_token(secret: str, token: str | None, pass_: Pass) -> bool:
    if not token:
        return False
    try:
        return bool(load_signed(secret, PREVIEW_SALT, token) == pass_.id)
    except BadSignature:
        return False


def record_page_view(session: Session, pass_: Pass, visit: PublicVisit) -> None:
    """A "viewed" event, unless this client's view is already recorded in the window."""
    if first_in_window(session, pass_.id, "viewed", visit):
        record_pass_event(session, "viewed", pass_, identify_wallet(visit.user_agent))


def record_download(session: Session, pass_: Pass, visit: PublicVisit) -> None:
    """A "downloaded" event, unless this client's download is already recorded in the window."""
    if first_in_window(session, pass_.id, "downloaded", visit):
        record_pass_download(session, pass_, identify_wallet(visit.user_agent))


def _shown_fields(fields: Any) -> list[PageField]:
    """Fields with a value, as Wallet shows them (a field without one is dropped)."""
    shown = []
    for field in fields or []:
        if isinstance(field, Mapping) and field.get("value") not in (None, ""):
            shown.append(PageField(label=_text(field.get("label")), value=_text(field.get("value"))))
    return shown


def _text(value: Any) -> str:
    return "" if value is None else str(value)
