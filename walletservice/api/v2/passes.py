"""Passes under a campaign: /v2/{type}/{campaign_id}/passes."""

from __future__ import annotations

from typing import Any

from flask import Response
from sqlalchemy.orm import Session

from walletservice.api.preconditions import current
from walletservice.api.schemas.campaigns import MessageResponse
from walletservice.api.schemas.common import DeletedResponse, ErrorObject, PageQuery
from walletservice.api.schemas.passes import PassBody, PassPushBody, PassResponse
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import json_response, page_response, public_url
from walletservice.db import transaction
from walletservice.models import Campaign, Pass
from walletservice.queue.pushes import enqueue_pass_push
from walletservice.services import campaigns as campaign_service
from walletservice.services import passes as pass_service
from walletservice.services.collection_filters import CollectionQuery
from walletservice.services.pagination import fetch_filtered_page
from walletservice.services.passworks_mapping import CAMPAIGN_TYPES, pass_attributes
from walletservice.services.push_message import set_push_message
from walletservice.web.links import google_save_url
from walletservice.web.routes import page_path, pkpass_path, preview_url

UPDATE_DESCRIPTION = (
    "Field values by key (the campaign's fields only), barcode, images, dates, relevance, voided. "
    "`merge` (default true) joins the values sent with the pass's own; false replaces them, so "
    "fields not sent show the campaign's values again. `push` (default true) queues a push in the "
    "same transaction and answers its id as `push_id`."
)

# coupon.md's "Forcing a push update of a pass" writes the singular /v2/coupon/.../push.
SINGULAR_PUSH_SEGMENTS = {"coupons": ("coupon",)}


def pass_response(pass_: Pass, campaign: Campaign, push_id: str | None = None) -> PassResponse:
    behaviours = (campaign.settings or {}).get("behaviours") or {}
    page_url, pkpass_url = public_url(page_path(pass_)), public_url(pkpass_path(pass_))
    return PassResponse.model_validate({
        **pass_attributes(pass_.content, behaviours), "id": pass_.id, "campaign_id": pass_.campaign_id,
        "serial_number": pass_.serial_number, "pkpass_url": pkpass_url, "pkpass_short_url": pkpass_url,
        "redeem_code": pass_.redeem_code, "redeemed_count": pass_.redeemed_count, "redeemed_at": pass_.redeemed_at,
        "page_url": page_url, "page_short_url": page_url, "preview_url": preview_url(pass_),
        "download_page_link": page_url, "direct_link": pkpass_url, "authentication_token": pass_.authentication_token,
        "push_id": push_id, "created_at": pass_.created_at, "updated_at": pass_.modified_at,
        "gwallet_save_url": google_save_url(pass_, campaign),
    })


def _attributes(body: PassBody) -> dict[str, Any]:
    return body.pass_.model_dump(exclude_unset=True, exclude={"merge", "push", "push_message"})


def _flag(body: PassBody, name: str) -> bool:
    """merge / push: inside "pass" or at the top level; default true."""
    for value in (getattr(body.pass_, name), getattr(body, name)):
        if value is not None:
            return bool(value)
    return True


