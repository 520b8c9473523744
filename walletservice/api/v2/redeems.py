"""Redeems: by code under a campaign, by pass id, reset, and their lists."""

from __future__ import annotations


from flask import Response

from walletservice.api.schemas.common import ErrorObject, PageQuery
from walletservice.api.schemas.passes import PassResponse
from walletservice.api.schemas.redeems import CodeRedeemBody, RedeemBody, RedeemResponse
from walletservice.api.v2 import v2_api
from walletservice.api.v2.passes import pass_response
from walletservice.api.v2.responses import json_response, page_response
from walletservice.db import transaction
from walletservice.models import Redeem
from walletservice.services import campaigns as campaign_service
from walletservice.services import passes as pass_service
from walletservice.services import redeems as redeem_service
from walletservice.services.collection_filters import CollectionQuery
from walletservice.services.pagination import fetch_filtered_page
from walletservice.services.passworks_mapping import CAMPAIGN_TYPES

REDEEM_DESCRIPTION = (
    "Counts a redeem. Unless the campaign has allow_multiple_redeems, the pass is voided in Wallet "
    "(pushed; `push_id`) and a second redeem is 412 until reset_redeem. A voided pass is 412."
)


def redeem_response(redeem: Redeem) -> RedeemResponse:
    return RedeemResponse.model_validate(redeem, from_attributes=True)


def register_redeem_routes(segment: str, style: str) -> None:
    tag = f"Redeems: {segment}"
    campaign_base = f"/{segment}/<uuid:campaign_id>"
    pass_item = f"{campaign_base}/passes/<uuid:pass_id>"

    def redeem_by_code(organization_id: str, campaign_id: str, body: CodeRedeemBody) -> Response:
        with transaction() as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            pass_ = redeem_service.find_pass_by_code(session, campaign, body.pass_.redeem_code)
            outcome = redeem_service.redeem_pass(session, campaign, pass_, body.pass_.comment)
            response = pass_response(outcome.pass_, campaign, outcome.push_id)
        return json_response(response)

    def find_by_code(organization_id: str, campaign_id: str, redeem_code: str) -> Response:
        with transaction(write=False) as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            response = pass_response(redeem_service.find_pass_by_code(session, campaign, redeem_code), campaign)
        return json_response(response)

    def redeem_pass(organization_id: str, campaign_id: str, pass_id: str, body: RedeemBody) -> Response:
        with transaction() as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            pass_ = pass_service.get_campaign_pass(session, campaign, pass_id)
            outcome = redeem_service.redeem_pass(session, campaign, pass_, body.pass_.comment)
            response = pass_response(outcome.pass_, campaign, outcome.push_id)
        return json_response(response)

    def reset_redeem(organization_id: str, campaign_id: str, pass_id: str) -> Response:
        with transaction() as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            pass_ = pass_service.get_campaign_pass(session, campaign, pass_id)
            outcome = redeem_service.reset_redeem(session, pass_)
            response = pass_response(outcome.pass_, campaign, outcome.push_id)
        return json_response(response)

    def list_campaign_redeems(organization_id: str, campaign_id: str, query: PageQuery,
                              filters: CollectionQuery) -> Response:
        with transaction(write=False) as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            page = fetch_filtered_page(session, redeem_service.redeems_of_campaign(campaign),
                                       redeem_service.REDEEM_FILTERS, filters, query.page_request())
            items = [redeem_response(redeem) for redeem in page.items]
        return page_response(items, page)

    def list_pass_redeems(organization_id: str, campaign_id: str, pass_id: str, query: PageQuery,
                          filters: CollectionQuery) -> Response:
        with transaction(write=False) as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            pass_ = pass_service.get_campaign_pass(session, campaign, pass_id)
            page = fetch_filtered_page(session, redeem_service.redeems_of_pass(pass_),
                                       redeem_service.REDEEM_FILTERS, filters, query.page_request())
            items = [redeem_response(redeem) for redeem in page.items]
        return page_response(items, page)

    register = v2_api.route
    register("POST", f"{campaign_base}/redeem", summary=f"Redeem a pass by its redeem code ({segment})", tag=tag,
             json_body=CodeRedeemBody, responses={200: PassResponse, 412: ErrorObject},
             description=REDEEM_DESCRIPTION + " A code shared by several passes (code_type fixed) is 412.",
             endpoint=f"redeem_by_code_{segment}")(redeem_by_code)
    register("GET", f"{campaign_base}/redeem/<redeem_code>", summary=f"Find a pass by its redeem code ({segment})",
             tag=tag, responses={200: PassResponse, 412: ErrorObject},
             description="The pass (its `id`) holding the code; 412 when several passes share it.",
             endpoint=f"find_by_code_{segment}")(find_by_code)
    register("POST", f"{pass_item}/redeem", summary=f"Redeem a pass ({segment})", tag=tag, json_body=RedeemBody,
             responses={200: PassResponse, 412: ErrorObject}, description=REDEEM_DESCRIPTION,
             endpoint=f"redeem_pass_{segment}")(redeem_pass)
    register("POST", f"{pass_item}/reset_redeem", summary=f"Reset a pass's redeems ({segment})", tag=tag,
             responses={200: PassResponse},
             description="Clears the void flag and the redeem count; past redeems stay listed with reset_at.",
             endpoint=f"reset_redeem_{segment}")(reset_redeem)
    register("GET", f"{campaign_base}/redeems", summary=f"List a campaign's redeems ({segment})", tag=tag,
             query=PageQuery, filters=redeem_service.REDEEM_FILTERS, paginated=True,
             responses={200: list[RedeemResponse]}, endpoint=f"list_campaign_redeems_{segment}")(list_campaign_redeems)
    register("GET", f"{pass_item}/redeems", summary=f"List a pass's redeems ({segment})", tag=tag,
             query=PageQuery, filters=redeem_service.REDEEM_FILTERS, paginated=True,
             responses={200: list[RedeemResponse]}, endpoint=f"list_pass_redeems_{segment}")(list_pass_redeems)


for _segment, (_root, _style) in CAMPAIGN_TYPES.items():
    register_redeem_routes(_segment, _style)
