"""Passcreator's view of a template (a campaign): the list of templates, one template, and
the fields (additional properties) a pass of it takes (docs/passcreator-v3.md, "Templates").

The fields are exactly what /api/v3/pass accepts besides the documented keys
(services.passcreator.pass_query.template_properties): a campaign's dynamic fields,
addressed by id (the field key) or name (its label).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from walletservice.models import Campaign, Pass
from walletservice.services.download_pins import PIN_SETTING
from walletservice.services.lookups import one_or_not_found
from walletservice.services.pass_content import FIELD_LISTS
from walletservice.services.passcreator.pass_query import template_properties
from walletservice.services.passcreator.passes import valid_validation_places
from walletservice.services.passcreator.sendout_templates import email_sendout, sms_sendout
from walletservice.services.google_sync import google_enabled
from walletservice.services.passworks_mapping import campaign_setting


@dataclass(frozen=True)
class TemplateField:
    id: str
    name: str
    section: str  # the pass.json field list that shows it: headerFields, primaryFields, ... backFields
    default_value: Any  # the campaign's own value, shown while a pass has none


@dataclass(frozen=True)
class TemplateDetails:
    campaign: Campaign
    passes: int
    fields: list[TemplateField]

    @property
    def valid_validation_places(self) -> list[str] | None:
        return valid_validation_places(self.campaign)

    @property
    def sendouts(self) -> dict[str, bool]:
        return {"email": email_sendout(self.campaign) is not None, "sms": sms_sendout(self.campaign) is not None}

    @property
    def download_pin_enabled(self) -> bool:
        return bool(campaign_setting(self.campaign.settings, PIN_SETTING))

    @property
    def google_wallet_enabled(self) -> bool:
        return google_enabled(self.campaign)


def templates_of(organization_id: str) -> Select[tuple[Campaign]]:
    return select(Campaign).where(Campaign.organization_id == organization_id).order_by(Campaign.name, Campaign.id)


def get_account_template(session: Session, organization_id: str, identifier: str) -> Campaign:
    """The account's template; NotFound for another account's or none."""
    return one_or_not_found(session, templates_of(organization_id).where(Campaign.id == identifier), "template")


def get_template_details(session: Session, organization_id: str, identifier: str) -> TemplateDetails:
    campaign = get_account_template(session, organization_id, identifier)
    passes = session.scalar(select(func.count()).select_from(Pass).where(Pass.campaign_id == campaign.id))
    return TemplateDetails(campaign, int(passes or 0), template_fields(campaign))


def template_fields(campaign: Campaign) -> list[TemplateField]:
    """The template's additional properties in the order the pass shows them."""
    placed = {}
    for section in FIELD_LISTS:
        for design_field in campaign.design.get(section) or []:
            placed.setdefault(design_field.get("key"), (section, design_field.get("value")))
    return [TemplateField(prop.key, prop.name, *placed[prop.key]) for prop in template_properties(campaign)]
