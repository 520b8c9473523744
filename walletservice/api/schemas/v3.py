"""Passcreator v3 request and response shapes (passcreator-v3-passes.md).

Request bodies validate the documented keys' types and let additional properties
through (the template decides which exist: services.passcreator.passes). Responses are the
documented envelope; these models document them in /api/v3/openapi.json.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, create_model

from walletservice.api.schemas.common import Text
from walletservice.services.passcreator.pass_view import BOARDING_SEMANTICS, WALLET_COLUMNS

Data = TypeVar("Data")


class V3Location(BaseModel):
    model_config = ConfigDict(extra="forbid")

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    altitude: float | None = None
    relevantText: Text | None = Field(None, max_length=500)
    localizedRelevantText: dict[str, Text] | None = Field(None, description="Language code -> text.")
    maxDistance: float | None = Field(None, ge=0, allow_inf_nan=False,
                                      description="Meters (a fraction is rounded); capped by Apple's limit "
                                                  "for the style.")


class V3Nfc(BaseModel):
    """Apple's Pass.NFC; encryptionPublicKey defaults to the organization's newest NFC key."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(description="What the pass hands the reader; at most 64 bytes.")
    requiresAuthentication: bool | None = Field(None, description="Face ID / passcode before the pass is read.")
    encryptionPublicKey: str | None = Field(None, description="Base64 P-256 SubjectPublicKeyInfo; default: the "
                                                              "organization's (wallet nfc-key create).")


class V3PassData(BaseModel):
    """The documented keys; any other key is an additional property of the template, by id or name."""

    model_config = ConfigDict(extra="allow")

    templateId: str | None = Field(None, description="Create only, mandatory there: the template (campaign) id.")
    userProvidedId: Text | None = Field(None, max_length=255)
    enforceUniqueUserProvidedId: bool | None = Field(None, description="400 when the userProvidedId is used.")
    barcodeValue: Text | None = Field(None, max_length=2000)
    groupingIdentifier: Text | None = Field(None, max_length=255,
                                            description="Event tickets and boarding passes only; ignored on others.")
    urlToThumbnail: str | None = Field(None, max_length=2048, description="Fetched from allowed hosts only.")
    urlToBackground: str | None = Field(None, max_length=2048, description="Fetched from allowed hosts only.")
    urlToLogo: str | None = Field(None, max_length=2048, description="Fetched from allowed hosts only.")
    expirationDate: str | None = Field(None, description="Y-m-d H:i, UTC.", examples=["2055-12-31 00:00"])
    relevantDate: str | None = Field(None, description="Y-m-d H:i, UTC.")
    relevantDates: list[dict[str, str]] | None = Field(
        None, max_length=100, description='iOS 18: [{"date": "Y-m-d H:i"} or {"startDate": ..., "endDate": ...}], '
        "UTC; replaces the template's. Older iOS gets the earliest as relevantDate unless one is set.",
        examples=[[{"startDate": "2055-06-01 19:00", "endDate": "2055-06-01 23:00"}]])
    semantics: dict[str, Any] | None = Field(
        None, description="Apple's semantic tags (iOS 12+), replacing the template's; null gives the template's "
        "back. A posterEventTicket or semanticBoardingPass needs the tags Apple lists (docs/pass-format.md).",
        examples=[{"eventName": "Gala", "eventType": "PKEventTypeLivePerformance", "venueName": "Arena",
                   "performerNames": ["The Examples"]}])
    preferredStyleSchemes: list[str] | None = Field(
        None, max_length=4, description="iOS 18+: posterEventTicket (event tickets), semanticBoardingPass "
        "(boarding passes, iOS 26); the classic style is added as the fallback. Replaces the template's.",
        examples=[["posterEventTicket"]])
    nfc: V3Nfc | None = Field(None, description="Apple's Pass.NFC (needs the NFC entitlement), replacing the "
                                                "template's.")
    poster: dict[str, Any] | None = Field(
        None, description="Poster event tickets (iOS 18): Apple's top-level keys eventLogoText, "
        "footerBackgroundColor, suppressHeaderDarkening, useAutomaticColors, auxiliaryStoreIdentifiers and the "
        "event guide's https links; each replaces the template's (docs/pass-format.md). null: the template's.",
        examples=[{"eventLogoText": "Live", "bagPolicyURL": "https://arena.example.com/bags"}])
    boardingLinks: dict[str, Any] | None = Field(
        None, description="Semantic boarding passes (iOS 26): Apple's airline-service links (changeSeatURL, ...) "
        "and transitProviderEmail/PhoneNumber; each replaces the template's. null: the template's.")
    featuredActions: list[dict[str, Any]] | None = Field(
        None, description="iOS 27, every style: up to two actions in Apple's spelling, replacing the template's "
        '(docs/pass-format.md). null: the template\'s.',
        examples=[[{"identifier": "benefits", "type": "membershipBenefits", "url": "https://club.example.com/b"}]])
    # Strict: "yes" or 1 would otherwise become true.
    posterGeneric: StrictBool | None = Field(
        None, description="Generic, store card and coupon templates, iOS 27: true adds Apple's posterGeneric face "
        "beside the template's own style (the fallback for older iOS), false leaves it out; replaces the "
        "template's switch (v2 `poster_generic`). null: the template's.")
    upcomingPassInformation: list[dict[str, Any]] | None = Field(
        None, max_length=50, description="Event tickets, iOS 26: Apple's upcoming pass information entries "
        '({"identifier", "name", "type": "event", "dateInformation", "URLs", "semantics", "images", ...}), '
        'replacing the template\'s. An image is {"asset_id": <an asset of yours>}, hosted by us at an immutable '
        'URL with its SHA-256, or {"reuseExisting": true} (docs/pass-format.md).',
        examples=[[{"identifier": "match-2", "name": "Match 2", "type": "event",
                    "dateInformation": {"date": "2055-06-08T19:30:00+02:00"}}]])
    labelColor: str | None = Field(None, description="Hexadecimal; invalid values are dropped.")
    foregroundColor: str | None = Field(None, description="Hexadecimal; invalid values are dropped.")
    backgroundColor: str | None = Field(None, description="Hexadecimal; invalid values are dropped.")
    emailRecipient: str | None = Field(
        None, description="When the template has an email sendout (v2 campaign attribute `email_sendout`), the "
                          "pass is mailed to this address after it is written; invalid addresses, and a sendout "
                          "on a server without a mail server, are 400. Ignored without a sendout. Not allowed "
                          "in bulk updates.")
    phoneRecipient: str | None = Field(
        None, description="When the template has an SMS sendout (v2 campaign attribute `sms_sendout`), the pass's "
                          "link is sent to this number (E.164, e.g. +4917012345678) by SMS after it is written; "
                          "invalid numbers, and a sendout on a server without an SMS provider, are 400. Ignored "
                          "without a sendout. Not allowed in bulk updates.")
    locations: list[V3Location] | None = Field(None, max_length=10)
    storedValue: float | None = None
    eligibleValidationPlaces: list[Text] | None = Field(
        None, description="Must be among the template's validValidationPlaces when it lists them.")
    downloadPin: Text | None = Field(None, max_length=64)
    bundleId: Text | None = Field(None, max_length=255)
    localizedBackgroundImages: dict[str, str | None] | None = Field(
        None, description="Language code -> background image URL, fetched from allowed hosts only and shipped as "
                          "<language>.lproj/background.png; \"\" or null removes a language (PATCH), "
                          "null the whole object removes all.")


