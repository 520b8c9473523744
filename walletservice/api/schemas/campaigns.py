"""Campaigns of the five pass types (v2/coupon.md, store_card.md, event_ticket.md,
boarding_pass.md, generic.md): bodies and responses."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model, model_validator

from walletservice.api.schemas.apple_key_groups import BoardingLinks, Ios27Presentation, Poster
from walletservice.api.schemas.common import Color, InputTimestamp, ShortText, Timestamp
from walletservice.services.passworks_mapping import CAMPAIGN_TYPES

MAX_RELEVANCE_ITEMS = 10  # Apple shows at most 10 locations and 10 beacons
MAX_FIELDS_PER_LIST = 20
# Ours, not Apple's (Apple gives no limit): a season of home games fits, a runaway list does not.
MAX_UPCOMING_EVENTS = 50

FieldKey = Annotated[str, StringConstraints(pattern=r"^[^\x00]+$", max_length=100)]
FieldValue = Annotated[str | int | float | None, Field(union_mode="left_to_right")]
# ean13, code39, codabar and itf are iOS 27's (passkit.barcodes adds a Code 128 fallback for older iOS).
BarcodeFormat = Literal["qrcode", "pdf417", "aztec", "ean128", "code128", "ean13", "code39", "codabar", "itf", "none"]
TransitType = Literal["air", "boat", "bus", "train", "generic"]
CodeType = Literal["sequential", "sequencial", "fixed", "per_pass"]
RedeemCode = Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", max_length=64)]
CodeText = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=100_000)]
PassDate = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=64),
                     Field(description="ISO 8601 with hours, minutes and a time zone",
                           examples=["2026-05-01T19:30:00+02:00"])]
StyleScheme = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=64)]


class Barcode(BaseModel):
    format: BarcodeFormat | None = Field(None, description="Default qrcode; ean128 is drawn as Code 128. "
                                       "ean13, code39, codabar and itf (iOS 27) carry a Code 128 fallback for older iOS.")
    message: ShortText | None = Field(None, description="Default: the pass's serial number.")
    alt_text: ShortText | None = None
    encoding: Literal["iso-8859-1", "utf-8"] | None = Field(None, description="Default iso-8859-1.")
    alt_text_type: Literal["mirror", "custom"] | None = Field(
        None, description="Read, not stored: answers say mirror while alt_text is empty or the message "
                          "(the text under the code repeats it), else custom.")


class EmailSendout(BaseModel):
    """Passcreator's email sendout of a template: plain text; {placeholders} are filled per pass."""

    subject: Annotated[str, StringConstraints(pattern=r"^[^\x00\r\n]*\S[^\x00\r\n]*$", max_length=255)]
    text: Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", max_length=20_000)]


class SmsSendout(BaseModel):
    """Passcreator's SMS sendout of a template: the text; {placeholders} are filled per pass."""

    text: Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", max_length=1600)]


ValidationPlace = Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", max_length=255)]


class CampaignField(BaseModel):
    key: FieldKey
    value: FieldValue = None
    label: ShortText | None = None
    change_message: ShortText | None = Field(None, description="Lock-screen text on change; must contain %@.")
    behaviour: Literal["fixed", "dynamic"] = "fixed"


class Location(BaseModel):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    altitude: float | None = None
    relevant_text: ShortText | None = None


class Beacon(BaseModel):
    proximity_uuid: uuid.UUID
    major: int | None = Field(None, ge=0, le=65535)
    minor: int | None = Field(None, ge=0, le=65535)
    relevant_text: ShortText | None = None


class RelevantDate(BaseModel):
    """Apple's Pass.RelevantDates entry, in Apple's key names: one moment or one interval."""

    model_config = ConfigDict(extra="forbid")

    date: PassDate | None = Field(None, description="One moment (instead of startDate and endDate).")
    startDate: PassDate | None = None  # noqa: N815 (Apple's key name)
    endDate: PassDate | None = Field(None, description="After startDate.")  # noqa: N815


