"""The outbox's two hot statements, as the worker sends them and as they could be.

    .venv/bin/python bench/push_outbox_sql.py [--n 100000] [--batch 2000]

In the database bench/push_fanout.py builds (walletservice_pushbench, whose outbox it
empties): fills push_deliveries with N pending rows of one request and marks the first
half sent batch by batch, committed, as the worker does (leaving dead index entries, as
between autovacuum runs); then, in a transaction that is rolled back, times
* claiming one batch: the worker's query (ORDER BY id over the (state, next_attempt_at)
  index: every due row is sorted) against the same query over a partial index on id;
* recording one batch of 200s: one UPDATE per row in a pipeline (what SQLAlchemy's
  ORM bulk UPDATE by primary key sends) against one UPDATE ... FROM unnest(ids).
Nothing in walletservice/ is changed; the experiment index is dropped with the rollback.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from bench.push_fanout import database_url  # noqa: E402

CLAIM = """
    UPDATE push_deliveries SET attempts = push_deliveries.attempts + 1, lease_owner = 'bench',
        lease_expires_at = now() AT TIME ZONE 'utc' + interval '60 seconds'
    WHERE push_deliveries.id IN (
        SELECT id FROM push_deliveries
        WHERE state = 'pending' AND next_attempt_at <= now() AT TIME ZONE 'utc'
          AND (lease_expires_at IS NULL OR lease_expires_at < now() AT TIME ZONE 'utc')
        ORDER BY id LIMIT %(batch)s FOR UPDATE SKIP LOCKED)
    RETURNING id, push_request_id, push_token, pass_type_identifier, certificate_id, attempts
"""
RECORD_ONE = """
    UPDATE push_deliveries SET lease_owner = NULL, lease_expires_at = NULL, status = 200, reason = NULL,
        state = 'sent', apns_id = NULL, finished_at = %s WHERE id = %s
"""
RECORD_ALL = """
    UPDATE push_deliveries AS d SET lease_owner = NULL, lease_expires_at = NULL, status = 200, reason = NULL,
        state = 'sent', apns_id = NULL, finished_at = now() AT TIME ZONE 'utc'
    FROM unnest(%s::bigint[]) AS sent(id) WHERE d.id = sent.id
"""
PARTIAL_INDEX = "CREATE INDEX ix_bench_pending_id ON push_deliveries (id) WHERE state = 'pending'"


def fill(connection: psycopg.Connection, n: int) -> None:
    connection.execute("TRUNCATE push_deliveries, push_requests")
    organization = connection.execute("SELECT id FROM organizations LIMIT 1").fetchone()[0]  # type: ignore[index]
    connection.execute(
        "INSERT INTO push_requests (id, organization_id, state, total, created_at) "
        "VALUES ('bench', %s, 'sending', %s, now() AT TIME ZONE 'utc')", (organization, n))
    connection.execute("""
        INSERT INTO push_deliveries (push_request_id, push_token, pass_type_identifier, state, attempts, next_attempt_at)
        SELECT 'bench', md5(g::text) || md5((-g)::text), 'pass.bench', 'pending', 0, now() AT TIME ZONE 'utc'
        FROM generate_series(1, %s) AS g""", (n,))
    connection.execute("ANALYZE push_deliveries")


def half_sent(connection: psycopg.Connection, n: int, batch: int) -> None:
    """As the worker: claim a batch, then mark it sent, until half the rows are sent."""
    for _ in range(n // 2 // batch):
        ids = [row[0] for row in connection.execute(CLAIM, {"batch": batch}).fetchall()]
        connection.execute(RECORD_ALL, (ids,))


def time_claims(connection: psycopg.Connection, batch: int, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        connection.execute("SAVEPOINT claim")
        start = time.perf_counter()
        connection.execute(CLAIM, {"batch": batch}).fetchall()
        times.append((time.perf_counter() - start) * 1000)
        connection.execute("ROLLBACK TO SAVEPOINT claim")
    return times


def time_records(connection: psycopg.Connection, batch: int, rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"per row (pipelined executemany)": [], "one UPDATE ... unnest": []}
    for _ in range(rounds):
        for name in times:
            connection.execute("SAVEPOINT record")
            ids = [row[0] for row in connection.execute(CLAIM, {"batch": batch}).fetchall()]
            start = time.perf_counter()
            if name.startswith("per row"):
                with connection.cursor() as cursor:
                    cursor.executemany(RECORD_ONE, [(time.strftime("%Y-%m-%d %H:%M:%S"), i) for i in ids])
            else:
                connection.execute(RECORD_ALL, (ids,))
            times[name].append((time.perf_counter() - start) * 1000)
            connection.execute("ROLLBACK TO SAVEPOINT record")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    with psycopg.connect(database_url(args.admin_url)) as connection:
        fill(connection, args.n)
        connection.commit()
        half_sent(connection, args.n, args.batch)
        connection.commit()
        print(f"N={args.n:,} deliveries, half sent, batch {args.batch}; median of {args.rounds} rounds, ms:")
        current = time_claims(connection, args.batch, args.rounds)
        print(f"  claim, worker's query, (state, next_attempt_at) index:  {statistics.median(current):7.1f}")
        connection.execute(PARTIAL_INDEX)
        connection.execute("ANALYZE push_deliveries")
        partial = time_claims(connection, args.batch, args.rounds)
        print(f"  claim, same query, partial index on id WHERE pending:  {statistics.median(partial):7.1f}")
        for name, values in time_records(connection, args.batch, args.rounds).items():
            print(f"  record {args.batch} sent, {name + ':':<38} {statistics.median(values):7.1f}")
        connection.rollback()


if __name__ == "__main__":
    main()
