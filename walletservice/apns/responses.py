"""What an APNs answer means for the caller: one `Outcome` per push.

The table follows Apple's "Handling notification responses from APNs" (digest 3.6).
Transport failures (no HTTP status) are classified here too, so the worker only ever
looks at `PushResult.outcome`.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from dataclasses import dataclass


class Outcome(enum.Enum):
    """What the caller should do with a push and its registration."""

    DELIVERED = "delivered"
    """APNs accepted the push (200). Not proof that the device received it."""

    DROP_TOKEN = "drop_token"
    """The token is dead. Delete the registration, but only if it is older than
    `PushResult.timestamp` when one is given (the device may have re-registered)."""

    CONFIG_ERROR = "config_error"
    """Certificate, key or topic problem: stop the batch for this credential,
    keep the tokens, alert a human."""

    REFRESH_TOKEN = "refresh_token"
    """The provider JWT is too old: renew it once and re-send."""

    RETRY = "retry"
    """Transient: APNs busy or the connection failed before the stream answered."""

    FAILED = "failed"
    """Malformed request or an unknown reason: record it, never retry in a loop."""


# 400 BadDeviceToken: Wallet pushes are production-only, so a bad token is dead
# (digest 3.1/3.6). 410: token no longer active for the topic.
_DROP_TOKEN_REASONS = frozenset({"BadDeviceToken", "Unregistered", "ExpiredToken"})

# Apple: fix the configuration before retrying; never delete tokens for these.
_CONFIG_REASONS = frozenset({
    "DeviceTokenNotForTopic", "BadTopic", "MissingTopic", "TopicDisallowed",
    "InvalidPushType", "BadCertificate", "BadCertificateEnvironment", "Forbidden",
    "InvalidProviderToken", "MissingProviderToken", "UnrelatedKeyIdInToken",
    "BadEnvironmentKeyIdInToken", "TooManyProviderTokenUpdates",
    # Transport-level, produced by this package: TLS trust or protocol set-up failed.
    "UntrustedServer", "NoHTTP2",
})

def classify(status: int | None, reason: str | None) -> Outcome:
    """Map an APNs status and reason to an Outcome.

    `status` None means no HTTP answer (connection lost, timeout, GOAWAY): RETRY,
    unless the reason names a credential problem. A transport failure never drops a
    token: a GOAWAY reason speaks about the connection, not about this token.
    """
    if reason == "ExpiredProviderToken":
        return Outcome.REFRESH_TOKEN
    if reason in _CONFIG_REASONS:
        return Outcome.CONFIG_ERROR
    if status is None:
        return Outcome.RETRY
    if status == 200:
        return Outcome.DELIVERED
    if reason in _DROP_TOKEN_REASONS and status in (400, 410):
        return Outcome.DROP_TOKEN
    # 429 TooManyRequests: too many pushes to one token; 5xx: Apple says retry with back-off.
    # 400 IdleTimeout speaks about the connection, not the push: resend on a new one (digest 3.6).
    if status in (429, 500, 503) or reason == "IdleTimeout":
        return Outcome.RETRY
    if status == 410:
        # A 410 with an unlisted reason still means "token no longer active for the topic".
        return Outcome.DROP_TOKEN
    return Outcome.FAILED


@dataclass(frozen=True)
class PushResult:
    """The answer for one push. `status` is None when the transport failed."""

    token: str
    topic: str
    status: int | None
    reason: str | None
    apns_id: str | None
    timestamp: dt.datetime | None
    outcome: Outcome


def parse_error_body(body: bytes) -> tuple[str | None, dt.datetime | None]:
    """Read `{"reason": ..., "timestamp": ms}`; a garbled body gives (None, None)."""
    try:
        document = json.loads(body)
    except ValueError:
        return None, None
    if not isinstance(document, dict):
        return None, None
    reason = document.get("reason")
    millis = document.get("timestamp")
    timestamp = None
    if isinstance(millis, (int, float)) and not isinstance(millis, bool):
        timestamp = dt.datetime.fromtimestamp(millis / 1000, tz=dt.timezone.utc)
    return (reason if isinstance(reason, str) else None), timestamp


def make_result(
    token: str, topic: str, status: int | None, reason: str | None,
    apns_id: str | None = None, timestamp: dt.datetime | None = None,
) -> PushResult:
    """Build a PushResult, classifying it."""
    return PushResult(token, topic, status, reason, apns_id, timestamp, classify(status, reason))
