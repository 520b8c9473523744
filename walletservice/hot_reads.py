"""Hot reads: the few SELECTs Wallet's list and fetch calls make, at the least cost per call.

PreparedRead is one such statement; HotReads runs them on the READS_BIND engine
(autocommit), on PostgreSQL through one kept connection per thread and libpq's
prepared statements (docs/benchmarks.md, "Instructions per request").
"""

from __future__ import annotations

import itertools
import os
import threading
import weakref
from collections.abc import Sequence
from typing import Any

import psycopg
from flask import Flask, current_app
from psycopg.adapt import Transformer
from psycopg.pq import ConnStatus, DiagnosticField, ExecStatus
from psycopg.pq.abc import PGresult
from sqlalchemy import Engine, Select, event
from sqlalchemy.dialects import postgresql

from walletservice.db import READS_BIND
from walletservice.extensions import db

_HOT_READS = "walletservice.hot_reads"  # app.extensions key
# A prepared statement the server no longer has, or a plan a migration invalidated.
_STALE_STATEMENT = frozenset({"26000", "0A000"})


class PreparedRead:
    """A Core SELECT for the hottest reads, run by HotReads as a server-side prepared statement.

    Its parameters are str, int or None (sent to PostgreSQL in text format).
    """

    _numbers = itertools.count(1)

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self.name = f"walletservice_read_{next(self._numbers)}".encode()
        self.sql = b""  # for PostgreSQL, compiled on first use
        self.parameter_order: tuple[str, ...] = ()

    def rows(self, reads: HotReads, parameters: dict[str, Any]) -> Sequence[Sequence[Any]]:
        return reads.rows(self, parameters)

    def compile_for_postgresql(self) -> bytes:
        if not self.sql:
            # $1, $2... as PREPARE wants them; SQLAlchemy adds the casts (::VARCHAR).
            compiled = self.statement.compile(dialect=postgresql.psycopg.dialect(paramstyle="numeric_dollar"))
            self.parameter_order = tuple(compiled.positiontup or ())
            self.sql = compiled.string.encode()
        return self.sql


def _text_argument(value: Any) -> bytes | None:
    if type(value) is str:
        if "\x00" in value:  # libpq would send the text only up to the NUL: a lookup of a shorter value
            raise psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
        return value.encode()
    if type(value) is int:
        return b"%d" % value
    if value is None:
        return None
    raise TypeError(f"PreparedRead takes str, int or None parameters, not {type(value).__name__}")


def install_hot_reads(app: Flask) -> None:
    """Called by create_app, in an app context, once the engines exist."""
    app.extensions[_HOT_READS] = HotReads(db.engines[READS_BIND])


def hot_reads() -> HotReads:
    """This app's HotReads, for the read-only endpoints Wallet calls most."""
    return current_app.extensions[_HOT_READS]  # type: ignore[no-any-return]


class HotReads:
    """Runs PreparedRead statements on the READS_BIND engine (autocommit): one round trip each.

    On PostgreSQL every thread keeps one connection of that engine for as long as
    it lives (detached from the pool), and sends the statements through libpq
    directly (psycopg.pq), prepared once per connection. Per request that skips
    the pool's checkout and return, SQLAlchemy's Connection and psycopg's cursor
    layer, over half of what a list call cost (docs/benchmarks.md). A statement
    that fails (connection dropped, server restarted, a migration invalidated the
    plan) discards the connection and runs once more on a new one: reads are
    idempotent. A statement that fails on a sound connection (bad input) just
    raises. Disposing of the engine closes the kept connections. On SQLite
    each statement runs on a pooled connection of the engine.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._postgresql = engine.dialect.name == "postgresql"
        self._local = threading.local()
        self._generation = 0  # bumped when the engine is disposed: kept connections are stale
        self._kept: weakref.WeakSet[_KeptConnection] = weakref.WeakSet()
        self._lock = threading.Lock()
        event.listen(engine, "engine_disposed", self._close_kept)

    def rows(self, read: PreparedRead, parameters: dict[str, Any]) -> Sequence[Sequence[Any]]:
        if not self._postgresql:
            with self._engine.connect() as connection:
                return connection.execute(read.statement, parameters).all()
        kept = getattr(self._local, "kept", None)
        if kept is None or kept.generation != self._generation or kept.pid != os.getpid():
            kept = self._connect()
        try:
            return kept.rows(read, parameters)
        except psycopg.Error as error:
            if not kept.lost(error):
                raise
            return self._connect().rows(read, parameters)

    def _connect(self) -> _KeptConnection:
        stale = getattr(self._local, "kept", None)
        if stale is not None:
            stale.close()
        kept = self._local.kept = _KeptConnection(self._engine, self._generation)
        with self._lock:
            self._kept.add(kept)
        return kept

    def _close_kept(self, _engine: Engine) -> None:
        with self._lock:
            self._generation += 1
            kept = list(self._kept)
        for connection in kept:
            connection.close()


class _KeptConnection:
    """One thread's connection of the reads engine, with the statements prepared on it."""

    def __init__(self, engine: Engine, generation: int) -> None:
        pooled = engine.raw_connection()  # connected and set to autocommit by the engine
        self._driver: psycopg.Connection[Any] = pooled.driver_connection  # type: ignore[assignment]
        pooled.detach()  # ours from now on: the pool neither counts nor reuses it
        self._pgconn = self._driver.pgconn
        self._transformer = Transformer(self._driver)  # psycopg's own loaders: rows as its cursor gives them
        self._prepared: set[bytes] = set()
        self._lock = threading.Lock()  # held while in use, so a dispose never closes it mid-statement
        self.generation = generation
        self.pid = os.getpid()
        # The thread ended: close it, unless a forked child inherited it.
        weakref.finalize(self, _close_in_owner, self._driver, self.pid)

    def rows(self, read: PreparedRead, parameters: dict[str, Any]) -> list[tuple[Any, ...]]:
        with self._lock:
            if read.name not in self._prepared:
                self._prepare(read)
            arguments = [_text_argument(parameters[name]) for name in read.parameter_order]
            result = self._pgconn.exec_prepared(read.name, arguments)  # a closed connection raises
            if result.status != ExecStatus.TUPLES_OK:
                raise _error(result)
            self._transformer.set_pgresult(result)
            return self._transformer.load_rows(0, result.ntuples, tuple)

    def _prepare(self, read: PreparedRead) -> None:
        result = self._pgconn.prepare(read.name, read.compile_for_postgresql())
        if result.status != ExecStatus.COMMAND_OK:
            raise _error(result)
        self._prepared.add(read.name)

    def lost(self, error: psycopg.Error) -> bool:
        """Whether the error is the connection's (broken, or its statements stale), not the input's."""
        return self._pgconn.status != ConnStatus.OK or getattr(error, "sqlstate", None) in _STALE_STATEMENT

    def close(self) -> None:
        with self._lock:
            _close_in_owner(self._driver, self.pid)


def _close_in_owner(driver: psycopg.Connection[Any], pid: int) -> None:
    if os.getpid() == pid:  # a forked child must not end its parent's session
        driver.close()


def _error(result: PGresult) -> psycopg.Error:
    """The exception psycopg's cursor would raise for this result (by SQLSTATE)."""
    message = (result.error_message or b"unexpected result").decode(errors="replace").strip()
    sqlstate = result.error_field(DiagnosticField.SQLSTATE)
    try:
        return psycopg.errors.lookup(sqlstate.decode())(message) if sqlstate else psycopg.OperationalError(message)
    except KeyError:  # a SQLSTATE newer than this psycopg
        return psycopg.DatabaseError(message)
