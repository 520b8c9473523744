"""Scheduling: leader election for schedulers, and the integrators' schedules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base, BigIntegerKey, new_uuid, utcnow

# APScheduler's SQLAlchemy job store keeps its jobs in this table. The migration
# creates it (so the schema has one owner); APScheduler defines its own Table object.
APSCHEDULER_JOBS_TABLE = "apscheduler_jobs"


class SchedulerLease(Base):
    """Held by the one scheduler process allowed to fire jobs until expires_at."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[dt.datetime]


class Schedule(Base):
    """A planned change of a campaign's passes or of one pass (schedules API).

    One-shot (run_at) or recurring (cron in a time zone). APScheduler holds the
    trigger; this row holds what to do and what happened.
    """

    __tablename__ = "schedules"
    __table_args__ = (Index("ix_schedules_state_next_run", "state", "next_run_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    # None: the schedule changes the campaign (and its passes).
    pass_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("passes.id", ondelete="CASCADE"), index=True
    )
    run_at: Mapped[dt.datetime | None]
    cron: Mapped[str | None] = mapped_column(String(128))
    timezone: Mapped[str | None] = mapped_column(String(64))
    changes: Mapped[dict[str, Any]]
    push_message: Mapped[str | None] = mapped_column(Text)
    merge: Mapped[bool] = mapped_column(default=False)
    # scheduled -> running -> done | failed; cancelled. Recurring ones go back to scheduled.
    state: Mapped[str] = mapped_column(String(16), default="scheduled")
    next_run_at: Mapped[dt.datetime | None]
    last_run_at: Mapped[dt.datetime | None]
    last_result: Mapped[dict[str, Any] | None]
    last_push_request_id: Mapped[str | None] = mapped_column(String(36))
    # Set for schedules the service made itself (e.g. the relevant_date helper).
    origin: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ScheduleRun(Base):
    """One firing of a schedule. Unique per due time, so a run happens once even
    if two schedulers or a restart fire it twice; missed runs are recorded too."""

    __tablename__ = "schedule_runs"
    __table_args__ = (UniqueConstraint("schedule_id", "due_at"),)

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    schedule_id: Mapped[str] = mapped_column(String(36), ForeignKey("schedules.id", ondelete="CASCADE"))
    due_at: Mapped[dt.datetime]
    # running -> done | failed; missed (beyond the grace window)
    outcome: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    push_request_id: Mapped[str | None] = mapped_column(String(36))
    error: Mapped[str | None] = mapped_column(Text)
