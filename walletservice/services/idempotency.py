"""Idempotency keys: the first answer to a POST, replayed for the same key for 24 hours.

Flask-free: the API layer (api/idempotency.py) hands in the request's fingerprint and
the answer as plain values. A key is remembered per organization and route:

- `claim` inserts the key as "running" in a transaction of its own, so the unique
  constraint (organization, route, key digest) decides which of two concurrent
  requests runs; the loser reads the row: 409 while it runs, the stored answer after.
- `complete` stores the answer (any status below 500, so 4xx answers replay, as
  Stripe's do); `release` forgets the key after a 5xx or a crash of the handler, so
  the next try runs again.
- A key that stayed "running" longer than RUNNING_LEASE (its process died between
  claim and complete) may be claimed again.

Keys are kept only as HMAC digests under the service's secret, and stored answers are
encrypted (AES-GCM) with a key derived from the client's key: a created child
organization's api_password or a pass's personal data is not readable from the table
without the Idempotency-Key that made it. Rows expire after KEY_LIFETIME (housekeeping
purges them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from walletservice.db import select_for_update, transaction
from walletservice.errors import BadRequest, Conflict, IdempotencyKeyReused
from walletservice.models.base import utcnow
from walletservice.models.idempotency import IdempotencyKey

KEY_LIFETIME = dt.timedelta(hours=24)
RUNNING_LEASE = dt.timedelta(minutes=5)
MAX_KEY_LENGTH = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CLAIM_ATTEMPTS = 5


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Claim:
    """A key this request holds: it must `complete` or `release` it."""

    id: str
    cipher_key: bytes = b""


@dataclass(frozen=True)
class KeyDigests:
    """What is stored of a client's key: its digest, and the key that encrypts its answer."""

    lookup: str
    cipher_key: bytes

    @classmethod
    def of(cls, key: str, secret: str) -> KeyDigests:
        def derive(purpose: bytes) -> bytes:
            return hmac.new(secret.encode(), purpose + key.encode(), hashlib.sha256).digest()
        return cls(derive(b"idempotency-lookup:").hex(), derive(b"idempotency-answer:"))


def check_key(key: str) -> str:
    """The key as sent, or BadRequest when it is empty, too long or holds control characters."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise BadRequest(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters long")
    if _CONTROL.search(key):
        raise BadRequest("Idempotency-Key must not contain control characters")
    return key


def fingerprint(*parts: bytes) -> str:
    """SHA-256 over the parts, each prefixed by its length so no two splits collide."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()


def claim(organization_id: str, route: str, key: KeyDigests, request_digest: str) -> Claim | StoredAnswer:
    """Hold `key` for this request, or the answer stored for it.

    Raises Conflict while another request with the key runs and IdempotencyKeyReused
    when the key came with another request."""
    for _ in range(_CLAIM_ATTEMPTS):
        held = _insert(organization_id, route, key.lookup, request_digest)
        if held is not None:
            return Claim(held, key.cipher_key)
        found = _existing(organization_id, route, key.lookup, request_digest)
        if isinstance(found, str):
            return Claim(found, key.cipher_key)
        if found is not None:
            return StoredAnswer(found.status, found.headers, _decrypt(key.cipher_key, found.body))
        # The row went away (released or expired) between the insert and the read: try again.
    raise Conflict("a request with this Idempotency-Key is in progress; retry later")


def complete(held: Claim, status: int, headers: dict[str, str], body: bytes) -> None:
    with transaction() as session:
        session.execute(update(IdempotencyKey).where(IdempotencyKey.id == held.id).values(
            state="done", status_code=status, headers=headers, body=_encrypt(held.cipher_key, body)))


def release(held: Claim) -> None:
    with transaction() as session:
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == held.id,
                                                     IdempotencyKey.state == "running"))


def _encrypt(cipher_key: bytes, body: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(cipher_key).encrypt(nonce, body, None)


def _decrypt(cipher_key: bytes, stored: bytes) -> bytes:
    return AESGCM(cipher_key).decrypt(stored[:12], stored[12:], None)


def _insert(organization_id: str, route: str, key_digest: str, request_digest: str) -> str | None:
    """The new row's id, or None when the key is stored already."""
    now = utcnow()
    row = IdempotencyKey(organization_id=organization_id, route=route, key_digest=key_digest,
                         request_digest=request_digest, state="running", created_at=now,
                         expires_at=now + KEY_LIFETIME)
    try:
        with transaction() as session:
            session.add(row)
            session.flush()
            claimed = row.id
    except IntegrityError:
        return None
    return claimed


def _existing(organization_id: str, route: str, key_digest: str,
              request_digest: str) -> str | StoredAnswer | None:
    """The answer stored for the key (encrypted); the row's id, claimed, when it has
    expired or its holder is gone; None when there is no row any more."""
    with transaction() as session:
        rows = select_for_update(session, select(IdempotencyKey).where(
            IdempotencyKey.organization_id == organization_id, IdempotencyKey.route == route,
            IdempotencyKey.key_digest == key_digest))
        if not rows:
            return None
        row = rows[0]
        now = utcnow()
        if row.expires_at <= now or (row.state == "running" and row.created_at <= now - RUNNING_LEASE):
            _restart(row, request_digest, now)
            return row.id
        if row.request_digest != request_digest:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used with a different request; send a new key for a new request")
        if row.state == "running":
            raise Conflict("a request with this Idempotency-Key is in progress; retry later")
        return StoredAnswer(row.status_code or 200, dict(row.headers or {}), row.body or b"")


def _restart(row: IdempotencyKey, request_digest: str, now: dt.datetime) -> None:
    row.request_digest, row.state, row.created_at, row.expires_at = request_digest, "running", now, now + KEY_LIFETIME
    row.status_code, row.headers, row.body = None, None, None
