"""The checks APNs applies to a request, as plain functions over decoded headers.

Each check returns None (fine) or `(status, reason)` with Apple's documented reason
strings (digest 3.6). Where Apple does not say which reason a case gets, the choice
is noted at the check.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

Verdict = tuple[int, str] | None

MAX_PAYLOAD_BYTES = 4096  # Apple: 4 KB for everything but VoIP
TOKEN_MAX_AGE_SECONDS = 3600  # Apple: iat older than one hour -> ExpiredProviderToken
TOKEN_MIN_UPDATE_SECONDS = 20 * 60  # Apple: new token more often than every 20 min -> 429
_FUTURE_SKEW_SECONDS = 300
_PATH_PREFIX = "/3/device/"
_HEX = re.compile(r"[0-9a-fA-F]+")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_PUSH_TYPES = frozenset({
    "alert", "background", "location", "voip", "complication", "fileprovider", "mdm",
    "liveactivity", "pushtotalk", "widgets", "controls",
})


def device_token(method: str, path: str) -> tuple[str, Verdict]:
    """The token from `POST /3/device/<token>`, or the error for a bad method or path."""
    if method != "POST":
        return "", (405, "MethodNotAllowed")
    if not path.startswith(_PATH_PREFIX):
        return "", (404, "BadPath")
    token = path[len(_PATH_PREFIX):]
    if not token:
        return "", (400, "MissingDeviceToken")
    if not _HEX.fullmatch(token):
        return token, (400, "BadDeviceToken")
    return token, None


def request_headers(headers: dict[str, str]) -> Verdict:
    """apns-priority, apns-push-type, apns-expiration and apns-id syntax and combinations."""
    priority = headers.get("apns-priority", "10")
    if priority not in ("1", "5", "10"):
        return 400, "BadPriority"
    push_type = headers.get("apns-push-type")
    if push_type is not None and push_type not in _PUSH_TYPES:
        return 400, "InvalidPushType"
    if push_type == "background" and priority != "5":
        return 400, "BadPriority"  # Apple: background pushes must use priority 5
    expiration = headers.get("apns-expiration")
    if expiration is not None and not expiration.isdigit():
        return 400, "BadExpirationDate"
    apns_id = headers.get("apns-id")
    if apns_id is not None and not _UUID.fullmatch(apns_id):
        return 400, "BadMessageId"
    return None


def payload(body: bytes) -> Verdict:
    """Apple: non-empty, at most 4096 bytes, a JSON dictionary."""
    if body == b"{}":
        return None
    if not body:
        return 400, "PayloadEmpty"
    if len(body) > MAX_PAYLOAD_BYTES:
        return 413, "PayloadTooLarge"
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        # Apple documents no reason for "not a JSON dictionary"; this one is ours.
        return 400, "BadPayload"
    return None


def certificate_topic(der_certificate: bytes) -> str | None:
    """The pass type id (UID) of a Pass Type ID client certificate, or None."""
    certificate = x509.load_der_x509_certificate(der_certificate)
    values = certificate.subject.get_attributes_for_oid(NameOID.USER_ID)
    return str(values[0].value) if values else None


def certificate_topic_check(cert_topic: str | None, topic: str | None) -> Verdict:
    """With a certificate the topic defaults to the certificate's; another one is refused.

    Apple does not document which reason a single-topic certificate gets for a
    foreign topic; field reports show TopicDisallowed for a topic that does not
    match the certificate, so that is what this answers.
    """
    if cert_topic is None:
        return 403, "BadCertificate"
    if topic is not None and topic != cert_topic:
        return 400, "TopicDisallowed"
    return None


@dataclass
class AcceptedToken:
    """The provider token a connection last had accepted."""

    text: str
    issued_at: int


class ProviderTokenVerifier:
    """Verifies `authorization: bearer <jwt>` like APNs, once per distinct token string.

    Signature checks are costly, so a connection keeps its last accepted token and
    only re-checks the age of `iat` while the client keeps sending the same string.
    """

    def __init__(self, keys: dict[str, tuple[str, bytes]], clock=time.time) -> None:
        self._keys = {
            kid: (team, serialization.load_pem_public_key(pem)) for kid, (team, pem) in keys.items()
        }
        self._clock = clock

    def check(
        self, authorization: str | None, accepted: AcceptedToken | None,
    ) -> tuple[AcceptedToken | None, Verdict]:
        """Return the connection's accepted token after this request, and the verdict."""
        if not authorization:
            return accepted, (403, "MissingProviderToken")
        scheme, _, text = authorization.partition(" ")
        if scheme.lower() != "bearer" or not text:
            return accepted, (403, "InvalidProviderToken")
        if accepted is not None and text == accepted.text:
            return accepted, self._age_verdict(accepted.issued_at)
        issued_at, verdict = self._verify(text)
        if verdict is not None:
            return accepted, verdict
        age_verdict = self._age_verdict(issued_at)
        if age_verdict is not None:
            return accepted, age_verdict
        if accepted is not None and issued_at - accepted.issued_at < TOKEN_MIN_UPDATE_SECONDS:
            return accepted, (429, "TooManyProviderTokenUpdates")
        return AcceptedToken(text, issued_at), None

    def _verify(self, text: str) -> tuple[int, Verdict]:
        try:
            header = jwt.get_unverified_header(text)
        except jwt.PyJWTError:
            return 0, (403, "InvalidProviderToken")
        entry = self._keys.get(header.get("kid", ""))
        if entry is None or header.get("alg") != "ES256":
            return 0, (403, "InvalidProviderToken")
        team, key = entry
        try:
            claims = jwt.decode(
                text, key, algorithms=["ES256"],
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.PyJWTError:
            return 0, (403, "InvalidProviderToken")
        issued_at = claims.get("iat")
        if claims.get("iss") != team or not isinstance(issued_at, int):
            return 0, (403, "InvalidProviderToken")
        if issued_at > self._clock() + _FUTURE_SKEW_SECONDS:
            return 0, (403, "InvalidProviderToken")
        return issued_at, None

    def _age_verdict(self, issued_at: int) -> Verdict:
        if self._clock() - issued_at > TOKEN_MAX_AGE_SECONDS:
            return 403, "ExpiredProviderToken"
        return None
