"""Schedules: planned changes of a campaign or of one pass (the schedules API).

A schedule is data: what to change (`changes`, the same attributes a PATCH takes),
when (`run_at`, or `cron` in a time zone) and what happened (`state`,
`last_result`, its ScheduleRun rows). The scheduler fires it through
walletservice.scheduling.runs with the very functions the PATCH routes use.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from walletservice.db import lock_for_update
from walletservice.errors import InvalidInput, StateConflict
from walletservice.passkit.dates import check_date_in_range
from walletservice.passkit.relevant_dates import fallback_relevant_date
from walletservice.models import Campaign, Organization, Pass, Schedule, ScheduleRun
from walletservice.models.base import utcnow
from walletservice.queue.pushes import enqueue_campaign_push, enqueue_pass_push
from walletservice.scheduling.recurrence import RecurrenceError, check_cron, next_fire_time, parse_cron, time_zone
from walletservice.services.campaign_merge import enqueue_campaign_merge, enqueue_campaign_message
from walletservice.services.campaigns import update_integrator_campaign
from walletservice.services.certificates import CertificateStore
from walletservice.services.collection_filters import Attribute, FilterSpec
from walletservice.services.lookups import one_or_not_found
from walletservice.services.pass_content import parse_instant
from walletservice.plumbing.change_authors import Author, acting_as
from walletservice.services.passes import update_integrator_pass

# scheduled -> done | failed | missed (one-shot, due too long before a scheduler ran) |
# cancelled. A run is one transaction, so "running" is never committed. Recurring
# schedules go back to scheduled after each run.
FINAL_STATES = ("done", "failed", "missed", "cancelled")
RELEVANT_DATE_ORIGIN = "relevant_date"
RECENT_RUNS = 20

SCHEDULE_FILTERS = FilterSpec({
    "id": Attribute(Schedule.id, str),
    "state": Attribute(Schedule.state, str),
    "origin": Attribute(Schedule.origin, str),
    "pass_id": Attribute(Schedule.pass_id, str),
    "next_run_at": Attribute(Schedule.next_run_at, dt.datetime),
    "last_run_at": Attribute(Schedule.last_run_at, dt.datetime),
    "created_at": Attribute(Schedule.created_at, dt.datetime),
    "updated_at": Attribute(Schedule.updated_at, dt.datetime),
}, tiebreaker=Schedule.id)


@dataclass(frozen=True)
class ScheduleSpec:
    """What an integrator asked for; `changes` are PATCH attributes (Python values)."""

    changes: Mapping[str, Any]
    run_at: dt.datetime | None = None
    cron: str | None = None
    timezone: str | None = None
    push_message: str | None = None
    merge: bool = False


@dataclass(frozen=True)
class Applied:
    """What applying a schedule queued: a push, or a campaign merge job."""

    push_request_id: str | None
    job_id: str | None = None


def first_run_at(spec: ScheduleSpec, now: dt.datetime) -> dt.datetime:
    """When the schedule first fires; InvalidInput for any timing that cannot work."""
    if (spec.run_at is None) == (spec.cron is None):
        raise InvalidInput("schedule: give either run_at (one-shot) or cron with timezone (recurring)")
    if spec.run_at is not None:
        if spec.timezone is not None:
            raise InvalidInput("timezone: only for cron; write run_at with its UTC offset")
        if spec.run_at.tzinfo is None or spec.run_at.utcoffset() is None:
            raise InvalidInput("run_at: give a time zone (e.g. 2030-05-01T09:00:00+02:00 or ...Z)")
        if spec.run_at <= now:
            raise InvalidInput("run_at: the time has passed")
        return _utc(spec.run_at, "run_at")
    if not spec.timezone:
        raise InvalidInput("timezone: required with cron (an IANA name such as Europe/Berlin)")
    try:
        return check_cron(spec.cron or "", spec.timezone, now)
    except RecurrenceError as exc:
        raise InvalidInput(str(exc)) from None


def create_schedule(
    session: Session, campaign: Campaign, pass_: Pass | None, spec: ScheduleSpec,
    certificates: CertificateStore, *, origin: str | None = None, now: dt.datetime | None = None,
) -> Schedule:
    """Check the timing, then apply the changes once in a savepoint that is rolled back,
    so a schedule that could not run is refused now rather than failing later."""
    now = now or utcnow()
    next_run_at = first_run_at(spec, now)
    if pass_ is not None and spec.merge:
        raise InvalidInput("merge: only campaign schedules merge (rewrite the campaign's passes)")
    schedule = Schedule(
        organization_id=campaign.organization_id, campaign_id=campaign.id,
        pass_id=pass_.id if pass_ else None, run_at=next_run_at if spec.run_at else None,
        cron=spec.cron, timezone=spec.timezone, changes=json_ready(dict(spec.changes), "changes"),
        push_message=spec.push_message, merge=spec.merge, state="scheduled", next_run_at=next_run_at,
        origin=origin,
    )
    _dry_run(session, schedule, campaign, pass_, certificates)
    session.add(schedule)
    session.flush()
    return schedule


def _dry_run(session: Session, schedule: Schedule, campaign: Campaign, pass_: Pass | None,
             certificates: CertificateStore) -> None:
    savepoint = session.begin_nested()
    try:
        _apply_changes(session, schedule, campaign, pass_, certificates)
    finally:
        savepoint.rollback()


def apply_schedule(session: Session, schedule: Schedule, certificates: CertificateStore,
                   relevant_date_lead_seconds: float | None = None, now: dt.datetime | None = None) -> Applied:
    """Make the change and queue what delivers it, in the caller's transaction."""
    campaign = session.get(Campaign, schedule.campaign_id)
    pass_ = session.get(Pass, schedule.pass_id) if schedule.pass_id else None
    if campaign is None or (schedule.pass_id and pass_ is None):
        raise InvalidInput("the campaign or pass of this schedule no longer exists")
    with acting_as(Author(route=f"schedule {schedule.id}", organization_id=campaign.organization_id)):
        _apply_changes(session, schedule, campaign, pass_, certificates)
    if pass_ is None and "relevant_date" in schedule.changes and relevant_date_lead_seconds is not None:
        sync_relevant_date_schedule(session, campaign, relevant_date_lead_seconds, now, merged=schedule.merge)
    if pass_ is not None:
        return Applied(enqueue_pass_push(session, campaign.organization_id, [pass_.id]).id)
    if schedule.merge or schedule.push_message:
        # Both rewrite every pass: a background job, whose push is held until it is done.
        job = (enqueue_campaign_merge(session, campaign, push_message=schedule.push_message) if schedule.merge
               else enqueue_campaign_message(session, campaign, schedule.push_message or ""))
        return Applied(job.push_request_id, job.id)
    return Applied(enqueue_campaign_push(session, campaign.organization_id, campaign.id).id)


