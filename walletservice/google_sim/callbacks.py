"""Callbacks as Google would sign them (ECv2SigningOnly), for tests and demos of POST /google/callbacks:
a root key (publish `keys_document()` at the callback keys URL) and an intermediate key it signed."""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from walletservice.google_wallet.callbacks import PROTOCOL, SENDER_ID, signed_bytes


def _b64_public(key: ec.EllipticCurvePrivateKey) -> str:
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def _sign(key: ec.EllipticCurvePrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data, ec.ECDSA(hashes.SHA256()))).decode()


class CallbackSigner:
    def __init__(self, recipient_id: str, *, intermediate_lifetime_ms: int = 86_400_000) -> None:
        self.recipient_id = recipient_id
        self.root = ec.generate_private_key(ec.SECP256R1())
        self.intermediate = ec.generate_private_key(ec.SECP256R1())
        self._intermediate_expires = int(time.time() * 1000) + intermediate_lifetime_ms

    def keys_document(self) -> dict[str, Any]:
        return {"keys": [{"keyValue": _b64_public(self.root), "protocolVersion": PROTOCOL}]}

    def callback(self, object_id: str, event_type: str = "save", *, class_id: str = "", nonce: str | None = None,
                 expires_in_ms: int = 60_000) -> dict[str, Any]:
        signed_key = json.dumps({"keyValue": _b64_public(self.intermediate),
                                 "keyExpiration": str(self._intermediate_expires)})
        message = json.dumps({"classId": class_id, "objectId": object_id, "eventType": event_type,
                              "expTimeMillis": int(time.time() * 1000) + expires_in_ms, "count": 1,
                              "nonce": nonce or secrets.token_hex(16)})
        return {
            "signature": _sign(self.intermediate, signed_bytes(SENDER_ID, self.recipient_id, PROTOCOL, message)),
            "intermediateSigningKey": {
                "signedKey": signed_key,
                "signatures": [_sign(self.root, signed_bytes(SENDER_ID, PROTOCOL, signed_key))],
            },
            "protocolVersion": PROTOCOL,
            "signedMessage": message,
        }
