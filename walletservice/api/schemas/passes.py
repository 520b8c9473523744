"""Passes under a campaign (the "Creating a pass" sections of the five type documents)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from walletservice.api.schemas.campaigns import (
    MAX_FIELDS_PER_LIST,
    Barcode,
    Color,
    FieldKey,
    FieldValue,
    Presentation,
    PresentationView,
    RedeemCode,
    ShortText,
)
from walletservice.api.schemas.common import Timestamp


class PassField(BaseModel):
    """A value for one of the campaign's fields, by key."""

    key: FieldKey
    value: FieldValue = None
    label: ShortText | None = None
    change_message: ShortText | None = None


PassFieldList = Annotated[list[PassField] | None, Field(max_length=MAX_FIELDS_PER_LIST)]


class PassAttributes(Presentation):
    header_fields: PassFieldList = None
    primary_fields: PassFieldList = None
    secondary_fields: PassFieldList = None
    auxiliary_fields: PassFieldList = None
    back_fields: PassFieldList = None
    additional_info_fields: PassFieldList = None
    footer_fields: PassFieldList = None
    barcode: Barcode | None = None
    text_color: Color | None = None
    voided: bool | None = Field(None, description="A voided pass shows as such in Wallet.")
    redeem_code: RedeemCode | None = Field(
        None, description="Create only, campaigns with code_type per_pass: the pass's code (unique in the "
                          "campaign); default: the barcode message, else a random code.")
    push_message: ShortText | None = Field(
        None, description="Update only: shown on the lock screen when the update reaches the device.")
    merge: bool | None = Field(None, description="Update only; also read at the top level.")
    push: bool | None = Field(None, description="Update only; also read at the top level.")


class PassBody(BaseModel):
    """`{"pass": {...}}`; an empty body issues the campaign's boilerplate pass."""

    model_config = ConfigDict(populate_by_name=True)

    pass_: PassAttributes = Field(default_factory=PassAttributes, alias="pass")
    merge: bool | None = Field(
        None, description="true (default): the values sent join the pass's own; false: they replace them.")
    push: bool | None = Field(None, description="Push the change to installed passes; default true.")


class PassPushAttributes(BaseModel):
    push_message: ShortText | None = None


class PassPushBody(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    pass_: PassPushAttributes = Field(default_factory=PassPushAttributes, alias="pass")


class PassResponse(PresentationView):
    id: str
    campaign_id: str
    voided: bool
    serial_number: str
    redeem_code: str | None = Field(None, description="Assigned at creation by the campaign's code_type.")
    redeemed_count: int = Field(0, description="Redeems since creation or the last reset_redeem.")
    redeemed_at: Timestamp | None = None
    background_color: str | None = None
    text_color: str | None = None
    label_color: str | None = None
    pkpass_url: str
    page_url: str = Field(description="The customer's download page: the pass, an Add to Apple Wallet "
                                      "button and a QR code of pkpass_url.")
    preview_url: str = Field(description="page_url with a signed preview token: shows you (not customers) "
                                         "notes such as a paused campaign or a voided pass. Keep it private.")
    # coupon.md answers both and advanced-features.md redirects to page_short_url; no shortener here.
    page_short_url: str = Field(description="The same link as page_url (Passworks' short link).")
    pkpass_short_url: str = Field(description="The same link as pkpass_url (Passworks' short link).")
    # store_card.md and event_ticket.md answer a pass with v1's names for the links, and its token.
    download_page_link: str = Field(description="The same link as page_url (store_card.md's name).")
    direct_link: str = Field(description="The same link as pkpass_url (store_card.md's name).")
    authentication_token: str = Field(
        description="The pass's token for Apple's web service, as store_card.md shows it; it is inside the "
                    ".pkpass anyone with pkpass_url can download.")
    push_id: str | None = Field(None, description="Set when this change was pushed: GET /v2/pushes/{push_id}.")
    gwallet_save_url: str | None = Field(
        None, description="\"Save to Google Wallet\" link of a campaign with gwallet_usage, once the pass's "
                          "Google object exists (moments after it is issued); null before and without gwallet_usage.")
    created_at: Timestamp
    updated_at: Timestamp