class Nfc(BaseModel):
    """Apple's Pass.NFC, for passes read by Value Added Services (Apple Pay) terminals."""

    model_config = ConfigDict(extra="forbid")

    message: Annotated[str, StringConstraints(pattern=r"^[^\x00]+$", max_length=1000)] = Field(
        description="The payload the terminal receives: at most 64 bytes (UTF-8).")
    requires_authentication: bool | None = Field(
        None, description="iOS 13.1: Face ID / Touch ID / passcode for each use; also sets sharingProhibited "
                          "unless the pass sets it.")
    encryption_public_key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/=]+$", max_length=2000)] | None = (
        Field(None, description="Base64 of a P-256 SubjectPublicKeyInfo; default: the organization's newest NFC key "
                                "(`flask wallet nfc-key create`), copied when the campaign or pass is saved."))


FieldList = Annotated[list[CampaignField] | None, Field(max_length=MAX_FIELDS_PER_LIST)]
Locations = Annotated[list[Location] | None, Field(max_length=MAX_RELEVANCE_ITEMS)]
Beacons = Annotated[list[Beacon] | None, Field(max_length=MAX_RELEVANCE_ITEMS)]


class Presentation(Ios27Presentation):
    """What campaigns and passes both carry: images, colors, relevance, dates, user_info."""

    icon_id: uuid.UUID | None = None
    logo_id: uuid.UUID | None = None
    strip_id: uuid.UUID | None = None
    thumbnail_id: uuid.UUID | None = None
    background_id: uuid.UUID | None = None
    footer_id: uuid.UUID | None = None
    primary_logo_id: uuid.UUID | None = Field(
        None, description="The logo atop a poster face: poster event tickets (iOS 18) and poster_generic (iOS 27).")
    artwork_id: uuid.UUID | None = Field(
        None, description="A poster event ticket's artwork (iOS 18), exactly 358 x 448 points.")
    secondary_logo_id: uuid.UUID | None = Field(
        None, description="A poster event ticket's secondary logo (iOS 18), at most 135 x 12 points.")
    background_color: Color | None = None
    label_color: Color | None = None
    locations: Locations = None
    beacons: Beacons = None
    max_distance: int | None = Field(None, ge=0, description="Meters: at most 1000 for event tickets, 100 otherwise.")
    relevant_date: InputTimestamp | None = None
    expiration_date: InputTimestamp | None = None
    user_info: dict[str, Any] | None = None
    relevant_dates: list[RelevantDate] | None = Field(
        None, max_length=100, description="iOS 18: when the pass is relevant, in Apple's spelling: "
        '[{"startDate": ..., "endDate": ...} or {"date": ...}]. Older iOS gets the earliest as relevant_date '
        "unless relevant_date is set. A pass's list replaces its campaign's (docs/pass-format.md).")
    semantics: dict[str, Any] | None = Field(
        None, description="Apple's semantic tags ({\"eventName\": ...}); a pass's object replaces its campaign's.")
    preferred_style_schemes: list[StyleScheme] | None = Field(
        None, max_length=4, description='Event tickets: ["posterEventTicket"] for the iOS 18 poster layout; it needs '
        "semantics eventName and venueName (or venueRegionName or venueRoom), and more by eventType. "
        "The classic eventTicket layout is kept as the fallback. Boarding passes: [\"semanticBoardingPass\"] "
        "(iOS 26, air only) needs the semantics Apple lists (docs/pass-format.md); boardingPass is the fallback.")
    nfc: Nfc | None = Field(None, description="NFC payload (needs Apple's NFC entitlement on the certificate); "
                                              "a pass's object replaces its campaign's.")
    poster: Poster | None = Field(
        None, description="Event tickets' poster layout (iOS 18): Apple's top-level keys eventLogoText, "
        "footerBackgroundColor, suppressHeaderDarkening, useAutomaticColors, auxiliaryStoreIdentifiers and the "
        "event guide's links (bagPolicyURL, ...). A pass's keys replace its campaign's key by key.")
    boarding_links: BoardingLinks | None = Field(
        None, description="Boarding passes, iOS 26 semantic boarding passes: Apple's airline-service links "
        "(changeSeatURL, upgradeURL, ...) and transitProviderEmail/PhoneNumber. A pass's keys replace its "
        "campaign's key by key.")
    upcoming_events: list[dict[str, Any]] | None = Field(
        None, max_length=MAX_UPCOMING_EVENTS, description="Event tickets, iOS 26: Apple's upcomingPassInformation "
        'entries in Apple\'s spelling ({"identifier", "name", "type": "event", "dateInformation", "semantics", '
        '"URLs", "isActive", "images", ...}). An image is {"asset_id": <an uploaded asset>} (we host it at an '
        'immutable URL with its SHA-256) or {"reuseExisting": true}. '
        "A pass's list replaces its campaign's (docs/pass-format.md).")