class V3PassBody(BaseModel):
    data: V3PassData


class V3TemplateSettings(BaseModel):
    """The template settings v3 writes (ours: Passcreator documents no template write)."""

    model_config = ConfigDict(extra="forbid")

    googleWalletEnabled: StrictBool = Field(
        description="Whether the template's passes are also Google Wallet passes (v2's `gwallet_usage`). "
                    "Turning it on syncs the template and every pass it has.")


class V3TemplateSettingsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data: V3TemplateSettings


class V3Filter(BaseModel):
    """One of identifiers, segmentId or query (Passcreator's query language)."""

    model_config = ConfigDict(extra="forbid")

    identifiers: list[str] | None = Field(None, max_length=10000)
    segmentId: str | None = None
    query: dict[str, Any] | None = None


class V3BulkBody(BaseModel):
    data: V3PassData
    filter: V3Filter


class V3AsyncQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    async_: bool = Field(True, alias="async", description="false: done in the request (slower).")


class V3PassQuery(BaseModel):
    formatKeyAdditionalProperties: Literal["id", "name"] = "id"


class V3ListQuery(BaseModel):
    pageSize: int | None = Field(None, ge=1, description="Default and maximum: WALLET_V3_MAX_PAGE_SIZE (1000).")
    formatKeyAdditionalProperties: Literal["id", "name"] = "id"
    segmentId: str | None = None
    query: str | None = Field(None, description="The query language as base64url-encoded JSON.")
    fields: str | None = Field(None, description="Comma-separated names of the properties to return.")
    cursor: str | None = Field(None, description="Set by page.next links; do not build it yourself.")


class V3SegmentBody(BaseModel):
    name: str | None = Field(None, max_length=255)
    query: dict[str, Any] | None = None


# -- responses ----------------------------------------------------------------------

class V3Envelope(BaseModel, Generic[Data]):
    success: bool = True
    description: str = "Success"
    errors: list[str] = Field(default_factory=list)
    data: Data
    statusCode: int = 200
    count: int = 1


class V3ErrorEnvelope(BaseModel):
    success: bool = False
    description: str = ""
    errors: list[str] = Field(examples=[["Object not found"]])
    data: list[Any] = Field(default_factory=list)
    statusCode: int = 404
    count: int = 0


class V3CreatedPass(BaseModel):
    identifier: str
    bundleId: str | None = None
    downloadPage: str = Field(description="The link to send the customer: the bundle's page when the pass "
                                          "has a bundleId, else the pass's own page.")
    bundleDownloadPage: str | None = Field(None, description="The page of the pass's bundle (one download "
                                                             "of all its passes); null without a bundleId.")
    barcodeValue: str | None = Field(None, description="null with async=true: it is not known yet.")
    iPhoneUri: str
    androidUri: str | None = None
    genericProperties: dict[str, Any] = Field(default_factory=dict)
    process: str | None = Field(None, description="async=true: GET it to follow the creation or update.")


