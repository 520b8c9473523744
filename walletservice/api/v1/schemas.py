"""Passworks v1 bodies and responses (passworks-api/v1/*.md, passworks-v1-loyalty.md).

Requests reuse the v2 models, widened where v1 wrote things differently (a barcode
given as its format name). Responses follow the v1 examples' shapes; every
difference from them is listed in docs/v1-compatibility.md.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from walletservice.api.schemas.campaigns import Barcode, BeaconView, CampaignCreate, LocationView, ShortText
from walletservice.api.schemas.common import Timestamp
from walletservice.api.schemas.passes import PassAttributes
from walletservice.services.passworks_mapping import CAMPAIGN_TYPES


def _barcode_by_name(value: Any) -> Any:
    """v1 campaigns write `"barcode": "pdf417"`; v2 writes `{"format": "pdf417"}`."""
    return {"format": value} if isinstance(value, str) else value


class V1CampaignCreate(CampaignCreate):
    barcode: Barcode | None = Field(None, description='v1: the format name ("pdf417") or a v2 barcode object.')

    _barcode = field_validator("barcode", mode="before")(_barcode_by_name)


class V1PassAttributes(PassAttributes):
    barcode: Barcode | None = None

    _barcode = field_validator("barcode", mode="before")(_barcode_by_name)


class V1PassBody(BaseModel):
    """`{"pass": {...}}`; merge and push are read inside "pass" (v1)."""

    model_config = ConfigDict(populate_by_name=True)

    pass_: V1PassAttributes = Field(default_factory=V1PassAttributes, alias="pass")


class V1PushBody(BaseModel):
    """`{"push_message": "Hello!"}` at the top level (v1), or inside "pass" as v2 sends it."""

    model_config = ConfigDict(populate_by_name=True)

    push_message: ShortText | None = None
    pass_: dict[str, Any] | None = Field(None, alias="pass")

    def message(self) -> str | None:
        nested = (self.pass_ or {}).get("push_message")
        return self.push_message or (nested if isinstance(nested, str) else None)


def _root_bodies() -> dict[str, type[BaseModel]]:
    bodies = {}
    for segment, (root, _style) in CAMPAIGN_TYPES.items():
        title = "".join(part.capitalize() for part in root.split("_"))
        bodies[segment] = create_model(f"V1{title}CreateBody", **{root: (V1CampaignCreate, ...)})  # type: ignore[call-overload]
    return bodies


CREATE_BODIES = _root_bodies()


class LoyaltyCreateBody(BaseModel):
    """passworks-v1-loyalty.md: the store card campaign under "campaign"."""

    campaign: V1CampaignCreate


# -- responses ---------------------------------------------------------------------

class V1Field(BaseModel):
    key: str
    label: str = Field(description='"" when the field has none (v1).')
    value: Any = Field(description='"" while unset (v1); numbers stay numbers.')


class V1Barcode(BaseModel):
    format: str
    message: str
    alt_text: str


class V1Asset(BaseModel):
    id: str
    asset_type: str
    created_at: Timestamp


class V1Certificate(BaseModel):
    id: str
    team_identifier: str
    pass_type_identifier: str
    issued_to: str | None = None
    expires_at: Timestamp


class V1Presentation(BaseModel):
    header_fields: list[V1Field]
    primary_fields: list[V1Field]
    secondary_fields: list[V1Field]
    auxiliary_fields: list[V1Field]
    back_fields: list[V1Field]
    locations: list[LocationView]
    beacons: list[BeaconView]
    transit_type: str | None = Field(None, description="Boarding passes only.")
    expiration_date: str | None = None


class V1Campaign(V1Presentation):
    id: str
    name: str
    description: str | None = None
    organization_name: str | None = None
    logo_text: str | None = None
    certificate_id: str | None = None
    icon_id: str | None = None
    logo_id: str | None = None
    strip_id: str | None = None
    thumbnail_id: str | None = None
    background_id: str | None = None
    footer_id: str | None = None
    background_color: str | None = None
    text_color: str | None = None
    label_color: str | None = None
    barcode: str = Field(description="The format name, as v1 campaigns write it.")
    created_at: Timestamp
    updated_at: Timestamp


class V1PassCommon(BaseModel):
    id: str
    voided: bool
    authentication_token: str = Field(description="Apple's web service token of the pass (v1 shows it).")
    serial_number: str
    redeemed_count: int
    redeemed_at: Timestamp | None = None
    download_page_link: str
    direct_link: str
    created_at: Timestamp
    updated_at: Timestamp


class V1Pass(V1PassCommon, V1Presentation):
    barcode: V1Barcode


def _pass_models() -> dict[str, type[V1Pass]]:
    """One per type: the campaign id's key is named after it ("store_card_id")."""
    models = {}
    for segment, (root, _style) in CAMPAIGN_TYPES.items():
        title = "".join(part.capitalize() for part in root.split("_"))
        models[segment] = create_model(f"V1{title}Pass", __base__=V1Pass, **{f"{root}_id": (str, ...)})  # type: ignore[call-overload]
    return models


PASS_MODELS = _pass_models()


class LoyaltyCampaignResponse(BaseModel):
    campaign: V1Campaign


class LoyaltyCard(BaseModel):
    loyalty_id: str
    pass_id: str
    donwload_page_link: str = Field(description="Spelled as the v1 document spells it.")
    download_page_link: str = Field(description="The same link, spelled correctly.")
    direct_link: str


class LoyaltyCardResponse(BaseModel):
    loyalty_card: LoyaltyCard


class LoyaltyPassData(BaseModel):
    header_fields: list[V1Field]
    primary_fields: list[V1Field]
    secondary_fields: list[V1Field]
    auxiliary_fields: list[V1Field]
    back_fields: list[V1Field]
    background_color: str | None = None
    foreground_color: str | None = None
    label_color: str | None = None
    barcode: V1Barcode
    beacons: list[BeaconView]
    locations: list[LocationView]
    expiration_date: str | None = None
    relevant_date: str | None = None
    max_distance: int | None = None


class LoyaltyPass(V1PassCommon):
    loyalty_id: str
    donwload_page_link: str = Field(description="Spelled as the v1 document spells it.")
    pass_data: LoyaltyPassData


class LoyaltyPassResponse(BaseModel):
    pass_: LoyaltyPass = Field(alias="pass")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class V1Message(BaseModel):
    message: str
    push_id: str | None = Field(None, description="Follow the push at GET /v2/pushes/{push_id}.")