class CampaignChanges(Presentation):
    """A PATCH: only the attributes sent change; null clears one."""

    model_config = ConfigDict(populate_by_name=True)

    name: Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", max_length=255)] | None = None
    description: ShortText | None = Field(None, description="Default: the name.")
    organization_name: ShortText | None = Field(None, description="Default: the organization's name.")
    logo_text: ShortText | None = None
    template_id: uuid.UUID | None = Field(
        None, description="A template of the same pass type (GET /v2/templates): its presentation fields "
                          "(images, colors, logo_text, barcode, transit_type) apply unless sent here too.")
    certificate_id: uuid.UUID | None = Field(
        None, description="Your certificate or a shared one; default: your newest, else the platform's.")
    text_color: Color | None = Field(None, description="Apple's foregroundColor; `foreground_color` also read.")
    foreground_color: Color | None = Field(None, description="Same as text_color (the Skyport example's name).")
    barcode: Barcode | None = None
    header_fields: FieldList = None
    primary_fields: FieldList = None
    secondary_fields: FieldList = None
    auxiliary_fields: FieldList = None
    back_fields: FieldList = None
    additional_info_fields: FieldList = Field(None, description="iOS 18 poster layout: Apple's additionalInfoFields.")
    footer_fields: FieldList = Field(
        None, description="iOS 27 poster generic face (poster_generic: true): its one footer field.")
    transit_type: TransitType | None = Field(None, description="Boarding passes only; required for them.")
    associated_store_identifiers: list[Annotated[int, Field(ge=1)]] | None = None
    code_type: CodeType | None = Field(
        None, description="How passes get their redeem code: sequential (default; 'sequencial' also read), "
                          "fixed (code_fixed_value for all) or per_pass (the pass body's redeem_code or "
                          "barcode message, else a random code).")
    code_fixed_value: RedeemCode | None = Field(None, description="The code of every pass when code_type is fixed.")
    allow_multiple_redeems: bool | None = Field(
        None, description="Default false: a second redeem is 412 and redeeming voids the pass.")
    og: bool | None = Field(None, description="Open Graph tags on the download page; default true.")
    og_description: ShortText | None = None
    javascript: CodeText | None = None
    stylesheet: CodeText | None = None
    gwallet_usage: bool | None = Field(
        None, description="android_pay.md: default false. When true, the campaign's passes are also issued to "
                          "Google Wallet (docs/google-wallet.md): the campaign becomes a Google class, each pass "
                          "an object kept in step with every change; gwallet_status says how the sync goes.")
    download_pin_enabled: bool | None = Field(
        None, description="Default false. When true, the download page asks for a pass's downloadPin "
                          "(set with /api/v3/pass) before it shows the pass or lets it be downloaded; "
                          "passes without one are not affected.")
    remote_form_url: Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=2048)] | None = Field(
        None, description="advanced-features.md: the campaign's page (page_url) sends customers here with GET, "
                          "adding ?campaign_id=<id> (a query it has is kept), instead of issuing them a pass. "
                          "An absolute http(s) URL; null removes it.", examples=["http://example.org"])
    render_on_short_url: bool | None = Field(
        None, description="Default false. Kept and answered; the short links are the long ones here, so it "
                          "changes nothing.")
    email_sendout: EmailSendout | None = Field(
        None, description="Default null (no mail). When set, a pass created or updated with /api/v3/pass and "
                          "an `emailRecipient` is mailed to that address (the server needs WALLET_SMTP_URL). "
                          "Placeholders in subject and text: {downloadPage}, {organizationName}, "
                          "{templateName} and the campaign's dynamic fields by key ({firstname}); "
                          "{{ and }} are literal braces. Any other placeholder is 422.",
        examples=[{"subject": "Your ticket for {templateName}",
                   "text": "Hello {firstname},\n\nadd your ticket to Apple Wallet: {downloadPage}"}])
    sms_sendout: SmsSendout | None = Field(
        None, description="Default null (no text message). When set, a pass created or updated with /api/v3/pass "
                          "and a `phoneRecipient` (E.164, e.g. +4917012345678) is sent to that number by SMS (the "
                          "server needs WALLET_SMS_URL and its credentials). Placeholders as in email_sendout.",
        examples=[{"text": "Hello {firstname}, your ticket: {downloadPage}"}])
    valid_validation_places: list[ValidationPlace] | None = Field(
        None, max_length=1000,
        description="Passcreator's validValidationPlaces of the template. When set, /api/v3/pass refuses "
                    "eligibleValidationPlaces outside it (400); null (default) accepts any.")


