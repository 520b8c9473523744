"""APNs provider authentication tokens (ES256 JWTs) for token-based connections.

Apple (digest 3.5): header {"alg": "ES256", "kid": key id}, claims {"iss": team id,
"iat": epoch seconds}; refresh no more than once every 20 minutes (else 429
TooManyProviderTokenUpdates) and no less than once every 60 minutes (else 403
ExpiredProviderToken). One token is cached and shared by every connection.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

# Renew proactively at 50 minutes: inside Apple's 20..60 minute window, with margin
# for clock skew and pushes in flight.
RENEW_AFTER_SECONDS = 50 * 60
# Apple: "no more than once every 20 minutes".
MIN_RENEW_INTERVAL_SECONDS = 20 * 60


class ProviderTokenSigner:
    """Mints and caches the provider JWT for one APNs key.

    The renewal rule, exactly:

    * `current()` returns the cached token, minting a new one only when the cached
      one was minted 50 minutes ago or more (by the injected clock), or none exists.
    * `renew_after_expired(rejected)` is called after APNs answered 403
      ExpiredProviderToken for `rejected`. It mints a new token only if BOTH
      (a) `rejected` is still the cached token (otherwise another caller already
      renewed it: the cached one is returned), and
      (b) the cached token was minted at least 20 minutes ago.
      Otherwise it returns the cached token unchanged; a caller that gets back the
      token it sent must not re-send (APNs' clock disagrees with ours by more than
      the token's age, and a fresh `iat` from the same clock would not help).

    So no two tokens are ever minted less than 20 minutes apart, which is what
    Apple's TooManyProviderTokenUpdates rule asks for. Thread-safe.
    """

    def __init__(
        self,
        key_pem: bytes,
        key_id: str,
        team_id: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        key = serialization.load_pem_private_key(key_pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ValueError("APNs auth keys are P-256 EC keys (ES256)")
        self._key = key
        self.key_id = key_id
        self.team_id = team_id
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._issued_at = 0.0

    def current(self) -> str:
        """The cached token, renewed when it is 50 minutes old."""
        with self._lock:
            if self._token is None or self._clock() - self._issued_at >= RENEW_AFTER_SECONDS:
                self._mint()
            assert self._token is not None
            return self._token

    def renew_after_expired(self, rejected_token: str) -> str:
        """A token to re-send with after 403 ExpiredProviderToken (see the class docstring)."""
        with self._lock:
            if self._token is None:
                self._mint()
            elif (
                rejected_token == self._token
                and self._clock() - self._issued_at >= MIN_RENEW_INTERVAL_SECONDS
            ):
                self._mint()
            assert self._token is not None
            return self._token

    def _mint(self) -> None:
        # Signer (ES256 with the operator's APNs auth key). Bytes: {"iss": team, "iat": now}
        # and the key id; nothing a caller chooses. Who: the push sender, at most every 20 min.
        issued_at = self._clock()
        self._token = jwt.encode(
            {"iss": self.team_id, "iat": int(issued_at)},
            self._key,
            algorithm="ES256",
            headers={"kid": self.key_id},
        )
        self._issued_at = issued_at
