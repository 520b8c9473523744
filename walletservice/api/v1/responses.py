"""Campaigns and passes in v1's shapes, from the same Passworks attributes v2 answers with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app

from walletservice.api.v1.schemas import (
    PASS_MODELS,
    LoyaltyCard,
    LoyaltyPass,
    LoyaltyPassData,
    V1Barcode,
    V1Campaign,
    V1Field,
    V1Pass,
)
from walletservice.models import Campaign, Pass
from walletservice.services.passworks_mapping import (
    CAMPAIGN_TYPES,
    FIELD_LISTS,
    campaign_attributes,
    pass_attributes,
)
from walletservice.web.routes import page_path, pkpass_path

def campaign_view(campaign: Campaign) -> V1Campaign:
    attributes = campaign_attributes(campaign.design, campaign.settings)
    return V1Campaign.model_validate({
        **attributes, **_field_lists(attributes), "barcode": attributes["barcode"]["format"],
        "id": campaign.id, "name": campaign.name, "certificate_id": campaign.certificate_id,
        "created_at": campaign.created_at, "updated_at": campaign.updated_at,
    })


def pass_view(segment: str, pass_: Pass, campaign: Campaign) -> V1Pass:
    root = CAMPAIGN_TYPES[segment][0]
    attributes = _pass_attributes(pass_, campaign)
    return PASS_MODELS[segment].model_validate({
        **attributes, **_pass_common(pass_), f"{root}_id": campaign.id,
        "transit_type": campaign_attributes(campaign.design, campaign.settings)["transit_type"],
    })


def loyalty_card_view(pass_: Pass) -> LoyaltyCard:
    links = _links(pass_)
    return LoyaltyCard(loyalty_id=pass_.campaign_id, pass_id=pass_.id, donwload_page_link=links["page"],
                       download_page_link=links["page"], direct_link=links["pkpass"])


def loyalty_pass_view(pass_: Pass, campaign: Campaign) -> LoyaltyPass:
    attributes = _pass_attributes(pass_, campaign)
    common = _pass_common(pass_)
    return LoyaltyPass.model_validate({
        **common, "loyalty_id": campaign.id, "donwload_page_link": common["download_page_link"],
        "pass_data": LoyaltyPassData.model_validate({**attributes, "foreground_color": attributes["text_color"]}),
    })


def _pass_attributes(pass_: Pass, campaign: Campaign) -> dict[str, Any]:
    behaviours = (campaign.settings or {}).get("behaviours") or {}
    attributes = pass_attributes(pass_.content, behaviours)
    barcode = attributes["barcode"]
    return {**attributes, **_field_lists(attributes),
            "barcode": V1Barcode(format=barcode["format"], message=barcode["message"],
                                 alt_text=barcode["alt_text"] or barcode["message"])}


def _pass_common(pass_: Pass) -> dict[str, Any]:
    links = _links(pass_)
    return {
        "id": pass_.id, "voided": bool(pass_.voided), "authentication_token": pass_.authentication_token,
        "serial_number": pass_.serial_number, "redeemed_count": pass_.redeemed_count or 0,
        "redeemed_at": pass_.redeemed_at, "download_page_link": links["page"], "direct_link": links["pkpass"],
        "created_at": pass_.created_at, "updated_at": pass_.modified_at,
    }


def _field_lists(attributes: Mapping[str, Any]) -> dict[str, list[V1Field]]:
    """v1 writes an unset label or value as "" (its examples), v2 as null."""
    return {
        name: [V1Field(key=field["key"], label=_or_empty(field.get("label")), value=_or_empty(field.get("value")))
               for field in attributes.get(name) or []]
        for name in FIELD_LISTS
    }


def _or_empty(value: Any) -> Any:
    return "" if value is None else value


def _links(pass_: Pass) -> dict[str, str]:
    base = current_app.config["WALLET_PUBLIC_URL"]
    return {"page": base + page_path(pass_), "pkpass": base + pkpass_path(pass_)}
