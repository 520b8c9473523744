"""Faults APNs and networks produce: bursts, slow answers, drops, GOAWAY, stream limits, idle."""

from __future__ import annotations

import asyncio
import collections

import pytest

from walletservice.apns import Outcome

from .support import PASS_TYPE_ID, device_token, run

pytestmark = pytest.mark.timeout(30)


def _items(count: int, start: int = 0) -> list[tuple[str, str]]:
    return [(device_token(i), PASS_TYPE_ID) for i in range(start, start + count)]


@pytest.mark.parametrize(
    ("status", "reason"),
    [(429, "TooManyRequests"), (500, "InternalServerError"), (503, "ServiceUnavailable")],
)
def test_error_burst_is_surfaced_as_retry_and_later_pushes_succeed(simulator, open_client, status, reason) -> None:
    simulator.faults.fail_next(3, status=status)

    async def scenario():
        async with open_client(simulator) as client:
            return [result async for result in client.send_many(_items(10))]

    results = run(scenario())
    outcomes = collections.Counter((r.status, r.reason, r.outcome) for r in results)
    assert outcomes == {(status, reason, Outcome.RETRY): 3, (200, None, Outcome.DELIVERED): 7}
    assert len(simulator.received) == 10  # retrying is the outbox's job, not a loop here


def test_answer_slower_than_request_timeout_is_retry_timeout(simulator, open_client) -> None:
    simulator.faults.delay = 1.0

    async def scenario():
        async with open_client(simulator, request_timeout=0.3) as client:
            slow = await client.send(device_token(1), PASS_TYPE_ID)
            simulator.faults.delay = 0
            fast = await client.send(device_token(2), PASS_TYPE_ID)
            return slow, fast, client.connections_opened

    slow, fast, connections = run(scenario())
    assert (slow.status, slow.reason, slow.outcome) == (None, "Timeout", Outcome.RETRY)
    assert fast.outcome is Outcome.DELIVERED
    assert connections == 1  # a timed-out stream is reset, the connection lives on


def test_connection_dropped_mid_batch_loses_no_push_and_reconnects(simulator, open_client) -> None:
    simulator.faults.drop_connection_after(50)
    items = _items(200)

    async def scenario():
        async with open_client(simulator) as client:
            results = [result async for result in client.send_many(items)]
            later = await client.send(device_token(999), PASS_TYPE_ID)
            return results, later, client.connections_opened

    results, later, connections = run(scenario())
    assert sorted(r.token for r in results) == sorted(token for token, _ in items)
    assert all(r.outcome is Outcome.DELIVERED for r in results)  # re-sent once on the new connection
    assert later.outcome is Outcome.DELIVERED
    assert connections == 2
    records = simulator.received
    assert [r.reason for r in records].count("ConnectionDropped") == 1
    delivered = {r.token for r in records if r.status == 200}
    assert delivered >= {token for token, _ in items}


def test_goaway_reconnects_and_loses_no_stream(simulator, open_client) -> None:
    simulator.faults.goaway_after(30)
    items = _items(100)

    async def scenario():
        async with open_client(simulator) as client:
            results = [result async for result in client.send_many(items)]
            return results, client.connections_opened, client.last_goaway

    results, connections, goaway = run(scenario())
    assert len(results) == 100 and all(r.outcome is Outcome.DELIVERED for r in results)
    assert connections == 2
    assert goaway is not None and goaway.reason is None
    first_connection = [r for r in simulator.received if r.connection_id == 1]
    assert len(first_connection) == 30 and goaway.last_stream_id == first_connection[-1].stream_id


def test_goaway_with_a_json_reason_is_surfaced(simulator, open_client) -> None:
    simulator.faults.goaway_after(5, reason="Shutdown")

    async def scenario():
        async with open_client(simulator) as client:
            results = [result async for result in client.send_many(_items(20))]
            return results, client.last_goaway

    results, goaway = run(scenario())
    assert all(r.outcome is Outcome.DELIVERED for r in results)
    assert goaway.reason == "Shutdown" and goaway.error_code == 0


def test_server_max_concurrent_streams_is_respected(make_simulator, open_client) -> None:
    simulator = make_simulator(max_concurrent_streams=5)
    simulator.faults.delay = 0.02

    async def scenario():
        async with open_client(simulator) as client:
            return [result async for result in client.send_many(_items(100))]

    results = run(scenario())
    assert len(results) == 100 and all(r.outcome is Outcome.DELIVERED for r in results)
    assert 2 <= simulator.max_concurrent_streams_seen <= 5
    assert simulator.protocol_errors == []


def test_idle_connection_sends_ping_and_stays_usable(simulator, open_client) -> None:
    async def scenario():
        async with open_client(simulator, idle_ping_after=0.2) as client:
            first = await client.send(device_token(1), PASS_TYPE_ID)
            for _ in range(100):
                if simulator.pings_received:
                    break
                await asyncio.sleep(0.05)
            second = await client.send(device_token(2), PASS_TYPE_ID)
            return first, second, client.connections_opened

    first, second, connections = run(scenario())
    assert simulator.pings_received >= 1
    assert first.outcome is second.outcome is Outcome.DELIVERED
    assert connections == 1


def test_busy_connection_sends_no_ping(simulator, open_client) -> None:
    async def scenario():
        async with open_client(simulator, idle_ping_after=5.0) as client:
            for i in range(5):
                await client.send(device_token(i), PASS_TYPE_ID)
                await asyncio.sleep(0.05)

    run(scenario())
    assert simulator.pings_received == 0
