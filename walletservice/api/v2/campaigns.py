"""Campaigns of the five pass types, one set of routes per URL segment
(/v2/coupons, /v2/store_cards, /v2/event_tickets, /v2/boarding_passes, /v2/generics)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response, current_app
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from walletservice.api.preconditions import current
from walletservice.api.schemas.campaigns import (
    CREATE_BODIES,
    MERGE_BODIES,
    PUSH_BODIES,
    UPDATE_BODIES,
    CampaignResponse,
    MessageResponse,
)
from walletservice.api.schemas.common import DeletedResponse, ErrorList, PageQuery
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import collection_response, json_response
from walletservice.db import transaction
from walletservice.models import Campaign, Organization, Pass
from walletservice.outbox.pushes import enqueue_campaign_push
from walletservice.runtime import runtime
from walletservice.services import campaigns as campaign_service
from walletservice.services.campaign_merge import enqueue_campaign_merge, enqueue_campaign_message
from walletservice.services.collection_filters import CollectionQuery
from walletservice.services.passworks_mapping import CAMPAIGN_TYPES, campaign_attributes
from walletservice.services.schedules import sync_relevant_date_schedule

STATE_DESCRIPTION = (
    "States: published (issues passes), paused (issues none), archived (final). "
    "pause: published -> paused; resume: paused -> published; archive: published or paused -> archived. "
    "Any other move is 412."
)


def campaign_response(campaign: Campaign) -> CampaignResponse:
    attributes = campaign_attributes(campaign.design, campaign.settings)
    return CampaignResponse.model_validate({
        **attributes, "id": campaign.id, "name": campaign.name, "state": campaign.state,
        "certificate_id": campaign.certificate_id, "template_id": campaign.template_id,
        "created_at": campaign.created_at,
        "updated_at": campaign.updated_at,
    })


def _present(_session: Session, campaigns: Sequence[Campaign]) -> list[CampaignResponse]:
    return [campaign_response(campaign) for campaign in campaigns]


def _changes(body: BaseModel, root: str) -> dict[str, Any]:
    return getattr(body, root).model_dump(exclude_unset=True)


def register_campaign_routes(segment: str, root: str, style: str) -> None:
    """The campaign routes of one pass type; view names are unique per segment."""
    tag = f"Campaigns: {segment}"
    base = f"/{segment}"
    item = f"{base}/<uuid:campaign_id>"

    def list_campaigns(organization_id: str, query: PageQuery, filters: CollectionQuery) -> Response:
        return collection_response(campaign_service.campaigns_of(organization_id, style),
                                   campaign_service.CAMPAIGN_FILTERS, filters, query, _present)

    def create_campaign(organization_id: str, body: BaseModel) -> Response:
        with transaction() as session:
            organization = session.get(Organization, organization_id)
            campaign = campaign_service.create_integrator_campaign(
                session, organization, style, _changes(body, root), runtime().certificates)
            sync_relevant_date_schedule(session, campaign, current_app.config["WALLET_RELEVANT_DATE_LEAD_SECONDS"])
            response = campaign_response(campaign)
        return json_response(response, 201)

    def get_campaign(organization_id: str, campaign_id: str) -> Response:
        with transaction(write=False) as session:
            campaign = current(session, campaign_service.get_campaign(session, organization_id, style, campaign_id))
            response = campaign_response(campaign)
        return json_response(response)

    def update_campaign(organization_id: str, campaign_id: str, body: BaseModel) -> Response:
        with transaction() as session:
            organization = session.get(Organization, organization_id)
            campaign = current(session, campaign_service.get_campaign(session, organization_id, style, campaign_id))
            campaign_service.update_integrator_campaign(
                session, organization, campaign, _changes(body, root), runtime().certificates)
            sync_relevant_date_schedule(session, campaign, current_app.config["WALLET_RELEVANT_DATE_LEAD_SECONDS"])
            response = campaign_response(campaign)
        return json_response(response)

    def delete_campaign(organization_id: str, campaign_id: str) -> Response:
        with transaction() as session:
            campaign = current(session, campaign_service.get_campaign(session, organization_id, style, campaign_id))
            campaign_service.delete_campaign(session, campaign)
        return json_response(DeletedResponse())

    def push_campaign(organization_id: str, campaign_id: str, body: BaseModel) -> Response:
        push_message = getattr(body, root).push_message
        with transaction() as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            count = session.scalar(select(func.count()).where(Pass.campaign_id == campaign.id)) or 0
            if push_message:  # written into every pass first, by a job (services.campaign_merge)
                job = enqueue_campaign_message(session, campaign, push_message)
                push_id, job_id = job.push_request_id, job.id
            else:
                push_id, job_id = enqueue_campaign_push(session, organization_id, campaign.id).id, None
            message = (f"Pushing the {count} passes of campaign '{campaign.name}'." if count
                       else f"There are no passes to update for campaign '{campaign.name}'.")
            response = MessageResponse(message=message, push_id=push_id, job_id=job_id)
        return json_response(response, 202)

    def merge_campaign(organization_id: str, campaign_id: str, body: BaseModel) -> Response:
        push_message = body.push_message or getattr(body, root).push_message  # type: ignore[attr-defined]
        with transaction() as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            job = enqueue_campaign_merge(session, campaign, push_message)
            message = (f"Merging the {job.total} passes of campaign '{campaign.name}'." if job.total
                       else f"There are no passes to update for campaign '{campaign.name}'.")
            response = MessageResponse(message=message, push_id=job.push_request_id, job_id=job.id)
        return json_response(response, 202)

    register = v2_api.route
    register("GET", base, summary=f"List {segment}", tag=tag, query=PageQuery,
             filters=campaign_service.CAMPAIGN_FILTERS, paginated=True,
             responses={200: list[CampaignResponse]})(_named(list_campaigns, segment))
    register("POST", base, summary=f"Create a {root} campaign", tag=tag, json_body=CREATE_BODIES[segment],
             responses={201: CampaignResponse}, description=STATE_DESCRIPTION)(_named(create_campaign, segment))
    register("GET", item, summary=f"Get a {root} campaign", tag=tag,
             responses={200: CampaignResponse}, etag=True)(_named(get_campaign, segment))
    register("PATCH", item, summary=f"Update a {root} campaign", tag=tag, json_body=UPDATE_BODIES[segment],
             responses={200: CampaignResponse, 412: ErrorList}, etag=True,
             description="Only the attributes sent change. Issued passes change when updated or merged.",
             )(_named(update_campaign, segment))
    register("DELETE", item, summary=f"Delete a {root} campaign and its passes", tag=tag,
             responses={200: DeletedResponse}, etag=True)(_named(delete_campaign, segment))
    for action in campaign_service.STATE_MOVES:
        register("POST", f"{item}/{action}", summary=f"{action.capitalize()} a {root} campaign", tag=tag,
                 responses={200: CampaignResponse, 412: ErrorList}, description=STATE_DESCRIPTION,
                 )(_named(_state_view(style, action), segment, f"{action}_campaign"))
    register("POST", f"{item}/push", summary=f"Push every installed pass of a {root} campaign", tag=tag,
             json_body=PUSH_BODIES[segment], responses={202: MessageResponse},
             description="Answers at once; workers send the pushes. Follow them at GET /v2/pushes/{push_id}. "
                         "With a push_message, a job first writes the message into every pass (a back field "
                         "whose changeMessage is %@, so the lock screen shows it): GET /v2/jobs/{job_id}; "
                         "the push waits for it.",
             )(_named(push_campaign, segment))
    register("POST", f"{item}/merge", summary=f"Rewrite every pass of a {root} campaign from its design", tag=tag,
             json_body=MERGE_BODIES[segment], responses={202: MessageResponse},
             description="Fixed fields, locations and beacons come from the campaign; dynamic field values, "
                         "barcodes and images of each pass stay. Answers at once: a job rewrites the passes "
                         "(GET /v2/jobs/{job_id}), then the campaign push (GET /v2/pushes/{push_id}) is sent. "
                         "A push_message shows on the lock screen.",
             )(_named(merge_campaign, segment))


def _state_view(style: str, action: str) -> Any:
    def change_state(organization_id: str, campaign_id: str) -> Response:
        with transaction() as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            campaign_service.change_campaign_state(campaign, action)
            session.flush()
            response = campaign_response(campaign)
        return json_response(response)
    return change_state


def _named(view: Any, segment: str, name: str | None = None) -> Any:
    # Flask endpoints and OpenAPI operation ids come from the view's name.
    view.__name__ = f"{name or view.__name__}_{segment}"
    return view


for _segment, (_root, _style) in CAMPAIGN_TYPES.items():
    register_campaign_routes(_segment, _root, _style)
