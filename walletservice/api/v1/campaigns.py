"""The five pass types under /v1 (coupon.md, store_card.md, event_ticket.md,
boarding_pass.md, generic.md): create and read campaigns; issue, read, update, delete
and push their passes. Campaign changes, states and pushes exist only in /v2."""

from __future__ import annotations


from flask import Response
from pydantic import BaseModel

from walletservice.api.preconditions import current
from walletservice.api.schemas.common import DeletedResponse, ErrorObject, PageQuery
from walletservice.api.v1 import operations, v1_api
from walletservice.api.v1.responses import campaign_view, pass_view
from walletservice.api.v1.schemas import CREATE_BODIES, PASS_MODELS, V1Campaign, V1Message, V1PassBody, V1PushBody
from walletservice.api.v2.responses import collection_response, json_response, page_response
from walletservice.db import transaction
from walletservice.services import campaigns as campaign_service
from walletservice.services import passes as pass_service
from walletservice.services.collection_filters import CollectionQuery
from walletservice.services.pagination import fetch_filtered_page
from walletservice.services.passworks_mapping import CAMPAIGN_TYPES

UPDATE_DESCRIPTION = (
    "PATCH (POST for boarding passes, as boarding_pass.md does; PUT too). A field sent without "
    "`value` keeps its value. `merge` (default true) and `push` (default true) are read inside "
    "`pass`. Answers 201, as the v1 documents show."
)


def register_type_routes(segment: str, root: str, style: str) -> None:
    tag = f"v1 {segment}"
    base, item = f"/{segment}", f"/{segment}/<uuid:campaign_id>"
    passes, pass_item = f"{item}/passes", f"{item}/passes/<uuid:pass_id>"
    pass_model = PASS_MODELS[segment]

    def list_campaigns(organization_id: str, query: PageQuery, filters: CollectionQuery) -> Response:
        return collection_response(campaign_service.campaigns_of(organization_id, style),
                                   campaign_service.CAMPAIGN_FILTERS, filters, query,
                                   lambda _session, rows: [campaign_view(row) for row in rows])

    def create_campaign(organization_id: str, body: BaseModel) -> Response:
        with transaction() as session:
            campaign = operations.create_campaign(session, organization_id, style, getattr(body, root))
            response = campaign_view(campaign)
        return json_response(response, 201)

    def get_campaign(organization_id: str, campaign_id: str) -> Response:
        with transaction(write=False) as session:
            campaign = current(session, campaign_service.get_campaign(session, organization_id, style, campaign_id))
            response = campaign_view(campaign)
        return json_response(response)

    def list_passes(organization_id: str, campaign_id: str, query: PageQuery, filters: CollectionQuery) -> Response:
        with transaction(write=False) as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            page = fetch_filtered_page(session, pass_service.passes_of(campaign), pass_service.PASS_FILTERS,
                                       filters, query.page_request())
            items = [pass_view(segment, pass_, campaign) for pass_ in page.items]
        return page_response(items, page)

    def create_pass(organization_id: str, campaign_id: str, body: V1PassBody) -> Response:
        with transaction() as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            response = pass_view(segment, operations.issue_pass(session, campaign, body), campaign)
        return json_response(response, 201)

    def get_pass(organization_id: str, campaign_id: str, pass_id: str) -> Response:
        with transaction(write=False) as session:
            campaign, pass_ = operations.campaign_and_pass(session, organization_id, style, campaign_id, pass_id)
            response = pass_view(segment, pass_, campaign)
        return json_response(response)

    def update_pass(organization_id: str, campaign_id: str, pass_id: str, body: V1PassBody) -> Response:
        with transaction() as session:
            campaign, pass_ = operations.campaign_and_pass(session, organization_id, style, campaign_id, pass_id)
            operations.update_pass(session, organization_id, campaign, pass_, body)
            response = pass_view(segment, pass_, campaign)
        return json_response(response, 201)  # store_card.md answers an update with 201

    def delete_pass(organization_id: str, campaign_id: str, pass_id: str) -> Response:
        with transaction() as session:
            _campaign, pass_ = operations.campaign_and_pass(session, organization_id, style, campaign_id, pass_id)
            pass_service.delete_pass(session, pass_)
        return json_response(DeletedResponse())

    def push_pass(organization_id: str, campaign_id: str, pass_id: str, body: V1PushBody) -> Response:
        with transaction() as session:
            campaign, pass_ = operations.campaign_and_pass(session, organization_id, style, campaign_id, pass_id)
            push = operations.push_pass(session, organization_id, pass_, body.message())
            response = V1Message(message=f"push notifications sent for pass with id: {pass_.id} "
                                         f"on campaign '{campaign.name}'", push_id=push.id)
        return json_response(response, 202)

    register = v1_api.route
    register("GET", base, summary=f"List {segment}", tag=tag, query=PageQuery,
             filters=campaign_service.CAMPAIGN_FILTERS, paginated=True,
             responses={200: list[V1Campaign]}, endpoint=f"v1_list_campaigns_{segment}")(list_campaigns)
    register("POST", base, summary=f"Create a {root} campaign", tag=tag, json_body=CREATE_BODIES[segment],
             responses={201: V1Campaign}, endpoint=f"v1_create_campaign_{segment}")(create_campaign)
    register("GET", item, summary=f"Get a {root} campaign", tag=tag,
             responses={200: V1Campaign}, etag=True, endpoint=f"v1_get_campaign_{segment}")(get_campaign)
    register("GET", passes, summary=f"List a {root} campaign's passes", tag=tag, query=PageQuery,
             filters=pass_service.PASS_FILTERS, paginated=True,
             responses={200: list[pass_model]}, endpoint=f"v1_list_passes_{segment}")(list_passes)
    register("POST", passes, summary=f"Issue a {root} pass", tag=tag, json_body=V1PassBody,
             responses={201: pass_model, 412: ErrorObject}, endpoint=f"v1_create_pass_{segment}")(create_pass)
    register("GET", pass_item, summary=f"Get a {root} pass", tag=tag,
             responses={200: pass_model}, etag=True, endpoint=f"v1_get_pass_{segment}")(get_pass)
    for method in ("PATCH", "PUT", "POST"):
        register(method, pass_item, summary=f"Update a {root} pass", tag=tag, json_body=V1PassBody,
                 responses={201: pass_model}, description=UPDATE_DESCRIPTION, etag=True,
                 endpoint=f"v1_update_pass_{method.lower()}_{segment}")(update_pass)
    register("DELETE", pass_item, summary=f"Delete a {root} pass", tag=tag,
             responses={200: DeletedResponse}, etag=True, endpoint=f"v1_delete_pass_{segment}")(delete_pass)
    register("POST", f"{pass_item}/push", summary=f"Push a {root} pass to its devices", tag=tag,
             json_body=V1PushBody, responses={202: V1Message},
             description='Body `{"push_message": "Hello!"}` (optional): shown on the lock screen.',
             endpoint=f"v1_push_pass_{segment}")(push_pass)


for _segment, (_root, _style) in CAMPAIGN_TYPES.items():
    register_type_routes(_segment, _root, _style)
