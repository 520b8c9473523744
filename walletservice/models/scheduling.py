"""Leader election for schedulers: one lease row per role."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base

# APScheduler's SQLAlchemy job store keeps its jobs in this table. The migration
# creates it (so the schema has one owner); APScheduler defines its own Table object.
APSCHEDULER_JOBS_TABLE = "apscheduler_jobs"


class SchedulerLease(Base):
    """Held by the one scheduler process allowed to fire jobs until expires_at."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[dt.datetime]