def _apply_changes(session: Session, schedule: Schedule, campaign: Campaign, pass_: Pass | None,
                   certificates: CertificateStore) -> None:
    changes = dict(schedule.changes or {})
    if pass_ is not None:
        update_integrator_pass(session, campaign, pass_, changes, merge=True, push_message=schedule.push_message)
    elif changes:
        organization = session.get(Organization, campaign.organization_id)
        update_integrator_campaign(session, organization, campaign, changes, certificates)


def schedules_of(campaign: Campaign, pass_: Pass | None = None) -> Select[tuple[Schedule]]:
    """A campaign's schedules (its own and its passes'), or one pass's."""
    statement = select(Schedule).where(
        Schedule.organization_id == campaign.organization_id, Schedule.campaign_id == campaign.id)
    return statement.where(Schedule.pass_id == pass_.id) if pass_ is not None else statement


def get_schedule(session: Session, campaign: Campaign, pass_: Pass | None, schedule_id: str) -> Schedule:
    return one_or_not_found(session, schedules_of(campaign, pass_).where(Schedule.id == schedule_id), "schedule")


def cancel_schedule(schedule: Schedule) -> Schedule:
    # A run holds the schedule's lock while it fires: wait for it, then see "done".
    schedule = lock_for_update(schedule)
    if schedule.state in FINAL_STATES:
        raise StateConflict(f"the schedule is {schedule.state}: only a schedule still to run can be cancelled")
    schedule.state = "cancelled"
    schedule.next_run_at = None
    schedule.updated_at = utcnow()
    return schedule


