"""Heartbeat rows of the supervised loops, and what readiness makes of them.

The rule /readyz and `wallet status` apply (docs/operations.md):
- a row is *stale* when its last beat is older than WALLET_LOOP_STALE_SECONDS;
- a loop (push-sender, webhook-sender, job-runner, scheduler) is *required* once
  any process has a row for it: the deployment runs it, so someone must;
- a required loop is *down* when none of its rows is fresh. Then /readyz is 503.

A process that stops cleanly deletes its rows, so stopping the last worker on
purpose leaves nothing required. A crashed process's rows stay stale: reported,
but harmless once another process runs the same loop, and deleted by that
process's loop after PRUNE_AFTER_STALE_PERIODS stale periods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from walletservice.db import upsert_insert
from walletservice.models import WorkerHeartbeat
from walletservice.models.base import utcnow

# A replaced process's rows are kept this many stale periods, so `wallet status`
# still shows what died, then removed by a live loop of the same name.
PRUNE_AFTER_STALE_PERIODS = 10
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class StaleLoop:
    loop: str
    process: str
    age_seconds: float  # since its last beat
    last_error: str | None
    last_error_at: dt.datetime | None

    def as_json(self) -> dict[str, object]:
        return {"loop": self.loop, "process": self.process, "age_seconds": round(self.age_seconds, 1),
                "last_error": self.last_error,
                "last_error_at": self.last_error_at.isoformat() if self.last_error_at else None}


@dataclass(frozen=True)
class LoopHealth:
    running: dict[str, int]  # loop name -> processes with a fresh beat
    stale: tuple[StaleLoop, ...]  # every stale row, oldest beat first
    down: tuple[str, ...]  # required loops with no fresh row: /readyz is 503

    @property
    def ready(self) -> bool:
        return not self.down


def record_beat(session: Session, process: str, loop: str, now: dt.datetime | None = None,
                error: str | None = None) -> None:
    """The loop made progress at `now` (and, when given, recovered from `error`)."""
    now = now or utcnow()
    values: dict[str, object] = {"last_beat_at": now}
    if error is not None:
        values |= {"last_error": error[:MAX_ERROR_CHARS], "last_error_at": now}
    _upsert(session, process, loop, now, values)


def record_error(session: Session, process: str, loop: str, error: str, now: dt.datetime | None = None) -> None:
    """The loop failed at `now` (its last beat stays as it was)."""
    now = now or utcnow()
    _upsert(session, process, loop, now, {"last_error": error[:MAX_ERROR_CHARS], "last_error_at": now})


def _upsert(session: Session, process: str, loop: str, now: dt.datetime, values: dict[str, object]) -> None:
    table = WorkerHeartbeat.__table__
    session.execute(
        upsert_insert(session, table)
        .values({"process": process, "loop": loop, "started_at": now, "last_beat_at": now} | values)
        .on_conflict_do_update(index_elements=[table.c.process, table.c.loop], set_=values)
    )


def forget_loop(session: Session, process: str, loop: str) -> None:
    """A clean stop: the loop is no longer expected from this process."""
    session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.process == process,
                                                  WorkerHeartbeat.loop == loop))


def prune_dead_rows(session: Session, loop: str, stale_seconds: float, now: dt.datetime | None = None) -> None:
    """Called by a live `loop`: rows of its name long past stale belong to processes that died."""
    cutoff = (now or utcnow()) - dt.timedelta(seconds=stale_seconds * PRUNE_AFTER_STALE_PERIODS)
    session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.loop == loop,
                                                  WorkerHeartbeat.last_beat_at < cutoff))


def loop_health(session: Session, stale_seconds: float, now: dt.datetime | None = None) -> LoopHealth:
    now = now or utcnow()
    rows = session.execute(select(WorkerHeartbeat).order_by(WorkerHeartbeat.last_beat_at)).scalars().all()
    running: dict[str, int] = {}
    stale: list[StaleLoop] = []
    for row in rows:
        age = (now - row.last_beat_at).total_seconds()
        running.setdefault(row.loop, 0)
        if age <= stale_seconds:
            running[row.loop] += 1
        else:
            stale.append(StaleLoop(row.loop, row.process, age, row.last_error, row.last_error_at))
    down = tuple(sorted(loop for loop, fresh in running.items() if fresh == 0))
    return LoopHealth(running, tuple(stale), down)
