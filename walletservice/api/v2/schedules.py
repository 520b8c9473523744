"""Schedules: /v2/{type}/{campaign_id}/schedules and .../passes/{pass_id}/schedules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response
from sqlalchemy.orm import Session

from walletservice.api.schemas.common import ErrorObject, PageQuery
from walletservice.api.schemas.schedules import (
    CampaignSchedule,
    CampaignScheduleBody,
    PassSchedule,
    PassScheduleBody,
    ScheduleResponse,
    ScheduleRunView,
)
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import json_response, page_response
from walletservice.db import transaction
from walletservice.models import Campaign, Pass, Schedule, ScheduleRun
from walletservice.runtime import runtime
from walletservice.services import campaigns as campaign_service
from walletservice.services import passes as pass_service
from walletservice.services import schedules as schedule_service
from walletservice.services.collection_filters import CollectionQuery
from walletservice.services.pagination import fetch_filtered_page
from walletservice.services.passworks_mapping import CAMPAIGN_TYPES

CREATE_DESCRIPTION = (
    "`run_at` (ISO 8601 with offset, future) or `cron` + `timezone` (IANA). `changes` takes the "
    "attributes of the matching PATCH; they are applied once now in a rolled-back transaction, so a "
    "schedule that could not run is refused with 422. When it fires, the change, the new update tags "
    "and the push commit together, and the push id is linked on the schedule."
)
DELETE_DESCRIPTION = "Cancels a schedule that has not finished; 412 once it is done, failed, missed or cancelled."


def schedule_response(schedule: Schedule, runs: Sequence[ScheduleRun]) -> ScheduleResponse:
    return ScheduleResponse(
        id=schedule.id, campaign_id=schedule.campaign_id, pass_id=schedule.pass_id, state=schedule.state,
        run_at=schedule.run_at, cron=schedule.cron, timezone=schedule.timezone, changes=schedule.changes,
        push_message=schedule.push_message, merge=schedule.merge, origin=schedule.origin,
        next_run_at=schedule.next_run_at, last_run_at=schedule.last_run_at, last_result=schedule.last_result,
        last_push_id=schedule.last_push_request_id,
        runs=[ScheduleRunView(due_at=run.due_at, outcome=run.outcome, started_at=run.started_at,
                              finished_at=run.finished_at, push_id=run.push_request_id, error=run.error)
              for run in runs],
        created_at=schedule.created_at, updated_at=schedule.updated_at,
    )


def _present(session: Session, schedules: Sequence[Schedule]) -> list[ScheduleResponse]:
    runs = schedule_service.recent_runs(session, [schedule.id for schedule in schedules])
    return [schedule_response(schedule, runs[schedule.id]) for schedule in schedules]


def _spec(schedule: PassSchedule | CampaignSchedule) -> schedule_service.ScheduleSpec:
    return schedule_service.ScheduleSpec(
        changes=schedule.changes.model_dump(exclude_unset=True), run_at=schedule.run_at, cron=schedule.cron,
        timezone=schedule.timezone, push_message=schedule.push_message,
        merge=getattr(schedule, "merge", False),
    )


def register_schedule_routes(segment: str, style: str, *, for_pass: bool) -> None:
    """One set of schedule routes: a campaign's (for_pass=False) or a pass's."""
    scope = "pass" if for_pass else "campaign"
    tag = f"Schedules: {segment}"
    base = f"/{segment}/<uuid:campaign_id>" + ("/passes/<uuid:pass_id>" if for_pass else "") + "/schedules"
    item = f"{base}/<uuid:schedule_id>"
    body_model = PassScheduleBody if for_pass else CampaignScheduleBody

    def target(session: Session, organization_id: str, arguments: dict[str, Any]) -> tuple[Campaign, Pass | None]:
        campaign = campaign_service.get_campaign(session, organization_id, style, arguments["campaign_id"])
        pass_id = arguments.get("pass_id")
        return campaign, pass_service.get_campaign_pass(session, campaign, pass_id) if pass_id else None

    def create_schedule(organization_id: str, body: Any, **path: str) -> Response:
        with transaction() as session:
            campaign, pass_ = target(session, organization_id, path)
            schedule = schedule_service.create_schedule(session, campaign, pass_, _spec(body.schedule),
                                                        runtime().certificates)
            response = schedule_response(schedule, [])
        return json_response(response, 201)

    def list_schedules(organization_id: str, query: PageQuery, filters: CollectionQuery, **path: str) -> Response:
        with transaction(write=False) as session:
            campaign, pass_ = target(session, organization_id, path)
            page = fetch_filtered_page(session, schedule_service.schedules_of(campaign, pass_),
                                       schedule_service.SCHEDULE_FILTERS, filters, query.page_request())
            items = _present(session, page.items)
        return page_response(items, page)

    def get_schedule(organization_id: str, schedule_id: str, **path: str) -> Response:
        with transaction(write=False) as session:
            campaign, pass_ = target(session, organization_id, path)
            schedule = schedule_service.get_schedule(session, campaign, pass_, schedule_id)
            response = _present(session, [schedule])[0]
        return json_response(response)

    def cancel_schedule(organization_id: str, schedule_id: str, **path: str) -> Response:
        with transaction() as session:
            campaign, pass_ = target(session, organization_id, path)
            schedule = schedule_service.get_schedule(session, campaign, pass_, schedule_id)
            schedule_service.cancel_schedule(schedule)
            session.flush()
            response = _present(session, [schedule])[0]
        return json_response(response)

    register = v2_api.route
    what = "a pass" if for_pass else "a campaign"
    register("POST", base, summary=f"Schedule a change of {what} ({segment})", tag=tag, json_body=body_model,
             responses={201: ScheduleResponse}, description=CREATE_DESCRIPTION,
             endpoint=f"create_schedule_{scope}_{segment}")(create_schedule)
    register("GET", base, summary=f"List the schedules of {what} ({segment})", tag=tag, query=PageQuery,
             filters=schedule_service.SCHEDULE_FILTERS, paginated=True, responses={200: list[ScheduleResponse]},
             description="A campaign's list includes the schedules of its passes.",
             endpoint=f"list_schedules_{scope}_{segment}")(list_schedules)
    register("GET", item, summary=f"Get a schedule of {what} ({segment})", tag=tag,
             responses={200: ScheduleResponse}, endpoint=f"get_schedule_{scope}_{segment}")(get_schedule)
    register("DELETE", item, summary=f"Cancel a schedule of {what} ({segment})", tag=tag,
             responses={200: ScheduleResponse, 412: ErrorObject}, description=DELETE_DESCRIPTION,
             endpoint=f"cancel_schedule_{scope}_{segment}")(cancel_schedule)


for _segment, (_root, _style) in CAMPAIGN_TYPES.items():
    register_schedule_routes(_segment, _style, for_pass=False)
    register_schedule_routes(_segment, _style, for_pass=True)
