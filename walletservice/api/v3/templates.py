"""/api/v3/template: the account's templates, one template, and its fields (the additional
properties a pass takes), which the pass document refers to as "the endpoint to list fields
of a template" without naming it (docs/passcreator-v3.md, "Templates")."""

from __future__ import annotations

from typing import Any

from flask import Response
from pydantic import BaseModel, Field

from walletservice.api.schemas.v3 import V3Envelope, V3TemplateSettingsBody
from walletservice.api.v2.responses import public_url
from walletservice.api.v3 import v3_api
from walletservice.api.v3.envelope import PREFIX, envelope
from walletservice.db import transaction
from walletservice.services.google_sync import set_google_usage
from walletservice.services.passcreator.wallet_features import WALLET_FEATURE_KEYS, key_group_views
from walletservice.services.passcreator.template_view import (
    TemplateDetails,
    TemplateField,
    get_account_template,
    get_template_details,
    template_fields,
    templates_of,
)

TAG = "Templates"
TEMPLATE_FEATURE_KEYS = (*WALLET_FEATURE_KEYS, "relevantDates")
ITEM = "/template/<identifier>"


class V3TemplateSummary(BaseModel):
    identifier: str
    name: str


class V3TemplateField(BaseModel):
    id: str = Field(description="The field's key: the name to send it under in /api/v3/pass data.")
    name: str = Field(description="Its label; /api/v3/pass also takes this name (case-insensitive).")
    type: str = Field("text", description="Always text: a string or number is accepted.")
    section: str = Field(description="Where the pass shows it: headerFields, primaryFields, secondaryFields, "
                                     "auxiliaryFields or backFields.")
    defaultValue: Any = Field(None, description="The template's own value, shown while a pass has none.")
    required: bool = Field(False, description="Always false: a pass without a value shows the default or nothing.")


class V3DynamicFields(BaseModel):
    additionalProperties: dict[str, str] = Field(description="name → id of every additional property.")


class V3Template(V3TemplateSummary):
    type: str = Field(description="Apple's pass style: eventTicket, boardingPass, coupon, storeCard or generic.")
    numberOfCreatedPasses: int
    createPassUrl: str
    validValidationPlaces: list[str] | None = Field(
        description="Set with the v2 campaign attribute `valid_validation_places`; null accepts any "
                    "eligibleValidationPlaces.")
    emailSendout: bool = Field(description="Whether emailRecipient is mailed (v2 attribute `email_sendout`).")
    smsSendout: bool = Field(description="Whether phoneRecipient is texted (v2 attribute `sms_sendout`).")
    downloadPinEnabled: bool
    googleWalletEnabled: bool = Field(
        description="Whether its passes are also Google Wallet passes, answered as androidUri once synced "
                    "(ours; turned on with the v2 campaign attribute `gwallet_usage`).")
    dynamicFields: V3DynamicFields
    fields: list[V3TemplateField]
    # Template-level defaults of Apple's current pass features (ours; set with the v2 campaign
    # attributes); a pass's own value replaces them (docs/passcreator-v3.md).
    semantics: dict[str, Any] | None = Field(None, description="v2 attribute `semantics`.")
    preferredStyleSchemes: list[str] | None = Field(None, description="v2 attribute `preferred_style_schemes`.")
    nfc: dict[str, Any] | None = Field(None, description="v2 attribute `nfc`, in Apple's spelling.")
    upcomingPassInformation: list[dict[str, Any]] | None = Field(
        None, description="v2 attribute `upcoming_events` (images by asset_id).")
    relevantDates: list[dict[str, Any]] | None = Field(None, description="v2 attribute `relevant_dates`.")
    poster: dict[str, Any] | None = Field(None, description="v2 attribute `poster`.")
    boardingLinks: dict[str, Any] | None = Field(None, description="v2 attribute `boarding_links`.")
    featuredActions: list[dict[str, Any]] | None = Field(None, description="v2 attribute `featured_actions`.")
    posterGeneric: bool | None = Field(None, description="v2 attribute `poster_generic`.")


def field_model(field: TemplateField) -> V3TemplateField:
    return V3TemplateField(id=field.id, name=field.name, section=field.section, defaultValue=field.default_value)


def template_view(details: TemplateDetails) -> dict[str, Any]:
    campaign = details.campaign
    return V3Template(
        identifier=campaign.id, name=campaign.name, type=campaign.style, numberOfCreatedPasses=details.passes,
        createPassUrl=public_url(f"{PREFIX}/pass"), validValidationPlaces=details.valid_validation_places,
        emailSendout=details.sendouts["email"], smsSendout=details.sendouts["sms"],
        downloadPinEnabled=details.download_pin_enabled, googleWalletEnabled=details.google_wallet_enabled,
        dynamicFields=V3DynamicFields(additionalProperties={field.name: field.id for field in details.fields}),
        fields=[field_model(field) for field in details.fields],
        **{name: campaign.design.get(name) for name in TEMPLATE_FEATURE_KEYS},
        **key_group_views(campaign.design),
    ).model_dump()


@v3_api.route("GET", "/template", summary="List templates", tag=TAG,
              responses={200: V3Envelope[list[V3TemplateSummary]]},
              description="The account's templates (campaigns), by name: `identifier` is the templateId.")
def list_templates(organization_id: str) -> Response:
    with transaction(write=False) as session:
        views = [V3TemplateSummary(identifier=campaign.id, name=campaign.name).model_dump()
                 for campaign in session.scalars(templates_of(organization_id))]
    return envelope(views)


@v3_api.route("GET", ITEM, summary="Get a template", tag=TAG, responses={200: V3Envelope[V3Template]},
              description="The template with its fields, sendouts and validValidationPlaces, and the defaults "
                          "of semantics, preferredStyleSchemes, nfc, upcomingPassInformation, relevantDates, "
                          "poster, boardingLinks, featuredActions and posterGeneric "
                          "its passes get unless they set their own.")
def get_template(organization_id: str, identifier: str) -> Response:
    with transaction(write=False) as session:
        view = template_view(get_template_details(session, organization_id, identifier))
    return envelope(view)


@v3_api.route("GET", f"{ITEM}/fields", summary="List the fields of a template", tag=TAG,
              responses={200: V3Envelope[list[V3TemplateField]]},
              description="The additional properties a pass of the template takes in /api/v3/pass, by id or name.")
def list_template_fields(organization_id: str, identifier: str) -> Response:
    with transaction(write=False) as session:
        campaign = get_account_template(session, organization_id, identifier)
        views = [field_model(field).model_dump() for field in template_fields(campaign)]
    return envelope(views)


@v3_api.route("PATCH", ITEM, summary="Change a template's settings", tag=TAG, json_body=V3TemplateSettingsBody,
              responses={200: V3Envelope[V3Template]},
              description="Ours (Passcreator documents no template write): `{\"data\": {\"googleWalletEnabled\": "
                          "true}}`. Answers the template as GET does. Other keys are 400; the design is written "
                          "with the v2 campaign API.")
def patch_template(organization_id: str, identifier: str, body: V3TemplateSettingsBody) -> Response:
    with transaction() as session:
        campaign = get_account_template(session, organization_id, identifier)
        set_google_usage(session, campaign, body.data.googleWalletEnabled)
        view = template_view(get_template_details(session, organization_id, identifier))
    return envelope(view)
