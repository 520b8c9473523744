"""The one place where transactions are opened and committed.

Services only add and flush; the request handler, CLI command or job that called
them commits through `transaction()`, so one unit of work is one visible block.
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from typing import Any, TypeVar

from sqlalchemy import Engine, Select, Table, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.sql.dml import Insert
from sqlalchemy.orm import Session, object_session

from walletservice.extensions import db

RowT = TypeVar("RowT")


READS_BIND = "reads"


def engine_binds(url: str, engine_options: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Flask-SQLAlchemy binds: the same database, once more in permanent autocommit."""
    return {READS_BIND: {"url": url, **engine_options, "isolation_level": "AUTOCOMMIT",
                         "pool_reset_on_return": None}}


# Read by the SQLite "begin" hook: write transactions take the lock up front.
_writing = contextvars.ContextVar("walletservice_write_transaction", default=False)


@contextmanager
def transaction(*, write: bool = True) -> Iterator[Session]:
    """Run a block in one transaction: commit if it returns, roll back if it raises.

    A read-only snapshot left open by earlier attribute access is ended first, so
    the block starts a fresh transaction (on SQLite: BEGIN IMMEDIATE when writing).
    """
    session = db.session()
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        session.rollback()
    marker = _writing.set(write)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _writing.reset(marker)


def in_write_transaction() -> bool:
    """Whether the code runs inside `transaction(write=True)` (on SQLite: under BEGIN IMMEDIATE)."""
    return _writing.get()


def upsert_insert(session: Session, table: Table) -> Insert:
    """An INSERT that supports ON CONFLICT on this session's database.

    PostgreSQL and SQLite spell ON CONFLICT ... DO NOTHING/UPDATE ... RETURNING the
    same way, but SQLAlchemy exposes it per dialect.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)  # type: ignore[no-any-return]


def install_sqlite_pragmas(engine: Engine, *, autocommit: bool = False) -> None:
    """Make SQLite safe for the web threads, worker and scheduler sharing one file.

    - foreign keys on (SQLite leaves them off), WAL so readers never block the writer;
    - write transactions (`transaction()`) start with BEGIN IMMEDIATE: a deferred
      transaction that reads and then writes fails at once with "database is locked"
      when another writer committed in between, while IMMEDIATE waits for the lock
      (busy timeout). Reads stay deferred so they never block writers.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    if autocommit:
        return  # the reads engine: every statement is its own transaction

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")


def lock_for_update(row: RowT) -> RowT:
    """`row` re-read from the database under its row lock, held until the transaction ends.

    For a read-modify-write of one row (a campaign's design, a schedule's state, an
    organization's webhook secret): a second writer waits here and then starts from
    what the first committed, instead of overwriting it from a stale copy. PostgreSQL
    takes FOR NO KEY UPDATE, which does not block inserts of rows referencing this one;
    on SQLite the write transaction's BEGIN IMMEDIATE already serializes writers.
    Passes have their own batched helper (services.pass_locks).
    """
    session = object_session(row)
    if session is None:
        raise RuntimeError("only a row loaded in a session can be locked")
    model = type(row)
    return select_for_update(session, select(model).where(model.id == row.id))[0]


def select_for_update(session: Session, statement: Select[Any]) -> list[Any]:
    """The rows `statement` selects, re-read and row-locked until the transaction ends
    (FOR NO KEY UPDATE on PostgreSQL; on SQLite the write transaction's own lock)."""
    if session.get_bind().dialect.name == "sqlite" and not in_write_transaction():
        raise RuntimeError("a row is locked for writing only inside transaction(write=True)")
    locked = statement.with_for_update(key_share=True).execution_options(populate_existing=True)
    return list(session.scalars(locked))


def database_unreachable(exc: BaseException) -> bool:
    """A lost or refused connection, not a bug in a statement: the same work may succeed later."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def lock_until_commit(session: Session, *key: str) -> None:
    """Serialize the write transactions that lock the same key, until each one ends.

    For rules a unique index cannot express (a value unique only when asked for).
    PostgreSQL: a transaction-level advisory lock on a 64-bit hash of the key. SQLite:
    write transactions already run one at a time (BEGIN IMMEDIATE); nothing to take.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(advisory_key(*key))))


def advisory_key(*key: str) -> int:
    """A signed 64-bit key; a collision only makes two unrelated transactions wait for each other."""
    digest = hashlib.blake2b("\0".join(key).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