class CampaignCreate(CampaignChanges):
    name: Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$", max_length=255)]
    icon_id: uuid.UUID | None = Field(None, description="Required unless template_id gives one.")


def _root_models(base: type[BaseModel], suffix: str) -> dict[str, type[BaseModel]]:
    """One body model per pass type, rooted at its singular name ({"generic": {...}})."""
    models = {}
    for segment, (root, _style) in CAMPAIGN_TYPES.items():
        title = "".join(part.capitalize() for part in root.split("_"))
        models[segment] = create_model(f"{title}{suffix}", **{root: (base, ...)})  # type: ignore[call-overload]
    return models


CREATE_BODIES = _root_models(CampaignCreate, "CreateBody")
UPDATE_BODIES = _root_models(CampaignChanges, "UpdateBody")


class PushMessage(BaseModel):
    push_message: ShortText | None = None


PUSH_BODIES = {
    segment: create_model(  # type: ignore[call-overload]
        "".join(part.capitalize() for part in root.split("_")) + "PushBody",
        **{root: (PushMessage, Field(default_factory=PushMessage))},
    )
    for segment, (root, _style) in CAMPAIGN_TYPES.items()
}


def _merge_body(segment: str, root: str) -> type[BaseModel]:
    """coupon.md sends `{"push_message": ...}`; `{"<root>": {"push_message": ...}}` is read too."""
    title = "".join(part.capitalize() for part in root.split("_")) + "MergeBody"
    model: type[PushMessage] = create_model(  # type: ignore[call-overload]
        title, __base__=PushMessage, **{root: (PushMessage, Field(default_factory=PushMessage))})
    return model


MERGE_BODIES = {segment: _merge_body(segment, root) for segment, (root, _style) in CAMPAIGN_TYPES.items()}


class FieldView(BaseModel):
    key: str
    value: Any = None
    label: str | None = None
    change_message: str | None = None
    behaviour: Literal["fixed", "dynamic"]


class BarcodeView(BaseModel):
    format: str
    message: str
    alt_text: str
    alt_text_type: Literal["mirror", "custom"] = Field(
        "mirror", description="mirror: the text under the code repeats the message (alt_text empty or equal "
                              "to it); custom: alt_text differs.")
    encoding: str | None = None

    @model_validator(mode="after")
    def _derived(self) -> BarcodeView:
        self.alt_text_type = "mirror" if self.alt_text in ("", self.message) else "custom"
        return self


class DistributionView(BaseModel):
    """The campaign's download page, as Passworks lists its distributions (coupon.md)."""

    id: str
    distribution_type: Literal["downloadPage"] = "downloadPage"
    state: Literal["published", "paused", "archived"] = Field(description="The campaign's state.")
    page_url: str = Field(description="The campaign's page: a new pass for each visitor, or the remote form.")
    pkpass_url: str = Field(description="A new pass of the campaign, downloaded at once.")
    preview_url: str = Field(description="The campaign's image (its logo, else its icon) as PNG.")
    page_short_url: str = Field(description="The same link as page_url (no shortener here).")
    pkpass_short_url: str = Field(description="The same link as pkpass_url.")
    preview_short_url: str = Field(description="The same link as preview_url.")
    created_at: Timestamp
    updated_at: Timestamp
    published_at: Timestamp


class LocationView(BaseModel):
    latitude: float
    longitude: float
    altitude: float | None = None
    relevant_text: str | None = None


class BeaconView(BaseModel):
    proximity_uuid: str
    major: int | None = None
    minor: int | None = None
    relevant_text: str | None = None


