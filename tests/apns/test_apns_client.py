"""ApnsClient against the simulator in certificate mode: real TLS, real HTTP/2."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid

import pytest

from walletservice.apns import CertificateCredential, Outcome
from walletservice.passkit import devcerts

from .support import PASS_TYPE_ID, device_token, run

pytestmark = pytest.mark.timeout(30)


def test_accepted_push_returns_200_with_apns_id(simulator, open_client) -> None:
    async def scenario():
        async with open_client(simulator) as client:
            return await client.send(device_token(1), PASS_TYPE_ID)

    result = run(scenario())
    assert result.status == 200 and result.outcome is Outcome.DELIVERED
    assert result.reason is None and result.timestamp is None
    assert uuid.UUID(result.apns_id).version == 4
    assert [(r.token, r.status) for r in simulator.received] == [(device_token(1), 200)]


def test_push_is_an_empty_json_dictionary_with_topic_priority_10_and_expiry(simulator, open_client) -> None:
    async def scenario():
        async with open_client(simulator) as client:
            await client.send(device_token(1), PASS_TYPE_ID)

    before = int(time.time())
    run(scenario())
    record = simulator.received[0]
    assert record.payload == b"{}"
    assert record.headers[":path"] == f"/3/device/{device_token(1)}"
    assert record.headers["apns-topic"] == PASS_TYPE_ID
    assert record.headers["apns-priority"] == "10"
    assert "apns-push-type" not in record.headers
    assert "authorization" not in record.headers
    expires = int(record.headers["apns-expiration"])
    assert before + 7 * 86400 <= expires <= int(time.time()) + 7 * 86400 + 3600


def test_background_push_type_is_sent_with_priority_5(simulator, open_client) -> None:
    async def scenario():
        async with open_client(simulator) as client:
            return await client.send(device_token(1), PASS_TYPE_ID, push_type="background", priority=5, expiration=0)

    assert run(scenario()).outcome is Outcome.DELIVERED
    headers = simulator.received[0].headers
    assert (headers["apns-push-type"], headers["apns-priority"], headers["apns-expiration"]) == ("background", "5", "0")


def test_background_push_type_with_priority_10_is_refused_before_sending(simulator, open_client) -> None:
    async def scenario():
        async with open_client(simulator) as client:
            await client.send(device_token(1), PASS_TYPE_ID, push_type="background")

    with pytest.raises(ValueError):
        run(scenario())
    assert simulator.received == []


def test_unregistered_token_gives_410_with_its_timestamp(simulator, open_client) -> None:
    at = dt.datetime(2025, 3, 1, 12, 30, 45, 250000, tzinfo=dt.timezone.utc)
    simulator.mark_unregistered(device_token(7), at)

    async def scenario():
        async with open_client(simulator) as client:
            return await client.send(device_token(7), PASS_TYPE_ID)

    result = run(scenario())
    assert (result.status, result.reason, result.outcome) == (410, "Unregistered", Outcome.DROP_TOKEN)
    assert result.timestamp == at


def test_expired_token_gives_410_drop_token_without_timestamp(simulator, open_client) -> None:
    simulator.mark_expired(device_token(8))

    async def scenario():
        async with open_client(simulator) as client:
            return await client.send(device_token(8), PASS_TYPE_ID)

    result = run(scenario())
    assert (result.status, result.reason, result.outcome, result.timestamp) == (410, "ExpiredToken", Outcome.DROP_TOKEN, None)


def test_bad_device_token_is_dropped(simulator, open_client) -> None:
    simulator.mark_bad(device_token(9))

    async def scenario():
        async with open_client(simulator) as client:
            return await client.send(device_token(9), PASS_TYPE_ID), await client.send("not-hex!", PASS_TYPE_ID)

    marked, garbage = run(scenario())
    assert (marked.status, marked.reason, marked.outcome) == (400, "BadDeviceToken", Outcome.DROP_TOKEN)
    # A token that cannot form a path is never sent; it is just as dead.
    assert (garbage.status, garbage.reason, garbage.outcome) == (None, "BadDeviceToken", Outcome.DROP_TOKEN)
    assert len(simulator.received) == 1


def test_non_hex_token_is_answered_bad_device_token_by_apns(simulator, open_client) -> None:
    async def scenario():
        async with open_client(simulator) as client:
            return await client.send("xyz123", PASS_TYPE_ID)

    result = run(scenario())
    assert (result.status, result.reason, result.outcome) == (400, "BadDeviceToken", Outcome.DROP_TOKEN)


def test_token_of_another_topic_is_a_config_error(simulator, open_client) -> None:
    simulator.mark_for_topic(device_token(3), "pass.com.example.other")

    async def scenario():
        async with open_client(simulator) as client:
            return await client.send(device_token(3), PASS_TYPE_ID)

    result = run(scenario())
    assert (result.status, result.reason, result.outcome) == (400, "DeviceTokenNotForTopic", Outcome.CONFIG_ERROR)


def test_topic_outside_the_certificate_is_disallowed(simulator, open_client) -> None:
    async def scenario():
        async with open_client(simulator) as client:
            return await client.send(device_token(1), "pass.com.example.someone-else")

    result = run(scenario())
    assert (result.status, result.reason, result.outcome) == (400, "TopicDisallowed", Outcome.CONFIG_ERROR)


def test_client_certificate_from_another_ca_is_rejected_as_config_error(simulator, open_client) -> None:
    stranger_ca = devcerts.generate_ca("not Apple")
    stranger = devcerts.issue_pass_type_certificate(stranger_ca, PASS_TYPE_ID, "TEAMID1234")
    credential = CertificateCredential(stranger.certificate_pem(), stranger.private_key_pem())

    async def scenario():
        async with open_client(simulator, credential) as client:
            return [result async for result in client.send_many([(device_token(i), PASS_TYPE_ID) for i in range(3)])]

    results = run(scenario())
    assert {(r.status, r.reason, r.outcome) for r in results} == {(None, "BadCertificate", Outcome.CONFIG_ERROR)}
    assert simulator.received == []


def test_server_not_trusted_by_the_client_is_a_config_error(simulator, open_client) -> None:
    async def scenario():
        async with open_client(simulator, ca_file=None) as client:  # system trust: not our test CA
            return await client.send(device_token(1), PASS_TYPE_ID)

    result = run(scenario())
    assert (result.status, result.reason, result.outcome) == (None, "UntrustedServer", Outcome.CONFIG_ERROR)


def test_unreachable_server_is_retry_connect_failed(open_client, pki) -> None:
    class Nowhere:
        url = "https://127.0.0.1:9"  # discard port: nothing listens

    async def scenario():
        async with open_client(Nowhere, request_timeout=2.0) as client:
            return await client.send(device_token(1), PASS_TYPE_ID)

    result = run(scenario())
    assert (result.status, result.reason, result.outcome) == (None, "ConnectFailed", Outcome.RETRY)


def test_many_pushes_share_one_connection_and_yield_every_result(simulator, open_client) -> None:
    items = [(device_token(i), PASS_TYPE_ID) for i in range(500)]

    async def scenario():
        async with open_client(simulator) as client:
            results = [result async for result in client.send_many(items)]
            return results, client.connections_opened

    results, connections = run(scenario())
    assert sorted(r.token for r in results) == sorted(token for token, _ in items)
    assert all(r.outcome is Outcome.DELIVERED for r in results)
    assert connections == 1 and simulator.connections_accepted == 1


def test_a_long_lived_connection_remembers_a_bounded_number_of_closed_streams(simulator, open_client) -> None:
    """Memory stays flat in N: h2's closed-stream record is capped at 4,096, not 65,536."""
    items = [(device_token(i), PASS_TYPE_ID) for i in range(10_000)]

    async def scenario():
        async with open_client(simulator) as client:
            results = [result async for result in client.send_many(items)]
            return results, len(client._connection._h2._closed_streams)

    results, remembered = run(scenario())
    assert len(results) == 10_000 and all(r.outcome is Outcome.DELIVERED for r in results)
    assert 1000 < remembered <= 4096


