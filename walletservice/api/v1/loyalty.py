"""/v1/loyalty (passworks-v1-loyalty.md): loyalty programs are store card campaigns,
answered in that page's wrapped shapes ({"campaign": ...}, {"loyalty_card": ...},
{"pass": {..., "pass_data": ...}}). The same campaigns are /v1/store_cards and /v2/store_cards."""

from __future__ import annotations

from flask import Response

from walletservice.api.preconditions import current
from walletservice.api.schemas.common import DeletedResponse, ErrorObject
from walletservice.api.v1 import operations, v1_api
from walletservice.api.v1.responses import campaign_view, loyalty_card_view, loyalty_pass_view
from walletservice.api.v1.schemas import (
    LoyaltyCampaignResponse,
    LoyaltyCardResponse,
    LoyaltyCreateBody,
    LoyaltyPassResponse,
    V1Message,
    V1PassBody,
    V1PushBody,
)
from walletservice.api.v2.responses import json_response
from walletservice.db import transaction
from walletservice.services import campaigns as campaign_service
from walletservice.services import passes as pass_service

TAG = "v1 loyalty"
STYLE = "storeCard"
ITEM = "/loyalty/<uuid:loyalty_id>"
PASS_ITEM = f"{ITEM}/passes/<uuid:pass_id>"


@v1_api.route("POST", "/loyalty", summary="Create a loyalty program (a store card campaign)", tag=TAG,
              json_body=LoyaltyCreateBody, responses={201: LoyaltyCampaignResponse})
def create_loyalty(organization_id: str, body: LoyaltyCreateBody) -> Response:
    with transaction() as session:
        campaign = operations.create_campaign(session, organization_id, STYLE, body.campaign)
        response = LoyaltyCampaignResponse(campaign=campaign_view(campaign))
    return json_response(response, 201)


@v1_api.route("GET", ITEM, summary="Get a loyalty program", tag=TAG, responses={200: LoyaltyCampaignResponse},
              etag=True)
def get_loyalty(organization_id: str, loyalty_id: str) -> Response:
    with transaction(write=False) as session:
        campaign = current(session, campaign_service.get_campaign(session, organization_id, STYLE, loyalty_id))
        response = LoyaltyCampaignResponse(campaign=campaign_view(campaign))
    return json_response(response)


@v1_api.route("POST", f"{ITEM}/passes", summary="Issue a loyalty card", tag=TAG, json_body=V1PassBody,
              responses={201: LoyaltyCardResponse, 412: ErrorObject},
              description="Answers the card's ids and links; GET the pass for its content.")
def create_loyalty_card(organization_id: str, loyalty_id: str, body: V1PassBody) -> Response:
    with transaction() as session:
        campaign = campaign_service.get_campaign(session, organization_id, STYLE, loyalty_id)
        response = LoyaltyCardResponse(loyalty_card=loyalty_card_view(operations.issue_pass(session, campaign, body)))
    return json_response(response, 201)


@v1_api.route("GET", PASS_ITEM, summary="Get a loyalty card", tag=TAG, responses={200: LoyaltyPassResponse},
              etag=True)
def get_loyalty_card(organization_id: str, loyalty_id: str, pass_id: str) -> Response:
    with transaction(write=False) as session:
        campaign, pass_ = operations.campaign_and_pass(session, organization_id, STYLE, loyalty_id, pass_id)
        response = LoyaltyPassResponse(pass_=loyalty_pass_view(pass_, campaign))
    return json_response(response)


def update_loyalty_card(organization_id: str, loyalty_id: str, pass_id: str, body: V1PassBody) -> Response:
    with transaction() as session:
        campaign, pass_ = operations.campaign_and_pass(session, organization_id, STYLE, loyalty_id, pass_id)
        operations.update_pass(session, organization_id, campaign, pass_, body)
        response = LoyaltyPassResponse(pass_=loyalty_pass_view(pass_, campaign))
    return json_response(response, 201)  # the page answers an update with 201


for _method in ("PATCH", "PUT"):
    v1_api.route(_method, PASS_ITEM, summary="Update a loyalty card", tag=TAG, json_body=V1PassBody,
                 responses={201: LoyaltyPassResponse}, etag=True,
                 description="A field sent without `value` keeps its value; `merge` and `push` default to "
                             "true. Answers 201, as the page shows.",
                 endpoint=f"update_loyalty_card_{_method.lower()}")(update_loyalty_card)


@v1_api.route("DELETE", PASS_ITEM, summary="Delete a loyalty card", tag=TAG, responses={200: DeletedResponse},
              etag=True)
def delete_loyalty_card(organization_id: str, loyalty_id: str, pass_id: str) -> Response:
    with transaction() as session:
        _campaign, pass_ = operations.campaign_and_pass(session, organization_id, STYLE, loyalty_id, pass_id)
        pass_service.delete_pass(session, pass_)
    return json_response(DeletedResponse())


@v1_api.route("POST", f"{PASS_ITEM}/push", summary="Push a loyalty card to its devices", tag=TAG,
              json_body=V1PushBody, responses={202: V1Message})
def push_loyalty_card(organization_id: str, loyalty_id: str, pass_id: str, body: V1PushBody) -> Response:
    with transaction() as session:
        campaign, pass_ = operations.campaign_and_pass(session, organization_id, STYLE, loyalty_id, pass_id)
        push = operations.push_pass(session, organization_id, pass_, body.message())
        response = V1Message(message=f"push notifications sent for pass with id: {pass_.id} "
                                     f"on campaign '{campaign.name}'", push_id=push.id)
    return json_response(response, 202)
