"""An organization's webhook: its URL, its secret, its Authorization value, and how each
POST is signed.

The secret is random, stored encrypted with WALLET_SECRET_KEY (like certificate keys)
and shown to the organization through GET /v2/webhook. The Authorization value is the
organization's own (Passworks sends the API key there; we hold keys only hashed), stored
encrypted too and never shown in full. Signing is pure so a receiver's check can be
tested against it (docs/events-reports-webhooks.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from walletservice.db import lock_for_update
from walletservice.errors import InvalidInput
from walletservice.models import Organization
from walletservice.models.base import utcnow
from walletservice.services.key_encryption import decrypt_private_key, encrypt_private_key
from walletservice.plumbing.outbound_http import literal_address_refused

MAX_URL_LENGTH = 2048
MAX_AUTHORIZATION_LENGTH = 1024
# Shown of a stored Authorization value: its last characters, only when it is long enough
# that they do not give it away.
HINT_CHARACTERS, HINT_MIN_LENGTH = 4, 16
SIGNATURE_HEADER = "X-Wallet-Signature"
TIMESTAMP_HEADER = "X-Wallet-Timestamp"


@dataclass(frozen=True)
class WebhookSettings:
    url: str | None
    secret: str | None
    # Sent as the Authorization header; None: the secret is sent there instead.
    authorization: str | None = None

    @property
    def authorization_hint(self) -> str | None:
        """What API answers show of the Authorization value: "****" plus its last
        characters (only "****" for a short value), None when unset."""
        if self.authorization is None:
            return None
        if len(self.authorization) < HINT_MIN_LENGTH:
            return "****"
        return "****" + self.authorization[-HINT_CHARACTERS:]


def check_webhook_url(url: str, *, allow_private: bool = False) -> str:
    """Only absolute http(s) URLs with a host; anything else is a 422. Names that resolve
    to private addresses are refused when sending (services.outbound_http)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise InvalidInput("webhook_url is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise InvalidInput("webhook_url must be an absolute http:// or https:// URL")
    if len(url) > MAX_URL_LENGTH or any(ord(c) < 33 for c in url):
        raise InvalidInput(f"webhook_url must be at most {MAX_URL_LENGTH} characters, without spaces")
    if literal_address_refused(url, allow_private):
        raise InvalidInput("webhook_url must not point to a loopback, private or link-local address")
    return url


def check_authorization_value(value: str) -> str:
    """A value that can travel as an HTTP header as it is: visible ASCII and inner spaces,
    so no line break can add a header of its own (RFC 9110, "Field Values")."""
    if not value or len(value) > MAX_AUTHORIZATION_LENGTH:
        raise InvalidInput(f"webhook_authorization must be 1 to {MAX_AUTHORIZATION_LENGTH} characters; "
                           "null removes it")
    if value != value.strip(" \t"):
        raise InvalidInput("webhook_authorization must not start or end with a space")
    if any(not (32 <= ord(c) < 127) for c in value):
        raise InvalidInput("webhook_authorization must be printable ASCII (no line breaks or control characters)")
    return value


def webhook_settings(organization: Organization, secret_key: str) -> WebhookSettings:
    secret = _decrypted(secret_key, organization.webhook_secret_encrypted)
    authorization = _decrypted(secret_key, organization.webhook_authorization_encrypted)
    return WebhookSettings(organization.webhook_url, secret, authorization)


def _decrypted(secret_key: str, token: str | None) -> str | None:
    return decrypt_private_key(secret_key, token).decode("ascii") if token else None


def set_webhook_authorization(session: Session, organization: Organization, value: str | None,
                              secret_key: str) -> WebhookSettings:
    """Set (or, with None, remove) the Authorization value webhooks carry; queued webhooks
    carry the value current when they are sent."""
    organization.webhook_authorization_encrypted = (
        encrypt_private_key(secret_key, check_authorization_value(value).encode("ascii"))
        if value is not None else None)
    organization.updated_at = utcnow()
    session.flush()
    return webhook_settings(organization, secret_key)


def set_webhook_url(session: Session, organization: Organization, url: str | None,
                    secret_key: str, *, allow_private: bool = False) -> WebhookSettings:
    """Set (or, with None, remove) the URL; the first URL gets a secret, which is kept."""
    organization = lock_for_update(organization)  # two first PUTs must not each make a secret
    organization.webhook_url = check_webhook_url(url, allow_private=allow_private) if url is not None else None
    if organization.webhook_url and not organization.webhook_secret_encrypted:
        _store_new_secret(organization, secret_key)
    organization.updated_at = utcnow()
    session.flush()
    return webhook_settings(organization, secret_key)


def rotate_webhook_secret(session: Session, organization: Organization, secret_key: str) -> WebhookSettings:
    """A new secret; webhooks still queued are signed with it when sent."""
    _store_new_secret(organization, secret_key)
    organization.updated_at = utcnow()
    session.flush()
    return webhook_settings(organization, secret_key)


def _store_new_secret(organization: Organization, secret_key: str) -> None:
    secret = "whsec_" + secrets.token_urlsafe(32)
    organization.webhook_secret_encrypted = encrypt_private_key(secret_key, secret.encode("ascii"))


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """hex HMAC-SHA256 over "<timestamp>.<body>": the timestamp is signed so an old
    request cannot be replayed with a fresh one."""
    # Signer (HMAC with the tenant's own webhook secret). Bytes: "<timestamp>." + a
    # webhook body this service serialized from its own event. Who: the outbox worker.
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, timestamp: int, body: bytes, authorization: str | None = None) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        # webhooks.md sends the API key here; we only hold its hash, so the organization
        # sets the value (set_webhook_authorization), and without one the secret it is.
        "Authorization": authorization if authorization is not None else secret,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: "sha256=" + signature(secret, timestamp, body),
    }


def verify_signature(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does (used by the tests and shown in the docs)."""
    given = headers.get(SIGNATURE_HEADER, "")
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    if not given.startswith("sha256=") or not timestamp.isdigit():
        return False
    return hmac.compare_digest(given[len("sha256="):], signature(secret, int(timestamp), body))