class V3ListedPass(BaseModel):
    """A pass as listed, plus one key per additional property (by id or by name). Every key
    is present unless `fields` leaves it out; the boarding-pass keys only for passes of
    boarding-pass templates."""

    model_config = ConfigDict(extra="allow")

    identifier: str | None = None
    autoGeneratedId: str | None = Field(None, description="The pass's serial number.")
    voided: bool | None = None
    createdOn: str | None = Field(None, description="Y-m-d H:i:s, UTC.")
    modifiedOn: str | None = Field(None, description="Y-m-d H:i:s, UTC.")
    expirationDate: str | None = Field(None, description='Y-m-d H:i, UTC; "" when unset.')
    userProvidedId: str | None = None
    templateId: str | None = None
    templateName: str | None = None
    linkToPassPage: str | None = None
    iPhoneUri: str | None = Field(None, description="The .pkpass link (not in Passcreator's list).")
    barcodeValue: str | None = None
    barcodeAltText: str | None = None
    numberOfActive: int | None = Field(None, description="Current registrations.")
    numberOfInactive: int | None = Field(None, description="Registrations removed (uninstalled).")
    numberOfPrinted: int | None = Field(None, description="Always 0: no printing here.")
    lastUsage: str | None = Field(None, description='Last redeem, Y-m-d H:i:s UTC; "" when never.')
    storedValue: float | None = None
    bundleId: str | None = None
    bundleDownloadPage: str | None = Field(None, description="The page of the pass's bundle; null without a "
                                                             "bundleId. linkToPassPage stays the pass's own page.")
    groupingIdentifier: str | None = Field(None, description="Not in Passcreator's list.")
    eligibleValidationPlaces: list[str] | None = Field(None, description="Not in Passcreator's list.")
    bulkCreationJobId: str | None = Field(None, description="Always null.")
    downloadEnabledUntil: str | None = Field(None, description="Always null.")
    noOfRegistrations: int | None = Field(None, description="numberOfActive + numberOfInactive.")
    firstDownloadedAt: str | None = Field(None, description="Y-m-d H:i:s, UTC; null when never.")
    projectId: str | None = Field(None, description="Always null.")
    relevantDate: str | None = Field(None, description='Y-m-d H:i, UTC; "" when unset.')
    semantics: dict[str, Any] | None = Field(None, description="The pass's semantic tags (its own, else its "
                                                               "template's); not in Passcreator's list.")
    preferredStyleSchemes: list[str] | None = Field(None, description="As given (pass.json adds the classic "
                                                                      "fallback); not in Passcreator's list.")
    nfc: dict[str, Any] | None = Field(None, description="As in pass.json; not in Passcreator's list.")
    upcomingPassInformation: list[dict[str, Any]] | None = Field(
        None, description="As given (images by asset_id); not in Passcreator's list.")
    poster: dict[str, Any] | None = Field(None, description="The poster keys the pass carries; ours.")
    boardingLinks: dict[str, Any] | None = Field(None, description="The airline links the pass carries; ours.")
    featuredActions: list[dict[str, Any]] | None = Field(None, description="As given; not in Passcreator's list.")
    posterGeneric: bool | None = Field(None, description="Whether the pass has the poster generic face; ours.")
    validAsOfDate: str | None = Field(None, description='Always "".')


def _registration_count_fields() -> dict[str, Any]:
    return {f"noOf{state}Registrations{wallet}": (int | None, Field(None, description=f"{state} registrations in {wallet}."))
            for state in ("Active", "Inactive") for wallet in WALLET_COLUMNS}


def _boarding_pass_fields() -> dict[str, Any]:
    return {name: (str | None, Field(None, description="Boarding-pass templates only; from the pass's semantic tags."))
            for name in BOARDING_SEMANTICS}


V3PassView = create_model(
    "V3PassView", __base__=V3ListedPass, **_registration_count_fields(), **_boarding_pass_fields(),
)


class V3Page(BaseModel):
    next: str


class V3ResultsMeta(BaseModel):
    resultsTotal: int
    resultsThisPage: int


class V3PassList(V3Envelope[list[V3PassView]]):
    responseMetaData: V3ResultsMeta
    page: V3Page | None = Field(None, description="Only when there is a next page.")


class V3Identifier(BaseModel):
    identifier: str


class V3Queued(BaseModel):
    process: str


class V3ProcessError(BaseModel):
    identifier: str
    error: str


class V3Process(BaseModel):
    identifier: str
    kind: str
    status: Literal["queued", "running", "done", "failed"]
    total: int | None
    processed: int
    failed: int
    errors: list[V3ProcessError]
    result: dict[str, Any] | None
    createdOn: str
    startedOn: str | None
    finishedOn: str | None


class V3Segment(BaseModel):
    identifier: str
    name: str
    query: dict[str, Any]
    createdOn: str
    modifiedOn: str
