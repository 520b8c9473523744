"""The download PIN (Passcreator's `downloadPin`): when a pass asks for it, the signed
unlock a correct PIN earns, and the limit on guesses (Flask-free; docs/download-page.md).

A pass asks for its PIN only when its campaign (Passcreator's template) switches the
feature on with `settings.download_pin_enabled` AND the pass has a non-empty downloadPin.

The PIN is stored only as a salted scrypt hash (`protect_pin`, docs/security.md
"Download PINs"); the API never answers it back, so nothing needs the plain PIN.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from walletservice.models import Campaign, DownloadPinAttempts, Pass
from walletservice.services.attempt_limits import (
    AttemptPolicy, count_attempt, forget_attempts, lock_after_failure, seconds_until,
)

PIN_SETTING = "download_pin_enabled"
PIN_KEY = "downloadPin"  # in Pass.extra, as Passcreator names it
_UNLOCK_KEY_PURPOSE = b"walletservice.download-pin.unlock"
_MAX_EXPIRY_DIGITS = 12
# Werkzeug's scrypt (hashlib.scrypt, 16-character salt, hmac.compare_digest on check).
# n=8192 keeps a PIN check near 10-40 ms: a 4-digit PIN falls to an offline search at
# any cost, so the hash keeps PINs unreadable at rest; guessing online is what the
# attempt limit below stops.
PIN_HASH_METHOD = "scrypt:8192:8:1"
_HASH_PREFIX = "scrypt:"
MAX_PIN_CHARS = 64  # the v3 schema's limit: a longer value is never a PIN someone typed


@dataclass(frozen=True)
class PinPolicy:
    max_failures: int
    lock_seconds: int
    unlock_seconds: int


@dataclass(frozen=True)
class PinAttempt:
    """What one submitted PIN led to."""

    outcome: Literal["correct", "wrong", "locked"]
    remaining: int = 0  # wrong PINs left before the lock ("wrong")
    retry_after: int = 0  # seconds until PINs are tried again ("locked", or "wrong" that locked)


def protect_pin(pin: object) -> object:
    """What Pass.extra stores for a downloadPin: the hash of a PIN, anything else as given
    (None, "" and what is no PIN are kept, a hash already made is not hashed again)."""
    if pin is None or isinstance(pin, (dict, list)) or str(pin) == "" or is_pin_hash(pin):
        return pin
    return generate_password_hash(str(pin), method=PIN_HASH_METHOD)


def is_pin_hash(value: object) -> bool:
    return isinstance(value, str) and value.startswith(_HASH_PREFIX) and len(value) > MAX_PIN_CHARS


def required_pin(pass_: Pass, campaign: Campaign) -> str | None:
    """The stored hash of the PIN this pass's page asks for, or None when it asks for none."""
    if (campaign.settings or {}).get(PIN_SETTING) is not True:
        return None
    pin = (pass_.extra or {}).get(PIN_KEY)
    if pin is None or isinstance(pin, (dict, list)) or str(pin) == "":
        return None
    return str(pin)


def unlock_token(secret: str, download_id: str, pin: str, now: dt.datetime, lifetime_seconds: int) -> str:
    """`<expiry>.<mac>`: proof that this browser gave this pass's current PIN.

    `pin` is the stored hash; the MAC covers a digest of it, so setting the PIN again
    (a new salt) voids every earlier unlock.
    """
    # Signer (HMAC, a key derived from the app secret for this purpose). Bytes: download
    # id, PIN digest, expiry. Who: a browser that just gave the correct PIN.
    expires = int(now.timestamp()) + lifetime_seconds
    return f"{expires}.{_unlock_mac(secret, download_id, pin, expires)}"


def is_unlocked(secret: str, download_id: str, pin: str, token: str | None, now: dt.datetime) -> bool:
    if not token:
        return False
    expires, _, mac = token.partition(".")
    if not expires.isdigit() or len(expires) > _MAX_EXPIRY_DIGITS or int(expires) <= now.timestamp():
        return False
    expected = _unlock_mac(secret, download_id, pin, int(expires))
    return hmac.compare_digest(mac.encode("ascii", "replace"), expected.encode("ascii"))


def _unlock_mac(secret: str, download_id: str, pin: str, expires: int) -> str:
    # A key of its own, so these MACs can never stand in for another use of the secret.
    key = hmac.new(secret.encode(), _UNLOCK_KEY_PURPOSE, hashlib.sha256).digest()
    pin_digest = hashlib.sha256(pin.encode()).hexdigest()
    message = f"{download_id}\n{pin_digest}\n{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def is_correct_pin(pin_hash: str, submitted: str) -> bool:
    """Exactly the PIN whose hash is stored (nothing is trimmed or case-folded); the
    digests are compared in constant time (hmac.compare_digest in werkzeug)."""
    if not is_pin_hash(pin_hash) or len(submitted) > MAX_PIN_CHARS:
        return False  # a plain value stored before the hashing migration ran opens nothing
    return check_password_hash(pin_hash, submitted)


def attempt_pin(
    session: Session, pass_id: str, pin_hash: str, submitted: str, policy: PinPolicy, now: dt.datetime
) -> PinAttempt:
    """Count the attempt, then compare; the caller commits (services.attempt_limits:
    concurrent guesses are counted one after another, never more than `max_failures`)."""
    table = DownloadPinAttempts.__table__
    counted = count_attempt(session, table, pass_id, now)
    if counted.seconds_locked(now):
        return PinAttempt("locked", retry_after=counted.seconds_locked(now))
    if is_correct_pin(pin_hash, submitted):
        forget_attempts(session, table, pass_id)
        return PinAttempt("correct")
    locked_for = lock_after_failure(session, table, pass_id, counted,
                                    AttemptPolicy(policy.max_failures, policy.lock_seconds), now)
    if locked_for:
        return PinAttempt("wrong", retry_after=locked_for)
    return PinAttempt("wrong", remaining=policy.max_failures - counted.failures)


def seconds_locked(session: Session, pass_id: str, now: dt.datetime) -> int:
    """How long the pass's PIN form still refuses every PIN; 0 when it is open."""
    locked_until = session.scalar(select(DownloadPinAttempts.locked_until)
                                  .where(DownloadPinAttempts.pass_id == pass_id))
    return seconds_until(locked_until, now) if locked_until is not None and locked_until > now else 0
