"""Registrations of a campaign's passes (v2/registrations.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response
from sqlalchemy import Select, select

from walletservice.api.schemas.common import PageQuery
from walletservice.api.schemas.registrations import RegistrationResponse
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import page_response
from walletservice.db import transaction
from walletservice.models import Pass, Registration
from walletservice.services import campaigns as campaign_service
from walletservice.services import passes as pass_service
from walletservice.services.collection_filters import Attribute, CollectionQuery, FilterSpec
from walletservice.services.pagination import fetch_filtered_page
from walletservice.services.passworks_mapping import CAMPAIGN_TYPES

REGISTRATION_FILTERS = FilterSpec({
    "pass_id": Attribute(Registration.pass_id, str),
    "wallet": Attribute(Registration.wallet, str),
    "device_os": Attribute(Registration.device_os, str),
    "created_at": Attribute(Registration.created_at, dt.datetime),
}, tiebreaker=Registration.id)


def registration_response(registration: Registration) -> RegistrationResponse:
    return RegistrationResponse(
        id=str(registration.id), pass_id=registration.pass_id, wallet=registration.wallet,
        device_os=registration.device_os, created_at=registration.created_at,
    )


def registrations_of_campaign(campaign_id: str) -> Select[tuple[Registration]]:
    return select(Registration).join(Pass, Pass.id == Registration.pass_id).where(Pass.campaign_id == campaign_id)


def register_registration_routes(segment: str, style: str) -> None:
    tag = f"Registrations: {segment}"

    def campaign_registrations(organization_id: str, campaign_id: str, query: PageQuery,
                               filters: CollectionQuery) -> Response:
        with transaction(write=False) as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            page = fetch_filtered_page(session, registrations_of_campaign(campaign.id), REGISTRATION_FILTERS,
                                       filters, query.page_request())
            items = [registration_response(registration) for registration in page.items]
        return page_response(items, page)

    def pass_registrations(organization_id: str, campaign_id: str, pass_id: str, query: PageQuery,
                           filters: CollectionQuery) -> Response:
        with transaction(write=False) as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            pass_ = pass_service.get_campaign_pass(session, campaign, pass_id)
            statement = select(Registration).where(Registration.pass_id == pass_.id)
            page = fetch_filtered_page(session, statement, REGISTRATION_FILTERS, filters, query.page_request())
            items = [registration_response(registration) for registration in page.items]
        return page_response(items, page)

    common: dict[str, Any] = {"tag": tag, "query": PageQuery, "filters": REGISTRATION_FILTERS,
                              "paginated": True, "responses": {200: list[RegistrationResponse]}}
    v2_api.route("GET", f"/{segment}/<uuid:campaign_id>/registrations",
                 summary=f"Registrations of a campaign's passes ({segment})", **common,
                 description="Each registration is a pass installed in one wallet; it disappears when "
                             "the device unregisters. Ids are our integer ids as strings.",
                 endpoint=f"campaign_registrations_{segment}")(campaign_registrations)
    v2_api.route("GET", f"/{segment}/<uuid:campaign_id>/passes/<uuid:pass_id>/registrations",
                 summary=f"Registrations of a pass ({segment})", **common,
                 endpoint=f"pass_registrations_{segment}")(pass_registrations)


for _segment, (_root, _style) in CAMPAIGN_TYPES.items():
    register_registration_routes(_segment, _style)
# registrations.md lists the campaign types as `coupons`, `event_tickers`, ...: its spelling works too.
register_registration_routes("event_tickers", CAMPAIGN_TYPES["event_tickets"][1])
