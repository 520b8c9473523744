"""The hot reads (list and fetch) on their kept connections: state, failures, lifetime.

On PostgreSQL each thread keeps one autocommit connection for these reads
(walletservice.hot_reads.HotReads); the tests look at the server's own view of it.
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from sqlalchemy import text

from walletservice.db import READS_BIND, transaction
from walletservice.hot_reads import hot_reads
from walletservice.extensions import db
from walletservice.errors import NotAuthorized
from walletservice.services import devices

TOKEN = "ab" * 32
# pg_stat_activity.query of a connection that last ran the list statement.
LIST_STATEMENT = "%registrations.pass_type_identifier = $2%"


@pytest.fixture
def postgresql(app):  # type: ignore[no-untyped-def]
    if db.engine.dialect.name != "postgresql":
        pytest.skip("about the connections PostgreSQL keeps for the hot reads")


@pytest.fixture
def registered(client, issued):  # type: ignore[no-untyped-def]
    response = client.post(issued.registration_url("dev1"), json={"pushToken": TOKEN}, headers=issued.auth)
    assert response.status_code == 201
    return issued


def _backends(state: str | None = None) -> list[int]:
    """Server processes of this database whose last statement was the list query."""
    with transaction() as session:
        return list(session.scalars(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE :q"
            " AND (CAST(:state AS text) IS NULL OR state = :state)"
        ), {"q": LIST_STATEMENT, "state": state}))


def _wait_for_no_backends() -> list[int]:
    # A closed connection's server process leaves pg_stat_activity a moment later.
    deadline = time.monotonic() + 5
    while (pids := _backends()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return pids


def _list(client, issued) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(issued.list_url("dev1"))
    assert response.status_code == 200
    return response.get_json()["serialNumbers"]  # type: ignore[no-any-return]


def test_list_and_fetch_leave_no_transaction_open(client, registered, postgresql):
    assert client.get(registered.pass_url, headers=registered.auth).status_code == 200
    _list(client, registered)  # last, so that the connection is found by its statement
    assert len(_backends(state="idle")) == 1
    assert _backends(state="idle in transaction") == []


def test_sqlite_reads_leave_no_transaction_open(client, registered):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite side of the same rule")
    _list(client, registered)
    pooled = db.engines[READS_BIND].raw_connection()
    try:
        assert not pooled.driver_connection.in_transaction  # type: ignore[union-attr]
    finally:
        pooled.close()


def test_list_answers_after_the_database_dropped_the_kept_connection(client, registered, postgresql):
    assert _list(client, registered) == [registered.serial]
    (kept,) = _backends()
    with transaction() as session:
        session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": kept})
    assert _list(client, registered) == [registered.serial]  # retried on a new connection
    assert _backends() != [kept]
    assert client.get(registered.pass_url, headers=registered.auth).status_code == 200


def test_a_statement_failing_on_its_input_keeps_the_connection(client, registered, postgresql):
    _list(client, registered)
    (kept,) = _backends()
    with pytest.raises(psycopg.errors.NumericValueOutOfRange):  # update_tag is a BIGINT
        devices.serials_updated_since(hot_reads(), "dev1", registered.pass_type, 2**63)
    assert _list(client, registered) == [registered.serial]
    assert _backends() == [kept]


def test_disposing_the_engine_closes_the_kept_connection(client, registered, postgresql):
    _list(client, registered)
    assert len(_backends()) == 1
    db.engines[READS_BIND].dispose()
    assert _wait_for_no_backends() == []
    assert _list(client, registered) == [registered.serial]


def test_each_thread_keeps_its_own_connection_until_it_ends(app, registered, postgresql):
    answers: list[list[str]] = []
    running = threading.Barrier(4)

    def list_in_thread() -> None:
        client = app.test_client()
        with app.app_context():
            answers.append(_list(client, registered))
            running.wait()  # all four at once: four kept connections
            answers.append(_list(client, registered))

    threads = [threading.Thread(target=list_in_thread) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [[registered.serial]] * 8
    assert _wait_for_no_backends() == []  # each closed when its thread ended


def test_a_serial_with_a_nul_is_never_looked_up_as_the_text_before_it(app, issued):
    # libpq sends a text parameter up to its NUL: "SKY-0001\0garbage" would find SKY-0001.
    with pytest.raises((psycopg.DataError, NotAuthorized)):
        devices.authenticate_pass_version(hot_reads(), issued.pass_type, issued.serial + "\x00garbage", issued.token)
    if db.engine.dialect.name == "postgresql":
        with pytest.raises(psycopg.DataError):
            devices.serials_updated_since(hot_reads(), "dev1\x00x", issued.pass_type, None)
    else:  # SQLite compares the whole text
        assert devices.serials_updated_since(hot_reads(), "dev1\x00x", issued.pass_type, None) is None
