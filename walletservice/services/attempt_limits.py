"""Counting failed guesses and locking a form after too many (Flask-free).

One mechanism for every secret a person types: download PINs (services.download_pins)
and dashboard passwords (services.dashboard_users). A table holds one row per guessed-at
key with the columns `failures`, `locked_until` and `lockouts` (models.DownloadPinAttempts
is the model); an attempt is counted before the comparison, by one upsert that also takes
the row's lock until commit, so concurrent guesses from any number of processes are
counted one after another and never get more than `max_failures` comparisons.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Table, and_, case, delete, update
from sqlalchemy.orm import Session

from walletservice.db import upsert_insert

MAX_LOCK_SECONDS = 24 * 3600


@dataclass(frozen=True)
class AttemptPolicy:
    max_failures: int
    lock_seconds: int


@dataclass(frozen=True)
class CountedAttempt:
    """The row as the upsert wrote it."""

    failures: int
    locked_until: dt.datetime | None
    lockouts: int

    def seconds_locked(self, now: dt.datetime) -> int:
        return seconds_until(self.locked_until, now) if self.locked_until and self.locked_until > now else 0


def count_attempt(session: Session, table: Table, key: str, now: dt.datetime) -> CountedAttempt:
    """failures + 1 in one statement; a lock in force is kept as it is, an ended one
    starts a new count (its lockouts stay). The table's primary key is its one key column;
    a `last_attempt_at` column, when the table has one, is set to `now` (for pruning)."""
    key_column = table.primary_key.columns.values()[0]
    locked = and_(table.c.locked_until.is_not(None), table.c.locked_until > now)
    lock_ended = table.c.locked_until.is_not(None)
    stamped = {"last_attempt_at": now} if "last_attempt_at" in table.c else {}
    statement = (
        upsert_insert(session, table)
        .values({key_column.name: key, "failures": 1, "locked_until": None, "lockouts": 0, **stamped})
        .on_conflict_do_update(
            index_elements=[key_column],
            set_={
                "failures": case((locked, table.c.failures), (lock_ended, 1), else_=table.c.failures + 1),
                "locked_until": case((locked, table.c.locked_until), else_=None),
                **stamped,
            },
        )
        .returning(table.c.failures, table.c.locked_until, table.c.lockouts)
    )
    failures, locked_until, lockouts = session.execute(statement).one()
    return CountedAttempt(int(failures), locked_until, int(lockouts or 0))


def forget_attempts(session: Session, table: Table, key: str) -> None:
    """The secret was given correctly: the count starts again from nothing."""
    key_column = table.primary_key.columns.values()[0]
    session.execute(delete(table).where(key_column == key))


def lock_after_failure(session: Session, table: Table, key: str, counted: CountedAttempt,
                       policy: AttemptPolicy, now: dt.datetime) -> int:
    """Lock the key when this failure used up the allowance; returns the seconds locked (0: not locked)."""
    if counted.failures < policy.max_failures:
        return 0
    lock_seconds = escalated_lock_seconds(policy.lock_seconds, counted.lockouts)
    key_column = table.primary_key.columns.values()[0]
    session.execute(update(table).where(key_column == key)
                    .values(locked_until=now + dt.timedelta(seconds=lock_seconds), lockouts=counted.lockouts + 1))
    return lock_seconds


def escalated_lock_seconds(lock_seconds: int, earlier_lockouts: int) -> int:
    """The first lock lasts `lock_seconds`, each later one (without a correct guess between)
    twice as long, up to a day: with the PIN defaults about 480 guesses on the first day of
    guessing would otherwise be 480 every day, enough to find a 4-digit PIN in ten days."""
    return min(lock_seconds * 2 ** min(earlier_lockouts, 32), max(lock_seconds, MAX_LOCK_SECONDS))


def seconds_until(moment: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))