def recent_runs(session: Session, schedule_ids: list[str], limit: int = RECENT_RUNS) -> dict[str, list[ScheduleRun]]:
    """The latest runs of each schedule, newest first."""
    runs: dict[str, list[ScheduleRun]] = {schedule_id: [] for schedule_id in schedule_ids}
    if not schedule_ids:
        return runs
    rows = session.scalars(select(ScheduleRun).where(ScheduleRun.schedule_id.in_(schedule_ids))
                           .order_by(ScheduleRun.due_at.desc(), ScheduleRun.id.desc()))
    for run in rows:
        if len(runs[run.schedule_id]) < limit:
            runs[run.schedule_id].append(run)
    return runs


def next_cron_run(schedule: Schedule, after: dt.datetime) -> dt.datetime | None:
    return next_fire_time(parse_cron(schedule.cron or ""), time_zone(schedule.timezone or "UTC"), after)


# -- the campaign relevant_date helper ------------------------------------------------

def sync_relevant_date_schedule(
    session: Session, campaign: Campaign, lead_seconds: float, now: dt.datetime | None = None, *,
    merged: bool = False,
) -> Schedule | None:
    """Keep one origin="relevant_date" schedule per campaign: at relevantDate minus the
    lead time it merges the campaign into its passes and pushes them, so installed
    passes carry the relevant date before Wallet's lock-screen window opens.
    merged: the caller merges right now, so a helper due now is not needed."""
    now = now or utcnow()
    wanted = _helper_run_at(campaign, lead_seconds, now)
    if merged and wanted is not None and wanted <= now:
        wanted = None
    current = session.scalars(schedules_of(campaign).where(
        Schedule.origin == RELEVANT_DATE_ORIGIN, Schedule.state == "scheduled")).all()
    if wanted is not None and any(schedule.next_run_at == wanted for schedule in current):
        return next(schedule for schedule in current if schedule.next_run_at == wanted)
    for schedule in current:
        cancel_schedule(schedule)
    if wanted is None:
        session.flush()
        return None
    schedule = Schedule(
        organization_id=campaign.organization_id, campaign_id=campaign.id, run_at=wanted, changes={},
        merge=True, state="scheduled", next_run_at=wanted, origin=RELEVANT_DATE_ORIGIN,
    )
    session.add(schedule)
    session.flush()
    return schedule


def _helper_run_at(campaign: Campaign, lead_seconds: float, now: dt.datetime) -> dt.datetime | None:
    """relevantDate minus the lead, or now when that has passed; None once the date is past.
    A campaign with only relevantDates counts from their earliest moment (its passes' relevantDate)."""
    design = campaign.design or {}
    relevant = parse_instant(design.get("relevantDate") or fallback_relevant_date(design.get("relevantDates")))
    if relevant is None or relevant <= now:
        return None
    return max(relevant - dt.timedelta(seconds=lead_seconds), now).replace(microsecond=0)


# -- values ---------------------------------------------------------------------------

def json_ready(value: Any, where: str) -> Any:
    """Attributes as stored JSON: times as UTC "...Z" (as a PATCH stores them), UUIDs as text."""
    if isinstance(value, Mapping):
        return {key: json_ready(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(item, f"{where}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return _utc(aware, where).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _utc(value: dt.datetime, where: str) -> dt.datetime:
    check_date_in_range(value, where, InvalidInput)
    try:
        return value.astimezone(dt.timezone.utc)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-14:00
        raise InvalidInput(f"{where}: the time is out of range in UTC") from None
