"""Per-pass write locks: every read-modify-write of a pass holds the pass's row lock.

Two requests that each read a pass, change it in Python and write it back would
otherwise both start from the same copy, and the second write would drop the
first one's change (docs/security.md, Concurrency). So a pass is read for writing
through this module only:

- PostgreSQL: SELECT ... FOR NO KEY UPDATE. Other writers of the same pass wait
  until this transaction ends and then read what it committed; readers never wait,
  and neither do inserts of rows that reference the pass (events, registrations:
  their foreign key check takes FOR KEY SHARE, which NO KEY UPDATE allows).
- SQLite: write transactions begin with BEGIN IMMEDIATE (walletservice.db), so a
  pass read inside one is read under the database's single write lock. A lock
  asked for outside a write transaction is a bug, and raises.

The pass is re-read from the database (populate_existing), since a copy loaded
before the lock may be stale. Several passes are locked in id order, so two bulk
writers never wait for each other in a cycle. A pass already locked in the current
transaction is not read again, so services may each ask for the lock they need.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, inspect, select
from sqlalchemy.orm import Session

from walletservice.db import select_for_update
from walletservice.models import Pass

_LOCKED = "walletservice.locked_pass_ids"


def lock_pass_for_update(session: Session, pass_: Pass) -> Pass:
    """`pass_` as committed, row-locked until the transaction ends (the same object, refreshed)."""
    lock_passes_for_update(session, [pass_])
    return pass_


def lock_passes_for_update(session: Session, passes: Iterable[Pass]) -> None:
    """Lock (and refresh) every stored pass of `passes` not yet locked in this transaction.
    New passes, not yet in the database, need no lock."""
    held = _held(session)
    wanted = sorted({pass_.id for pass_ in passes if inspect(pass_).persistent and pass_.id not in held})
    if wanted:
        select_passes_for_update(session, select(Pass).where(Pass.id.in_(wanted)).order_by(Pass.id))


def select_passes_for_update(session: Session, statement: Select[tuple[Pass]]) -> list[Pass]:
    """The passes `statement` selects, row-locked and refreshed. Order the statement by Pass.id:
    writers that lock several passes must all lock them in one order, or two could deadlock."""
    passes = select_for_update(session, statement)
    _held(session).update(pass_.id for pass_ in passes)
    return passes


def _held(session: Session) -> set[str]:
    """Ids of the passes locked in the session's current (innermost) transaction: a savepoint
    rolled back releases its row locks, so what it locked is forgotten with it."""
    transaction: Any = session.get_nested_transaction() or session.get_transaction()
    record = session.info.get(_LOCKED)
    if record is None or record[0] is not transaction:
        record = (transaction, set())
        session.info[_LOCKED] = record
    return record[1]