def register_pass_routes(segment: str, style: str) -> None:
    tag = f"Passes: {segment}"
    base = f"/{segment}/<uuid:campaign_id>/passes"
    item = f"{base}/<uuid:pass_id>"

    def list_passes(organization_id: str, campaign_id: str, query: PageQuery, filters: CollectionQuery) -> Response:
        with transaction(write=False) as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            page = fetch_filtered_page(session, pass_service.passes_of(campaign), pass_service.PASS_FILTERS,
                                       filters, query.page_request())
            items = [pass_response(pass_, campaign) for pass_ in page.items]
        return page_response(items, page)

    def create_pass(organization_id: str, campaign_id: str, body: PassBody) -> Response:
        with transaction() as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            pass_ = pass_service.create_integrator_pass(session, campaign, _attributes(body), extra_fields=True)
            response = pass_response(pass_, campaign)
        return json_response(response, 201)

    def get_pass(organization_id: str, campaign_id: str, pass_id: str) -> Response:
        with transaction(write=False) as session:
            campaign, pass_ = _campaign_and_pass(session, organization_id, style, campaign_id, pass_id)
            response = pass_response(pass_, campaign)
        return json_response(response)

    def update_pass(organization_id: str, campaign_id: str, pass_id: str, body: PassBody) -> Response:
        with transaction() as session:
            campaign, pass_ = _campaign_and_pass(session, organization_id, style, campaign_id, pass_id)
            changed = pass_service.update_integrator_pass(session, campaign, pass_, _attributes(body),
                                                          merge=_flag(body, "merge"),
                                                          push_message=body.pass_.push_message,
                                                          extra_fields=True)
            # Nothing for the devices to fetch: no push (the push route still forces one).
            push = _flag(body, "push") and changed
            push_id = enqueue_pass_push(session, organization_id, [pass_.id]).id if push else None
            response = pass_response(pass_, campaign, push_id)
        return json_response(response)

    def delete_pass(organization_id: str, campaign_id: str, pass_id: str) -> Response:
        with transaction() as session:
            _campaign, pass_ = _campaign_and_pass(session, organization_id, style, campaign_id, pass_id)
            pass_service.delete_pass(session, pass_)
        return json_response(DeletedResponse())

    def push_pass(organization_id: str, campaign_id: str, pass_id: str, body: PassPushBody) -> Response:
        with transaction() as session:
            campaign, pass_ = _campaign_and_pass(session, organization_id, style, campaign_id, pass_id)
            if body.pass_.push_message:
                set_push_message(session, [pass_], body.pass_.push_message)
            push = enqueue_pass_push(session, organization_id, [pass_.id])
            response = MessageResponse(
                message=f"push notifications sent for pass with id: {pass_.id} on campaign '{campaign.name}'",
                push_id=push.id)
        return json_response(response, 202)

    register = v2_api.route
    register("GET", base, summary=f"List a campaign's passes ({segment})", tag=tag, query=PageQuery,
             filters=pass_service.PASS_FILTERS, paginated=True,
             responses={200: list[PassResponse]}, endpoint=f"list_passes_{segment}")(list_passes)
    register("POST", base, summary=f"Issue a pass ({segment})", tag=tag, json_body=PassBody,
             responses={201: PassResponse, 412: ErrorObject},
             description="An empty body issues the boilerplate pass. 412 while the campaign is paused or archived.",
             endpoint=f"create_pass_{segment}")(create_pass)
    register("GET", item, summary=f"Get a pass ({segment})", tag=tag,
             responses={200: PassResponse}, etag=True, endpoint=f"get_pass_{segment}")(get_pass)
    for method in ("PATCH", "PUT", "POST"):
        # boarding_pass.md updates with POST, the others with PATCH; PUT as Rails routes it.
        register(method, item, summary=f"Update a pass ({segment})", tag=tag, json_body=PassBody,
                 responses={200: PassResponse}, description=UPDATE_DESCRIPTION, etag=True,
                 endpoint=f"update_pass_{method.lower()}_{segment}")(update_pass)
    register("DELETE", item, summary=f"Delete a pass ({segment})", tag=tag,
             responses={200: DeletedResponse}, etag=True, endpoint=f"delete_pass_{segment}")(delete_pass)
    for push_segment in (segment, *SINGULAR_PUSH_SEGMENTS.get(segment, ())):
        register("POST", f"/{push_segment}/<uuid:campaign_id>/passes/<uuid:pass_id>/push",
                 summary=f"Push a pass to its devices ({push_segment})", tag=tag,
                 json_body=PassPushBody, responses={202: MessageResponse},
                 description="Answers at once; follow the push at GET /v2/pushes/{push_id}. A push_message is "
                             "written into the pass (a back field whose changeMessage is %@) so the lock "
                             "screen shows it when the device fetches the pass.",
                 endpoint=f"push_pass_{push_segment}")(push_pass)


def _campaign_and_pass(session: Session, organization_id: str, style: str, campaign_id: str,
                       pass_id: str) -> tuple[Campaign, Pass]:
    campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
    return campaign, current(session, pass_service.get_campaign_pass(session, campaign, pass_id))


for _segment, (_root, _style) in CAMPAIGN_TYPES.items():
    register_pass_routes(_segment, _style)
