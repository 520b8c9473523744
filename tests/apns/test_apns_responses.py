"""classify(): every row of Apple's response table (digest 3.6) maps to one Outcome."""

from __future__ import annotations

import datetime as dt

import pytest

from walletservice.apns import Outcome, classify
from walletservice.apns.responses import parse_error_body

pytestmark = pytest.mark.timeout(30)

APPLE_TABLE = [
    (200, None, Outcome.DELIVERED),
    (400, "BadDeviceToken", Outcome.DROP_TOKEN),
    (410, "Unregistered", Outcome.DROP_TOKEN),
    (410, "ExpiredToken", Outcome.DROP_TOKEN),
    (400, "DeviceTokenNotForTopic", Outcome.CONFIG_ERROR),
    (400, "BadTopic", Outcome.CONFIG_ERROR),
    (400, "MissingTopic", Outcome.CONFIG_ERROR),
    (400, "TopicDisallowed", Outcome.CONFIG_ERROR),
    (400, "InvalidPushType", Outcome.CONFIG_ERROR),
    (403, "BadCertificate", Outcome.CONFIG_ERROR),
    (403, "BadCertificateEnvironment", Outcome.CONFIG_ERROR),
    (403, "Forbidden", Outcome.CONFIG_ERROR),
    (403, "InvalidProviderToken", Outcome.CONFIG_ERROR),
    (403, "MissingProviderToken", Outcome.CONFIG_ERROR),
    (403, "UnrelatedKeyIdInToken", Outcome.CONFIG_ERROR),
    (403, "BadEnvironmentKeyIdInToken", Outcome.CONFIG_ERROR),
    (429, "TooManyProviderTokenUpdates", Outcome.CONFIG_ERROR),
    (403, "ExpiredProviderToken", Outcome.REFRESH_TOKEN),
    (429, "TooManyRequests", Outcome.RETRY),
    (500, "InternalServerError", Outcome.RETRY),
    (503, "ServiceUnavailable", Outcome.RETRY),
    (503, "Shutdown", Outcome.RETRY),
    (400, "IdleTimeout", Outcome.RETRY),
    (413, "PayloadTooLarge", Outcome.FAILED),
    (404, "BadPath", Outcome.FAILED),
    (405, "MethodNotAllowed", Outcome.FAILED),
    (400, "BadCollapseId", Outcome.FAILED),
    (400, "BadExpirationDate", Outcome.FAILED),
    (400, "BadMessageId", Outcome.FAILED),
    (400, "BadPriority", Outcome.FAILED),
    (400, "DuplicateHeaders", Outcome.FAILED),
    (400, "MissingDeviceToken", Outcome.FAILED),
    (400, "PayloadEmpty", Outcome.FAILED),
    (400, "SomethingAppleAddsNextYear", Outcome.FAILED),
    (418, None, Outcome.FAILED),
]


@pytest.mark.parametrize(("status", "reason", "outcome"), APPLE_TABLE)
def test_apple_status_and_reason_map_to_outcome(status: int, reason: str | None, outcome: Outcome) -> None:
    assert classify(status, reason) is outcome


@pytest.mark.parametrize("reason", ["ConnectionLost", "ConnectFailed", "GoAway", "Timeout", "StreamReset", "Shutdown"])
def test_transport_failures_without_status_are_retried(reason: str) -> None:
    assert classify(None, reason) is Outcome.RETRY


@pytest.mark.parametrize("reason", ["BadCertificate", "UntrustedServer", "NoHTTP2", "Forbidden"])
def test_transport_failures_naming_a_credential_problem_are_config_errors(reason: str) -> None:
    assert classify(None, reason) is Outcome.CONFIG_ERROR


def test_a_token_is_never_dropped_without_an_http_answer_about_it() -> None:
    # e.g. a GOAWAY after too many BadDeviceToken answers speaks about the connection.
    assert classify(None, "BadDeviceToken") is Outcome.RETRY


def test_410_body_timestamp_in_milliseconds_becomes_aware_utc_datetime() -> None:
    reason, timestamp = parse_error_body(b'{"reason":"Unregistered","timestamp":1700000000123}')
    assert reason == "Unregistered"
    assert timestamp == dt.datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("body", [b"", b"not json", b"[1]", b'{"reason": 5}'])
def test_garbled_error_body_gives_no_reason(body: bytes) -> None:
    assert parse_error_body(body) == (None, None)