class PresentationView(BaseModel):
    barcode: BarcodeView
    barcodes: list[BarcodeView] = Field(
        default_factory=list, description="The barcodes the pass carries, as in coupon.md: the one barcode, "
                                          "[] when its format is none.")
    header_fields: list[FieldView]
    primary_fields: list[FieldView]
    secondary_fields: list[FieldView]
    auxiliary_fields: list[FieldView]
    back_fields: list[FieldView]
    additional_info_fields: list[FieldView] = []
    footer_fields: list[FieldView] = []
    locations: list[LocationView]
    beacons: list[BeaconView]
    user_info: dict[str, Any]
    max_distance: int | None = None
    relevant_date: str | None = None
    relevant_dates: list[dict[str, str]] | None = None
    semantics: dict[str, Any] | None = None
    preferred_style_schemes: list[str] | None = None
    nfc: dict[str, Any] | None = None
    poster: dict[str, Any] | None = None
    boarding_links: dict[str, Any] | None = None
    upcoming_events: list[dict[str, Any]] | None = None
    featured_actions: list[dict[str, Any]] | None = None
    poster_generic: bool | None = None
    expiration_date: str | None = None
    icon_id: str | None = None
    logo_id: str | None = None
    strip_id: str | None = None
    thumbnail_id: str | None = None
    background_id: str | None = None
    footer_id: str | None = None
    primary_logo_id: str | None = None
    artwork_id: str | None = None
    secondary_logo_id: str | None = None
    page_url: str | None = Field(None, description="The download page.")

    @model_validator(mode="after")
    def _barcodes(self) -> PresentationView:
        if not self.barcodes and self.barcode.format != "none":
            self.barcodes = [self.barcode]
        return self


class CampaignResponse(PresentationView):
    id: str
    name: str
    template_id: str | None = None
    state: Literal["published", "paused", "archived"]
    description: str | None = None
    organization_name: str | None = None
    logo_text: str | None = None
    background_color: str | None = None
    text_color: str | None = None
    label_color: str | None = None
    transit_type: str | None = None
    associated_store_identifiers: list[int] | None = None
    certificate_id: str | None = None
    allow_multiple_redeems: bool = False
    code_type: Literal["sequential", "fixed", "per_pass"] = "sequential"
    code_fixed_value: str | None = None
    og: bool
    og_description: str
    javascript: str | None = None
    stylesheet: str | None = None
    download_pin_enabled: bool = False
    email_sendout: EmailSendout | None = None
    sms_sendout: SmsSendout | None = None
    valid_validation_places: list[str] | None = None
    remote_form_url: str | None = None
    render_on_short_url: bool = False
    # coupon.md's campaign update answers its distribution's links at the top level too.
    pkpass_url: str | None = Field(None, description="A new pass of the campaign (distributions[0].pkpass_url).")
    page_short_url: str | None = Field(None, description="The same link as page_url.")
    pkpass_short_url: str | None = Field(None, description="The same link as pkpass_url.")
    distributions: list[DistributionView] = Field(
        default_factory=list, description="The campaign's one distribution: its download page (page_url).")
    # android_pay.md's keys.
    gwallet_usage: bool = Field(False, description="Whether the campaign's passes are also Google Wallet passes.")
    gwallet_status: Literal["local", "updated", "syncing", "sync_done", "failed"] | None = Field(
        None, description="android_pay.md's sync state: local (just created), updated (changed since the last "
                          "sync), syncing, sync_done, failed (see gwallet_message); null without gwallet_usage.")
    gwallet_message: str | None = Field(None, description="Why the last sync failed.")
    created_at: Timestamp
    updated_at: Timestamp


class MessageResponse(BaseModel):
    message: str
    push_id: str | None = Field(None, description="Follow the push at GET /v2/pushes/{push_id}.")
    job_id: str | None = Field(
        None, description="Set when passes are rewritten first (merge, push with push_message): follow the "
                          "rewrite at GET /v2/jobs/{job_id}; the push waits for it.")


class CampaignRewriteQuery(BaseModel):
    """Query parameters of a campaign push and merge."""

    dry_run: bool = Field(False, description="true: answer what would change (200), change and push nothing.")
    overwrite_empty: bool = Field(
        False, description="true: a fixed field whose campaign value is empty empties the passes' values too; "
                           "by default a pass keeps its non-empty value there.")


class DryRunResponse(BaseModel):
    dry_run: Literal[True] = True
    passes: int = Field(description="Passes whose content would change.")
    fields: dict[str, int] = Field(description="Per field key, the passes whose value of that field would change.")
