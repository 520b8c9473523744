"""Google Wallet's save and delete callbacks, verified as Google's ECv2SigningOnly protocol says
("Add and delete callbacks"; Google Pay's "Payment data cryptography" for the signed strings).

A callback body is `{"signature", "intermediateSigningKey": {"signedKey", "signatures"},
"protocolVersion": "ECv2SigningOnly", "signedMessage"}`:
1. one of Google's root keys (published at the keys URL, not expired) signed `signedKey`;
2. `signedKey` (`{"keyValue", "keyExpiration"}`) is not expired;
3. its key signed `signedMessage` for this recipient (our issuer id);
4. the message (`classId`, `objectId`, `eventType` save|del, `expTimeMillis`, `nonce`) is not expired.
Signatures are ECDSA P-256 / SHA-256 (DER, base64); keys are X.509 SubjectPublicKeyInfo (DER, base64).
Pure: the caller fetches the root keys and keeps nonces.
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SENDER_ID = "GooglePayPasses"
PROTOCOL = "ECv2SigningOnly"
EVENT_TYPES = ("save", "del")


class CallbackRejected(ValueError):
    """Not a callback Google signed for us, or expired; the message says which check failed."""


@dataclass(frozen=True)
class RootKey:
    public_key: ec.EllipticCurvePublicKey
    expires_ms: int | None


@dataclass(frozen=True)
class CallbackEvent:
    class_id: str
    object_id: str
    event_type: str
    nonce: str
    expires_ms: int


def signed_bytes(*parts: str) -> bytes:
    """Each part as a 4-byte little-endian length and its UTF-8 bytes, concatenated."""
    return b"".join(struct.pack("<I", len(encoded)) + encoded for encoded in (part.encode() for part in parts))


def parse_root_keys(document: Mapping[str, Any]) -> list[RootKey]:
    """The ECv2SigningOnly keys of Google's published `{"keys": [...]}` document."""
    keys = []
    for entry in document.get("keys") or []:
        if not isinstance(entry, Mapping) or entry.get("protocolVersion") != PROTOCOL:
            continue
        expiration = entry.get("keyExpiration")
        keys.append(RootKey(_public_key(entry.get("keyValue")), int(expiration) if expiration else None))
    return keys


def claimed_issuer_id(body: Any) -> str | None:
    """The issuer the message names (its objectId's prefix), read unverified only to choose the
    recipient id to verify against: the signature covers the recipient, so a false claim fails."""
    message_text = body.get("signedMessage") if isinstance(body, Mapping) else None
    if not isinstance(message_text, str):
        return None
    try:
        message = json.loads(message_text)
    except ValueError:
        return None
    object_id = message.get("objectId") if isinstance(message, dict) else None
    if not isinstance(object_id, str) or "." not in object_id:
        return None
    return object_id.split(".", 1)[0]


def verify_callback(body: Any, root_keys: Iterable[RootKey], recipient_id: str, now_ms: int) -> CallbackEvent:
    if not isinstance(body, Mapping) or body.get("protocolVersion") != PROTOCOL:
        raise CallbackRejected(f"protocolVersion must be {PROTOCOL}")
    intermediate = body.get("intermediateSigningKey")
    if not isinstance(intermediate, Mapping) or not isinstance(intermediate.get("signedKey"), str):
        raise CallbackRejected("intermediateSigningKey.signedKey is missing")
    signed_key = intermediate["signedKey"]
    signed_key_bytes = signed_bytes(SENDER_ID, PROTOCOL, signed_key)
    valid_roots = [key.public_key for key in root_keys if key.expires_ms is None or key.expires_ms > now_ms]
    signatures = intermediate.get("signatures") or []
    if not any(_verifies(root, signature, signed_key_bytes) for root in valid_roots for signature in signatures):
        raise CallbackRejected("the intermediate signing key is not signed by a current Google root key")
    key = _json_object(signed_key, "signedKey")
    if int(key.get("keyExpiration") or 0) <= now_ms:
        raise CallbackRejected("the intermediate signing key has expired")
    message_text = body.get("signedMessage")
    if not isinstance(message_text, str):
        raise CallbackRejected("signedMessage is missing")
    message_bytes = signed_bytes(SENDER_ID, recipient_id, PROTOCOL, message_text)
    if not _verifies(_public_key(key.get("keyValue")), body.get("signature"), message_bytes):
        raise CallbackRejected("the message signature does not verify")
    return _event(_json_object(message_text, "signedMessage"), now_ms)


def _event(message: Mapping[str, Any], now_ms: int) -> CallbackEvent:
    expires = int(message.get("expTimeMillis") or 0)
    if expires <= now_ms:
        raise CallbackRejected("the message has expired")
    if message.get("eventType") not in EVENT_TYPES or not message.get("nonce") or not message.get("objectId"):
        raise CallbackRejected("the message needs eventType save or del, objectId and nonce")
    return CallbackEvent(class_id=str(message.get("classId") or ""), object_id=str(message["objectId"]),
                         event_type=str(message["eventType"]), nonce=str(message["nonce"]), expires_ms=expires)


def _verifies(key: ec.EllipticCurvePublicKey, signature: Any, data: bytes) -> bool:
    try:
        key.verify(base64.b64decode(str(signature), validate=True), data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def _public_key(value: Any) -> ec.EllipticCurvePublicKey:
    try:
        key = serialization.load_der_public_key(base64.b64decode(str(value), validate=True))
    except (binascii.Error, ValueError) as exc:
        raise CallbackRejected(f"a key is not a base64 DER public key: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise CallbackRejected("a key is not an elliptic curve key")
    return key


def _json_object(text: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise CallbackRejected(f"{name} is not JSON") from None
    if not isinstance(value, dict):
        raise CallbackRejected(f"{name} is not a JSON object")
    return value
