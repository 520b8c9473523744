"""A campaign's remote form (advanced-features.md): the fields a form asks for, and a
pass from what it submits. The form itself is the integrator's (remote_form_url, where
the campaign's page sends customers); these two calls are what it needs from us."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput
from walletservice.models import Campaign
from walletservice.services.lookups import one_or_not_found
from walletservice.services.passworks_mapping import DYNAMIC, FIELD_LISTS, campaign_attributes


def get_any_campaign(session: Session, organization_id: str, campaign_id: str) -> Campaign:
    """advanced-features.md: "The campaign_id is the ID of a any kind of campaign"."""
    statement = select(Campaign).where(Campaign.organization_id == organization_id, Campaign.id == campaign_id)
    return one_or_not_found(session, statement, "campaign")


def _fields_by_list(campaign: Campaign) -> dict[str, list[dict[str, Any]]]:
    attributes = campaign_attributes(campaign.design, campaign.settings)
    return {name: attributes[name] for name in FIELD_LISTS}


def form_fields(campaign: Campaign) -> dict[str, Any]:
    """{fields: {key: {key, label, value, behaviour}}, dynamic_fields_keys, static_fields_keys}."""
    fields = {field["key"]: {name: field[name] for name in ("key", "label", "value", "behaviour")}
              for listed in _fields_by_list(campaign).values() for field in listed}
    dynamic = [key for key, field in fields.items() if field["behaviour"] == DYNAMIC]
    return {"fields": fields, "dynamic_fields_keys": dynamic,
            "static_fields_keys": [key for key in fields if key not in dynamic]}


def submitted_pass_attributes(campaign: Campaign, values: Mapping[str, Any], *,
                              locations: Sequence[Mapping[str, Any]] | None = None,
                              beacons: Sequence[Mapping[str, Any]] | None = None,
                              barcodes: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The pass attributes (as POST .../passes takes them) of a form's submission: each
    value goes to its dynamic field; beacons and locations replace the campaign's; the
    first of `barcodes` is the pass's barcode (code_type per_pass). A key that is not a
    dynamic field is refused: the form would lose it without a word."""
    placed: dict[str, str] = {}
    for name, listed in _fields_by_list(campaign).items():
        placed.update({field["key"]: name for field in listed if field["behaviour"] == DYNAMIC})
    unknown = sorted(key for key in values if key not in placed)
    if unknown:
        raise InvalidInput(f"{unknown[0]}: not a dynamic field of the campaign "
                           f"(GET /v2/remote_forms/{campaign.id}/fields lists them)")
    attributes: dict[str, Any] = {}
    for key, value in values.items():
        attributes.setdefault(placed[key], []).append({"key": key, "value": value})
    if locations is not None:
        attributes["locations"] = list(locations)
    if beacons is not None:
        attributes["beacons"] = list(beacons)
    if barcodes:
        attributes["barcode"] = dict(barcodes[0])
    return attributes
