"""Leader election through a lease row, portable to SQLite and PostgreSQL.

APScheduler 3.x cannot share a job store between processes, so every scheduler
process competes for one lease and only its holder runs APScheduler. Taking the
lease is one conditional UPDATE: on PostgreSQL the row lock makes a concurrent
taker re-check the condition after the winner commits, so two processes never
both see themselves as holder.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from walletservice.db import upsert_insert
from walletservice.models import SchedulerLease
from walletservice.models.base import utcnow


def try_acquire_leadership(
    session: Session, name: str, holder: str, ttl_seconds: float, now: dt.datetime | None = None
) -> bool:
    """Take or renew the lease; True while `holder` is the leader."""
    now = now or utcnow()
    expires = now + dt.timedelta(seconds=ttl_seconds)
    table = SchedulerLease.__table__
    session.execute(
        upsert_insert(session, table)
        .values(name=name, holder=holder, expires_at=now - dt.timedelta(seconds=1))
        .on_conflict_do_nothing(index_elements=[table.c.name])
    )
    taken = session.execute(
        update(SchedulerLease)
        .where(
            SchedulerLease.name == name,
            or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now),
        )
        .values(holder=holder, expires_at=expires)
    )
    return taken.rowcount == 1


def release_leadership(session: Session, name: str, holder: str) -> None:
    """Step down at once (clean shutdown) so another process need not wait for expiry."""
    session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(expires_at=utcnow() - dt.timedelta(seconds=1))
    )
