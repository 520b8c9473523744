"""An organization's webhook: its URL, its secret, and how each POST is signed.

The secret is random, stored encrypted with WALLET_SECRET_KEY (like certificate keys)
and shown to the organization through GET /v2/webhook. Signing is pure so a receiver's
check can be tested against it (docs/events-reports-webhooks.md).
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
SIGNATURE_HEADER = "X-Wallet-Signature"
TIMESTAMP_HEADER = "X-Wallet-Timestamp"


@dataclass(frozen=True)
class WebhookSettings:
    url: str | None
    secret: str | None


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


def webhook_settings(organization: Organization, secret_key: str) -> WebhookSettings:
    secret = (decrypt_private_key(secret_key, organization.webhook_secret_encrypted).decode("ascii")
              if organization.webhook_secret_encrypted else None)
    return WebhookSettings(organization.webhook_url, secret)


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


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        # webhooks.md sends the API key here; we only hold its hash, so the secret it is.
        "Authorization": secret,
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
