"""Templates (Passworks v2 templates.md): a campaign's presentation, kept for reuse.

A template holds the presentation attributes below, in Passworks' names. Creating a
campaign generates one ("Template for <campaign name>"), and so does an update that
changes any of them; `template_id` in a campaign body applies a template's
attributes (attributes sent alongside win). A template in use cannot be deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, Text, cast, exists, select
from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput, NotFound, StateConflict
from walletservice.models import Asset, Campaign, Organization, Template
from walletservice.passkit.design import STYLES
from walletservice.services.assets import asset_in_use, check_owned_images
from walletservice.services.collection_filters import Attribute, FilterSpec
from walletservice.services.lookups import lock_or_not_found, one_or_not_found

IMAGE_KEYS = ("icon_id", "logo_id", "strip_id", "thumbnail_id")
TEXT_KEYS = ("logo_text", "background_color", "text_color", "label_color", "transit_type")
BARCODE_KEYS = ("format", "message", "alt_text", "encoding")
PRESENTATION_KEYS = (*IMAGE_KEYS, *TEXT_KEYS, "barcode")
DEFAULT_BARCODE_FORMAT = "qrcode"
# Not presentation: where the template came from ("api" or "campaign").
SOURCE_KEY = "source"

TEMPLATE_FILTERS = FilterSpec({
    "id": Attribute(Template.id, str),
    "name": Attribute(Template.name, str),
    "pass_type": Attribute(Template.style, str),
    "created_at": Attribute(Template.created_at, dt.datetime),
}, tiebreaker=Template.id)


def presentation(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The template attributes of a campaign or template body, in one canonical form
    (text values, empty barcode keys dropped), so two can be compared."""
    found: dict[str, Any] = {key: str(attributes[key]) for key in (*IMAGE_KEYS, *TEXT_KEYS)
                             if attributes.get(key) is not None}
    barcode = attributes.get("barcode") or {}
    found["barcode"] = {key: str(barcode[key]) for key in BARCODE_KEYS if barcode.get(key) not in (None, "")}
    found["barcode"].setdefault("format", DEFAULT_BARCODE_FORMAT)
    return found


def templates_of(organization_id: str) -> Select[tuple[Template]]:
    return select(Template).where(Template.organization_id == organization_id)


def get_template(session: Session, organization_id: str, template_id: str) -> Template:
    return one_or_not_found(session, templates_of(organization_id).where(Template.id == template_id), "template")


def template_presentation(template: Template) -> dict[str, Any]:
    return {key: value for key, value in template.attributes.items() if key in PRESENTATION_KEYS}


def create_template(session: Session, organization: Organization, attributes: Mapping[str, Any]) -> Template:
    """POST /v2/templates: a named presentation of one pass type."""
    style = attributes.get("pass_type")
    if style not in STYLES:
        raise InvalidInput(f"pass_type must be one of {', '.join(STYLES)}")
    if (style == "boardingPass") != (attributes.get("transit_type") is not None):
        raise InvalidInput("transit_type: required for boardingPass templates, and only for them")
    if attributes.get("icon_id") is None:
        raise InvalidInput("icon_id: an icon asset is required")
    check_owned_images(session, organization.id, attributes)
    if _name_taken(session, organization.id, attributes["name"]):
        raise InvalidInput("name: another template of the organization has this name")
    return _add_template(session, organization.id, attributes["name"], attributes.get("description"),
                         style, presentation(attributes), source="api")


def resolve_template(session: Session, organization_id: str, template_id: Any, style: str) -> Template | None:
    """The template a campaign body names, checked against the campaign's pass type."""
    if template_id is None:
        return None
    try:
        template = get_template(session, organization_id, str(template_id))
    except NotFound:
        raise InvalidInput("template_id: template not found") from None
    if template.style != style:
        raise InvalidInput(f"template_id: the template is for {template.style} passes, not {style}")
    return template


def template_for_campaign(
    session: Session, campaign: Campaign, attributes: Mapping[str, Any], chosen: Template | None
) -> Template:
    """The template matching the campaign's presentation: the one named or the current
    one if nothing template-related changed, else a new one."""
    wanted = presentation(attributes)
    current = session.get(Template, campaign.template_id) if campaign.template_id else None
    for candidate in (chosen, current):
        if candidate is not None and template_presentation(candidate) == wanted:
            return candidate
    name = _unique_name(session, campaign.organization_id, f"Template for {campaign.name}")
    return _add_template(session, campaign.organization_id, name, attributes.get("description"),
                         campaign.style, wanted, source="campaign")


def delete_template(session: Session, organization_id: str, template_id: str, *, delete_assets: bool) -> None:
    """412 while a campaign uses it (templates.md). delete_assets: its images go too,
    but only if none of them is used anywhere else (they are kept or deleted as a set)."""
    template = lock_or_not_found(session, get_template(session, organization_id, template_id), "template")
    if session.scalar(select(exists().where(Campaign.template_id == template.id))):
        raise StateConflict("the template is used by a campaign; it cannot be deleted")
    asset_ids = {template.attributes[key] for key in IMAGE_KEYS if template.attributes.get(key)}
    session.delete(template)
    session.flush()
    if delete_assets:
        _delete_exclusive_assets(session, organization_id, asset_ids)


def _delete_exclusive_assets(session: Session, organization_id: str, asset_ids: set[str]) -> None:
    assets = session.scalars(select(Asset).where(Asset.organization_id == organization_id,
                                                 Asset.id.in_(asset_ids))).all()
    if any(asset_in_use(session, asset) or _in_a_template(session, asset) for asset in assets):
        return
    for asset in assets:
        session.delete(asset)
    session.flush()


def _in_a_template(session: Session, asset: Asset) -> bool:
    # Same JSON-text search as services.assets.asset_in_use, over templates.
    quoted_id = f'"{asset.id}"'
    return bool(session.scalar(select(exists().where(
        Template.organization_id == asset.organization_id,
        cast(Template.attributes, Text).contains(quoted_id, autoescape=True),
    ))))


def _add_template(session: Session, organization_id: str, name: str, description: str | None, style: str,
                  attributes: dict[str, Any], *, source: str) -> Template:
    template = Template(organization_id=organization_id, name=name, description=description, style=style,
                        attributes={**attributes, SOURCE_KEY: source})
    session.add(template)
    session.flush()
    return template


def _name_taken(session: Session, organization_id: str, name: str) -> bool:
    return bool(session.scalar(select(exists().where(Template.organization_id == organization_id,
                                                     Template.name == name))))


def _unique_name(session: Session, organization_id: str, base: str) -> str:
    """"Template for X", then "Template for X-1", "-2"... as Passworks names them."""
    taken = set(session.scalars(select(Template.name).where(
        Template.organization_id == organization_id, Template.name.startswith(base, autoescape=True))))
    if base not in taken:
        return base
    number = 1
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
