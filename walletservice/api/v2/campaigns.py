"""Campaigns of the five pass types, one set of routes per URL segment
(/v2/coupons, /v2/store_cards, /v2/event_tickets, /v2/boarding_passes, /v2/generics)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response, current_app
from pydantic import BaseModel
from sqlalchemy.orm import Session

from walletservice.api.preconditions import current
from walletservice.api.schemas.campaigns import (
    CREATE_BODIES,
    MERGE_BODIES,
    PUSH_BODIES,
    UPDATE_BODIES,
    CampaignResponse,
    CampaignRewriteQuery,
    DryRunResponse,
    MessageResponse,
)
from walletservice.api.schemas.common import DeletedResponse, ErrorList, ErrorObject, PageQuery
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import collection_response, json_response
from walletservice.db import transaction
from walletservice.errors import NotFound, StateConflict
from walletservice.models import Campaign, Organization
from walletservice.runtime import runtime
from walletservice.services import campaigns as campaign_service
from walletservice.services.campaign_merge import enqueue_campaign_merge, preview_campaign_merge
from walletservice.services.collection_filters import CollectionQuery
from walletservice.services.google_sync import google_enabled, sync_states
from walletservice.services.passworks_mapping import CAMPAIGN_TYPES, campaign_attributes
from walletservice.services.schedules import sync_relevant_date_schedule
from walletservice.web.links import campaign_distribution

STATE_DESCRIPTION = (
    "States: published (issues passes), paused (issues none), archived (final). "
    "pause: published -> paused; resume: paused -> published; archive: published or paused -> archived. "
    "Any other move is 412."
)

REWRITE_DESCRIPTION = (
    "Every pass is brought to the campaign as it is now (design, colours, images, locations, fixed fields), "
    "then pushed. Fixed fields (no behaviour means fixed) take the campaign's value, except that an empty "
    "campaign value leaves a pass's non-empty value in place unless overwrite_empty=true; dynamic fields, "
    "barcodes and images of each pass stay. Answers at once (202): a job rewrites the passes "
    "(GET /v2/jobs/{job_id}), then the campaign push (GET /v2/pushes/{push_id}) is sent. A push_message shows "
    "on the lock screen. Each pass's earlier version stays among its revisions. dry_run=true answers 200 "
    "with how many passes and, per field key, how many passes' values would change, and changes nothing."
)


def campaign_response(campaign: Campaign, google_state: tuple[str, str | None] | None = None) -> CampaignResponse:
    attributes = campaign_attributes(campaign.design, campaign.settings)
    distribution = campaign_distribution(campaign)
    status, message = google_state or (None, None)
    return CampaignResponse.model_validate({
        **attributes, "gwallet_status": status, "gwallet_message": message,
        "id": campaign.id, "name": campaign.name, "state": campaign.state,
        **{key: distribution[key] for key in ("page_url", "pkpass_url", "page_short_url", "pkpass_short_url")},
        "distributions": [distribution],
        "certificate_id": campaign.certificate_id, "template_id": campaign.template_id,
        "created_at": campaign.created_at,
        "updated_at": campaign.updated_at,
    })


def _present(session: Session, campaigns: Sequence[Campaign]) -> list[CampaignResponse]:
    states = sync_states(session, [campaign.id for campaign in campaigns if google_enabled(campaign)])
    return [campaign_response(campaign, states.get(campaign.id)) for campaign in campaigns]


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
            response = _present(session, [campaign])[0]
        return json_response(response, 201)

    def get_campaign(organization_id: str, campaign_id: str) -> Response:
        with transaction(write=False) as session:
            campaign = current(session, campaign_service.get_campaign(session, organization_id, style, campaign_id))
            response = _present(session, [campaign])[0]
        return json_response(response)

    def update_campaign(organization_id: str, campaign_id: str, body: BaseModel) -> Response:
        with transaction() as session:
            organization = session.get(Organization, organization_id)
            campaign = current(session, campaign_service.get_campaign(session, organization_id, style, campaign_id))
            campaign_service.update_integrator_campaign(
                session, organization, campaign, _changes(body, root), runtime().certificates)
            sync_relevant_date_schedule(session, campaign, current_app.config["WALLET_RELEVANT_DATE_LEAD_SECONDS"])
            response = _present(session, [campaign])[0]
        return json_response(response)

    def delete_campaign(organization_id: str, campaign_id: str) -> Response:
        with transaction() as session:
            try:
                campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            except NotFound:  # generic.md, "Delete a Generic campaign": 412, not 404
                raise StateConflict("Campaign not found.", field="campaign") from None
            campaign = current(session, campaign)
            campaign_service.delete_campaign(session, campaign)
        return json_response(DeletedResponse())

    def push_campaign(organization_id: str, campaign_id: str, body: BaseModel,
                      query: CampaignRewriteQuery) -> Response:
        return _rewrite(organization_id, campaign_id, getattr(body, root).push_message, query, "Pushing")

    def merge_campaign(organization_id: str, campaign_id: str, body: BaseModel,
                       query: CampaignRewriteQuery) -> Response:
        push_message = body.push_message or getattr(body, root).push_message  # type: ignore[attr-defined]
        return _rewrite(organization_id, campaign_id, push_message, query, "Merging")

    def _rewrite(organization_id: str, campaign_id: str, push_message: str | None,
                 query: CampaignRewriteQuery, doing: str) -> Response:
        """Push and merge both bring every pass to the campaign's design, then push it
        (store_card.md: the push after a campaign update resets the passes to it)."""
        if query.dry_run:
            with transaction(write=False) as session:
                campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
                preview = preview_campaign_merge(session, campaign, overwrite_empty=query.overwrite_empty)
            return json_response(DryRunResponse(passes=preview.passes, fields=preview.fields))
        with transaction() as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            job = enqueue_campaign_merge(session, campaign, push_message, overwrite_empty=query.overwrite_empty)
            message = (f"{doing} the {job.total} passes of campaign '{campaign.name}'." if job.total
                       else f"There are no passes to update for campaign '{campaign.name}'.")
            response = MessageResponse(message=message, push_id=job.push_request_id, job_id=job.id)
        return json_response(response, 202)

    register = v2_api.route
    register("GET", base, summary=f"List {segment}", tag=tag, query=PageQuery,
             filters=campaign_service.CAMPAIGN_FILTERS, paginated=True,
             responses={200: list[CampaignResponse]}, endpoint=f"list_campaigns_{segment}")(list_campaigns)
    register("POST", base, summary=f"Create a {root} campaign", tag=tag, json_body=CREATE_BODIES[segment],
             responses={201: CampaignResponse}, description=STATE_DESCRIPTION, endpoint=f"create_campaign_{segment}")(create_campaign)
    register("GET", item, summary=f"Get a {root} campaign", tag=tag,
             responses={200: CampaignResponse}, etag=True, endpoint=f"get_campaign_{segment}")(get_campaign)
    register("PATCH", item, summary=f"Update a {root} campaign", tag=tag, json_body=UPDATE_BODIES[segment],
             responses={200: CampaignResponse, 412: ErrorObject}, etag=True,
             description="Only the attributes sent change. Issued passes change when updated or merged.",
             endpoint=f"update_campaign_{segment}")(update_campaign)
    register("DELETE", item, summary=f"Delete a {root} campaign and its passes", tag=tag,
             responses={200: DeletedResponse, 412: ErrorObject},
             description="An unknown campaign is 412, as the Passworks documents show.", etag=True,
             endpoint=f"delete_campaign_{segment}")(delete_campaign)
    for action in campaign_service.STATE_MOVES:
        register("POST", f"{item}/{action}", summary=f"{action.capitalize()} a {root} campaign", tag=tag,
                 responses={200: CampaignResponse, 412: ErrorList}, description=STATE_DESCRIPTION,
                 endpoint=f"{action}_campaign_{segment}")(_state_view(style, action))
    register("POST", f"{item}/push", summary=f"Update every pass of a {root} campaign to it and push them",
             tag=tag, json_body=PUSH_BODIES[segment], query=CampaignRewriteQuery,
             responses={202: MessageResponse, 200: DryRunResponse}, description=REWRITE_DESCRIPTION,
             endpoint=f"push_campaign_{segment}")(push_campaign)
    register("POST", f"{item}/merge", summary=f"Rewrite every pass of a {root} campaign from its design", tag=tag,
             json_body=MERGE_BODIES[segment], query=CampaignRewriteQuery,
             responses={202: MessageResponse, 200: DryRunResponse},
             description="The same as the campaign push. " + REWRITE_DESCRIPTION,
             endpoint=f"merge_campaign_{segment}")(merge_campaign)


def _state_view(style: str, action: str) -> Any:
    def change_state(organization_id: str, campaign_id: str) -> Response:
        with transaction() as session:
            campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
            campaign_service.change_campaign_state(session, campaign, action)
            session.flush()
            response = _present(session, [campaign])[0]
        return json_response(response)
    return change_state


for _segment, (_root, _style) in CAMPAIGN_TYPES.items():
    register_campaign_routes(_segment, _root, _style)
