"""Campaigns: the design every pass of one kind starts from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import BigInteger, Select, cast, delete, exists, func, select, true
from sqlalchemy.orm import Session

from walletservice.db import lock_for_update
from walletservice.errors import InvalidInput, NotFound, StateConflict
from walletservice.models import Campaign, Organization, Pass, SigningCertificate, Template
from walletservice.models.base import utcnow
from walletservice.passkit.design import STYLES
from walletservice.services.campaign_counters import count_distribution_update
from walletservice.services.campaign_pages import check_remote_form_url
from walletservice.services.certificates import CertificateStore, Signer, default_certificate
from walletservice.services.collection_filters import Attribute, FilterSpec
from walletservice.services.lookups import lock_or_not_found, one_or_not_found
from walletservice.services.google_retirement import retire_deleted_campaign
from walletservice.services.google_sync import enqueue_campaign_sync, google_enabled
from walletservice.services.nfc_keys import with_nfc_public_key
from walletservice.services.organization_certificates import get_visible_certificate
from walletservice.services.assets import check_owned_images
from walletservice.services.passes import check_content, check_max_distance
from walletservice.services.push_message import PUSH_MESSAGE_KEY
from walletservice.services.redeems import check_code_settings
from walletservice.services.passcreator.sendout_templates import check_sendouts
from walletservice.services.templates import (
    PRESENTATION_KEYS,
    resolve_template,
    template_for_campaign,
    template_presentation,
)
from walletservice.services.passworks_mapping import (
    FIELD_LISTS,
    campaign_attributes,
    campaign_design,
    foreign_settings,
    with_foreign_field_keys,
)


def create_campaign(
    session: Session,
    organization: Organization,
    *,
    name: str,
    design: Mapping[str, Any],
    signer: Signer,
    certificate: SigningCertificate | None = None,
) -> Campaign:
    style = design.get("style")
    if style not in STYLES:
        raise InvalidInput(f"style must be one of {', '.join(STYLES)}")
    campaign = Campaign(
        organization_id=organization.id,
        name=name,
        style=style,
        certificate_id=certificate.id if certificate else None,
        pass_type_identifier=signer.pass_type_identifier,
        team_identifier=signer.team_identifier,
        design=dict(design),
    )
    session.add(campaign)
    session.flush()
    return campaign


# -- the integrator API's campaigns (Passworks attributes, services.passworks_mapping) --

CAMPAIGN_FILTERS = FilterSpec({
    "id": Attribute(Campaign.id, str),
    "name": Attribute(Campaign.name, str),
    "state": Attribute(Campaign.state, str),
    # sorting.md's example filters coupons by redeem_count: the redeems its passes count.
    "redeem_count": Attribute(
        cast(select(func.coalesce(func.sum(Pass.redeemed_count), 0))
             .where(Pass.campaign_id == Campaign.id).correlate(Campaign).scalar_subquery(), BigInteger), int),
    "created_at": Attribute(Campaign.created_at, dt.datetime),
    "updated_at": Attribute(Campaign.updated_at, dt.datetime),
}, tiebreaker=Campaign.id)

# action -> (states it may start from, state it leads to). Archived is final.
STATE_MOVES = {
    "pause": (("published",), "paused"),
    "resume": (("paused",), "published"),
    "archive": (("published", "paused"), "archived"),
}
_STATE_VERBS = {"published": "publish", "paused": "pause", "archived": "archive"}
# Barcode message used only to check a campaign: passes get their own.
_PLACEHOLDER_MESSAGE = "placeholder"


def campaigns_of(organization_id: str, style: str) -> Select[tuple[Campaign]]:
    return select(Campaign).where(Campaign.organization_id == organization_id, Campaign.style == style)


def get_campaign(session: Session, organization_id: str, style: str, campaign_id: str) -> Campaign:
    statement = campaigns_of(organization_id, style).where(Campaign.id == campaign_id)
    return one_or_not_found(session, statement, "campaign")


def create_integrator_campaign(
    session: Session, organization: Organization, style: str, attributes: Mapping[str, Any],
    certificates: CertificateStore,
) -> Campaign:
    """A campaign from Passworks attributes, checked as Wallet would check its passes."""
    campaign = Campaign(organization_id=organization.id, style=style, state="published")
    certificate = _certificate(session, organization.id, attributes.get("certificate_id"))
    _set_certificate(campaign, certificate, certificates)
    template = resolve_template(session, organization.id, attributes.get("template_id"), style)
    applied = _apply_attributes(session, organization, campaign, {**_from_template(template), **attributes})
    session.add(campaign)
    session.flush()
    campaign.template_id = template_for_campaign(session, campaign, applied, template).id
    session.flush()
    count_distribution_update(session, campaign.id)  # its download page is published
    enqueue_campaign_sync(session, campaign, was_enabled=False)
    return campaign


def update_integrator_campaign(
    session: Session, organization: Organization, campaign: Campaign, changes: Mapping[str, Any],
    certificates: CertificateStore,
) -> Campaign:
    """Overlay the attributes sent on the current ones. Issued passes keep their content
    until they are updated or merged."""
    campaign = lock_for_update(campaign)  # two PATCHes overlay each other's changes, never a stale copy
    if "certificate_id" in changes and changes["certificate_id"] != campaign.certificate_id:
        if session.scalar(select(exists().where(Pass.campaign_id == campaign.id))):
            raise StateConflict("certificate_id: the campaign has passes; their pass type cannot change")
        _set_certificate(campaign, _certificate(session, organization.id, changes["certificate_id"]), certificates)
    google_before = google_enabled(campaign)
    current = {**campaign_attributes(campaign.design, campaign.settings), "name": campaign.name}
    template = resolve_template(session, organization.id, changes.get("template_id"), campaign.style)
    applied = _apply_attributes(session, organization, campaign, {**current, **_from_template(template), **changes})
    campaign.template_id = template_for_campaign(session, campaign, applied, template).id
    campaign.updated_at = utcnow()
    session.flush()
    count_distribution_update(session, campaign.id)  # its download page shows the new design
    enqueue_campaign_sync(session, campaign, was_enabled=google_before)
    return campaign


def _from_template(template: Template | None) -> dict[str, Any]:
    """A template's presentation as campaign attributes; what it lacks is cleared."""
    if template is None:
        return {}
    found = template_presentation(template)
    return {key: found.get(key) for key in PRESENTATION_KEYS}