def test_oversized_payload_is_413_and_not_retried(simulator, open_client) -> None:
    big = json.dumps({"aps": {}, "filler": "x" * 5000}).encode()

    async def scenario():
        async with open_client(simulator) as client:
            headers = _raw_headers(client, "POST", f"/3/device/{device_token(1)}")
            return await client._deliver(device_token(1), PASS_TYPE_ID, headers, big)

    result = run(scenario())
    assert (result.status, result.reason, result.outcome) == (413, "PayloadTooLarge", Outcome.FAILED)
    assert len(simulator.received) == 1


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "reason"),
    [
        ("GET", f"/3/device/{device_token(1)}", b"{}", 405, "MethodNotAllowed"),
        ("POST", f"/2/device/{device_token(1)}", b"{}", 404, "BadPath"),
        ("POST", "/3/device/", b"{}", 400, "MissingDeviceToken"),
        ("POST", f"/3/device/{device_token(1)}", b"", 400, "PayloadEmpty"),
        ("POST", f"/3/device/{device_token(1)}", b"[]", 400, "BadPayload"),
    ],
)
def test_malformed_requests_fail_without_retry(simulator, open_client, method, path, body, status, reason) -> None:
    async def scenario():
        async with open_client(simulator) as client:
            headers = _raw_headers(client, method, path)
            return await client._deliver(device_token(1), PASS_TYPE_ID, headers, body)

    result = run(scenario())
    assert (result.status, result.reason, result.outcome) == (status, reason, Outcome.FAILED)


def _raw_headers(client, method: str, path: str) -> list[tuple[bytes, bytes]]:
    scheme, authority = client._static_headers[1], client._static_headers[2]
    return [(b":method", method.encode()), scheme, authority, (b":path", path.encode()), (b"apns-topic", PASS_TYPE_ID.encode())]
