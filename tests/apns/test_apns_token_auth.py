"""Token (JWT) authentication: one stream until accepted, expired tokens renewed once."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from walletservice.apns import Outcome, ProviderTokenSigner, TokenCredential
from walletservice.passkit import devcerts

from .support import KEY_ID, PASS_TYPE_ID, TEAM_ID, FakeClock, device_token, run

pytestmark = pytest.mark.timeout(30)


def test_valid_jwt_is_accepted_and_sent_as_bearer(simulator, open_client, make_signer, pki) -> None:
    signer = make_signer()

    async def scenario():
        async with open_client(simulator, TokenCredential(signer)) as client:
            return await client.send(device_token(1), PASS_TYPE_ID)

    result = run(scenario())
    assert result.outcome is Outcome.DELIVERED
    scheme, _, token = simulator.received[0].headers["authorization"].partition(" ")
    assert scheme == "bearer"
    assert jwt.decode(token, pki.auth_public_pem, algorithms=["ES256"])["iss"] == TEAM_ID


def test_token_connection_uses_one_stream_until_apns_accepts_the_jwt(make_simulator, open_client, make_signer) -> None:
    simulator = make_simulator()
    simulator.faults.delay = 0.2
    items = [(device_token(i), PASS_TYPE_ID) for i in range(20)]

    async def scenario():
        async with open_client(simulator, TokenCredential(make_signer())) as client:
            return [result async for result in client.send_many(items)]

    results = run(scenario())
    assert all(r.outcome is Outcome.DELIVERED for r in results)
    first, second = simulator.received[:2]
    assert second.received_at - first.received_at >= 0.15  # waited for the first answer
    assert simulator.max_concurrent_streams_seen > 1  # then opened up
    assert simulator.protocol_errors == []


def test_expired_jwt_is_renewed_once_and_the_push_resent(simulator, open_client, make_signer) -> None:
    # The signer's clock lags: its token looks 21 minutes old to it, 66 minutes old to APNs.
    clock = FakeClock(time.time() - 4000)
    signer = make_signer(clock)
    signer.current()
    clock.now += 21 * 60

    async def scenario():
        async with open_client(simulator, TokenCredential(signer)) as client:
            return await client.send(device_token(1), PASS_TYPE_ID)

    result = run(scenario())
    assert result.outcome is Outcome.DELIVERED
    first, second = simulator.received
    assert (first.status, first.reason, second.status) == (403, "ExpiredProviderToken", 200)
    assert first.headers["authorization"] != second.headers["authorization"]


def test_expired_jwt_younger_than_20_minutes_is_not_renewed(simulator, open_client, make_signer) -> None:
    # APNs says expired, but renewing now would break Apple's 20-minute rule.
    clock = FakeClock(time.time() - 4000)
    signer = make_signer(clock)

    async def scenario():
        async with open_client(simulator, TokenCredential(signer)) as client:
            return await client.send(device_token(1), PASS_TYPE_ID)

    result = run(scenario())
    assert (result.status, result.reason, result.outcome) == (403, "ExpiredProviderToken", Outcome.REFRESH_TOKEN)
    assert len(simulator.received) == 1


def test_jwt_signed_with_an_unknown_key_is_a_config_error(simulator, open_client, make_signer) -> None:
    async def scenario():
        async with open_client(simulator, TokenCredential(make_signer(key_id="OTHERKEY99"))) as client:
            return await client.send(device_token(1), PASS_TYPE_ID)

    result = run(scenario())
    assert (result.status, result.reason, result.outcome) == (403, "InvalidProviderToken", Outcome.CONFIG_ERROR)


def test_token_connection_without_jwt_or_topic_is_refused(simulator, open_client, make_signer) -> None:
    signer = make_signer()

    async def scenario():
        async with open_client(simulator, TokenCredential(signer)) as client:
            authority = client._static_headers[2]
            base = [(b":method", b"POST"), (b":scheme", b"https"), authority, (b":path", f"/3/device/{device_token(1)}".encode())]
            client._signer = None  # a raw request without the JWT
            no_jwt = await client._deliver(device_token(1), PASS_TYPE_ID, base + [(b"apns-topic", PASS_TYPE_ID.encode())], b"{}")
            client._signer = signer  # _deliver adds the JWT from here on
            no_topic = await client._deliver(device_token(1), PASS_TYPE_ID, base, b"{}")
            return no_jwt, no_topic

    no_jwt, no_topic = run(scenario())
    assert (no_jwt.status, no_jwt.reason, no_jwt.outcome) == (403, "MissingProviderToken", Outcome.CONFIG_ERROR)
    assert (no_topic.status, no_topic.reason, no_topic.outcome) == (400, "MissingTopic", Outcome.CONFIG_ERROR)


def test_jwt_with_a_bad_signature_is_a_config_error(simulator, open_client) -> None:
    impostor_key = devcerts.generate_apns_auth_key().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption(),
    )
    signer = ProviderTokenSigner(impostor_key, KEY_ID, TEAM_ID)  # right kid, wrong key

    async def scenario():
        async with open_client(simulator, TokenCredential(signer)) as client:
            return await client.send(device_token(1), PASS_TYPE_ID)

    result = run(scenario())
    assert (result.status, result.reason, result.outcome) == (403, "InvalidProviderToken", Outcome.CONFIG_ERROR)


def test_second_token_within_20_minutes_on_a_connection_is_too_many_updates(simulator, open_client, make_signer) -> None:
    older = make_signer(FakeClock(time.time() - 600))
    newer = make_signer()

    async def scenario():
        async with open_client(simulator, TokenCredential(older)) as client:
            first = await client.send(device_token(1), PASS_TYPE_ID)
            client._signer = newer  # what a fleet minting its own JWTs per worker looks like
            second = await client.send(device_token(2), PASS_TYPE_ID)
            return first, second, client.connections_opened

    first, second, connections = run(scenario())
    assert first.outcome is Outcome.DELIVERED
    assert (second.status, second.reason, second.outcome) == (429, "TooManyProviderTokenUpdates", Outcome.CONFIG_ERROR)
    assert connections == 1