def _apply_attributes(
    session: Session, organization: Organization, campaign: Campaign, attributes: Mapping[str, Any]
) -> dict[str, Any]:
    """Check and store the attributes; returns them as applied (defaults filled in)."""
    attributes = dict(attributes)
    if attributes.get("foreground_color") is not None:  # the Skyport example's name for text_color
        attributes["text_color"] = attributes["foreground_color"]
    if not attributes.get("name"):
        raise InvalidInput("name: a campaign needs a name")
    if attributes.get("icon_id") is None:
        raise InvalidInput("icon_id: an icon asset is required")
    _check_transit_type(campaign.style, attributes.get("transit_type"))
    check_max_distance(campaign.style, attributes.get("max_distance"))
    _check_unique_field_keys(attributes)
    _check_unique_name(session, organization.id, campaign, attributes["name"])
    check_owned_images(session, organization.id, attributes)
    if attributes.get("remote_form_url") is not None:
        attributes["remote_form_url"] = check_remote_form_url(attributes["remote_form_url"])
    attributes["description"] = attributes.get("description") or attributes["name"]
    attributes["organization_name"] = attributes.get("organization_name") or organization.name
    attributes = with_nfc_public_key(session, organization.id, attributes)
    design, settings = campaign_design(campaign.style, attributes)
    design = with_foreign_field_keys(design, campaign.design)
    checked = {**design, "barcode": {"message": _PLACEHOLDER_MESSAGE, **design["barcode"]}}
    check_content(checked, campaign.pass_type_identifier, campaign.team_identifier, session)
    check_code_settings(settings)
    campaign.name = attributes["name"]
    campaign.design = design
    # Keep settings the Passworks attributes do not describe (e.g. v3's validValidationPlaces).
    campaign.settings = {**foreign_settings(campaign.settings), **settings}
    check_sendouts(campaign)  # their placeholders name the fields just stored
    return attributes


def _certificate(session: Session, organization_id: str, certificate_id: Any) -> SigningCertificate | None:
    if certificate_id is None:
        return default_certificate(session, organization_id)
    try:
        certificate = get_visible_certificate(session, organization_id, str(certificate_id))
    except NotFound:
        raise InvalidInput("certificate_id: certificate not found") from None
    if certificate.not_after <= utcnow():
        raise InvalidInput("certificate_id: the certificate has expired")
    return certificate


def _set_certificate(campaign: Campaign, certificate: SigningCertificate | None, certificates: CertificateStore) -> None:
    signer = certificates.signer_for(certificate)
    campaign.certificate_id = certificate.id if certificate else None
    campaign.pass_type_identifier = signer.pass_type_identifier
    campaign.team_identifier = signer.team_identifier


def _check_transit_type(style: str, transit_type: str | None) -> None:
    if style == "boardingPass" and transit_type is None:
        raise InvalidInput("transit_type: required for boarding passes (air, boat, bus, train or generic)")
    if style != "boardingPass" and transit_type is not None:
        raise InvalidInput("transit_type: only boarding passes have a transit type")


def _check_unique_field_keys(attributes: Mapping[str, Any]) -> None:
    seen: set[str] = set()
    for name in FIELD_LISTS:
        for index, field in enumerate(attributes.get(name) or []):
            if field["key"] == PUSH_MESSAGE_KEY:
                raise InvalidInput(f"{name}[{index}].key: {PUSH_MESSAGE_KEY!r} is reserved for push messages")
            if field["key"] in seen:
                raise InvalidInput(f"{name}[{index}].key: {field['key']!r} is used twice; keys are unique per campaign")
            seen.add(field["key"])


def _check_unique_name(session: Session, organization_id: str, campaign: Campaign, name: str) -> None:
    taken = session.scalar(select(exists().where(
        Campaign.organization_id == organization_id, Campaign.name == name,
        Campaign.id != campaign.id if campaign.id else true(),
    )))
    if taken:
        raise InvalidInput("name: another campaign of the organization has this name")


def change_campaign_state(session: Session, campaign: Campaign, action: str) -> Campaign:
    campaign = lock_for_update(campaign)
    sources, target = STATE_MOVES[action]
    if campaign.state not in sources:
        # The documents' wording: "Can't resume from archived to publish".
        raise StateConflict(f"Can't {action} from {campaign.state} to {_STATE_VERBS[target]}")
    campaign.state = target
    campaign.updated_at = utcnow()
    count_distribution_update(session, campaign.id)  # its download page is published or withdrawn
    return campaign


def delete_campaign(session: Session, campaign: Campaign) -> None:
    """The campaign and its passes (installed copies stop updating)."""
    campaign = lock_or_not_found(session, campaign, "campaign")
    retire_deleted_campaign(session, campaign)
    session.execute(delete(Pass).where(Pass.campaign_id == campaign.id))
    session.delete(campaign)
    session.flush()
