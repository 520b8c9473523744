"""The dashboard's schedules page (Flask-free; docs/dashboard.md, "Schedules"): an
organization's scheduled updates, and cancelling one through the API's own rule
(services.schedules.cancel_schedule)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from walletservice.db import lock_for_update
from walletservice.models import Campaign, Schedule
from walletservice.services.schedules import cancel_schedule

LISTED_SCHEDULES = 200


@dataclass(frozen=True)
class ScheduleRow:
    """One line of the page: the schedule and the name of its campaign."""

    schedule: Schedule
    campaign_name: str

    @property
    def changed_attributes(self) -> list[str]:
        return sorted((self.schedule.changes or {}).keys())

    @property
    def last_outcome(self) -> dict[str, Any]:
        return self.schedule.last_result or {}


def organization_schedules(session: Session, organization_id: str,
                           limit: int = LISTED_SCHEDULES) -> list[ScheduleRow]:
    """Pending ones first, soonest due first; then the rest, the most recently changed first.
    Read through the schedules' organization_id index."""
    pending_first = case((Schedule.state == "scheduled", 0), else_=1)
    rows = session.execute(
        select(Schedule, Campaign.name).join(Campaign, Campaign.id == Schedule.campaign_id)
        .where(Schedule.organization_id == organization_id)
        .order_by(pending_first, Schedule.next_run_at, Schedule.updated_at.desc(), Schedule.id)
        .limit(limit))
    return [ScheduleRow(schedule, name) for schedule, name in rows]


def cancel_organization_schedule(session: Session, organization_id: str, schedule_id: str) -> tuple[str, Schedule] | None:
    """Cancel one of the organization's schedules: (its state before, the schedule), or None
    when it is not the organization's. StateConflict when it already ran (or was cancelled).
    Locked before its state is read, so a run firing meanwhile is waited for and seen."""
    schedule = session.get(Schedule, schedule_id)
    if schedule is None or schedule.organization_id != organization_id:
        return None
    schedule = lock_for_update(schedule)
    before = schedule.state
    return before, cancel_schedule(schedule)
