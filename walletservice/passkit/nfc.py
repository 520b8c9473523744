"""`nfc`: the Value Added Services payload a pass hands an NFC reader (Apple's "Pass.NFC").

Apple: `message` (required) is at most 64 bytes, longer ones are silently truncated by
the device, so they are refused here; `encryptionPublicKey` (required) is the Base64 of
an X.509 SubjectPublicKeyInfo holding an ECDH public key on P-256; `requiresAuthentication`
(iOS 13.1) makes the holder authenticate for each use, and Apple asks for
`sharingProhibited` beside it so a shared copy on an older iOS cannot skip that.
Wallet only sends the payload when the signing certificate carries Apple's NFC
entitlement (docs/pass-format.md, "NFC").
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .problems import Problems, describe

NFC_KEYS = ("message", "encryptionPublicKey", "requiresAuthentication")
NFC_MESSAGE_MAX_BYTES = 64

__all__ = ["NFC_KEYS", "NFC_MESSAGE_MAX_BYTES", "asks_for_authentication", "check_nfc", "nfc_public_key",
           "reject_unknown_nfc_keys"]


def nfc_public_key(public_key: ec.EllipticCurvePublicKey) -> str:
    """The form Apple asks for: Base64 of the key's X.509 SubjectPublicKeyInfo (DER)."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def reject_unknown_nfc_keys(nfc: Any, problems: Problems) -> None:
    """In a design a misspelt key (requireAuthentication) would silently drop the rule it sets."""
    if isinstance(nfc, Mapping):
        for key in nfc:
            if key not in NFC_KEYS:
                problems.unknown_key("nfc", str(key), NFC_KEYS)


def asks_for_authentication(nfc: Any) -> bool:
    return isinstance(nfc, Mapping) and nfc.get("requiresAuthentication") is True


def check_nfc(nfc: Any, problems: Problems) -> None:
    if nfc is None:
        return
    if not isinstance(nfc, Mapping):
        problems.add("nfc", "must be an object with message and encryptionPublicKey")
        return
    message = nfc.get("message")
    if message is None:
        problems.missing("nfc.message")
    elif not isinstance(message, str) or not message:
        problems.add("nfc.message", "must be a non-empty string")
    else:
        _check_message_size(message, problems)
    key = nfc.get("encryptionPublicKey")
    if key is None:
        problems.missing("nfc.encryptionPublicKey", "(Base64 of a P-256 SubjectPublicKeyInfo)")
    else:
        reason = _p256_key_problem(key)
        if reason:
            problems.add("nfc.encryptionPublicKey", reason)
    if "requiresAuthentication" in nfc and not isinstance(nfc["requiresAuthentication"], bool):
        problems.add("nfc.requiresAuthentication", "must be true or false")


def _check_message_size(message: str, problems: Problems) -> None:
    try:
        size = len(message.encode("utf-8"))
    except UnicodeEncodeError:
        problems.add("nfc.message", "must be valid Unicode text (it holds a lone surrogate)")
        return
    if size > NFC_MESSAGE_MAX_BYTES:
        # The device would cut it silently; a reader would then get a different payload.
        problems.add("nfc.message", f"must be at most {NFC_MESSAGE_MAX_BYTES} bytes")


def _p256_key_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"{describe(value)} must be a Base64 string"
    try:
        der = base64.b64decode(value, validate=True)
        key = serialization.load_der_public_key(der)
    except (binascii.Error, ValueError, UnsupportedAlgorithm):
        return "must be the Base64 of an X.509 SubjectPublicKeyInfo (DER), as `nfc-key create` prints"
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        return "must be an elliptic-curve key on P-256 (secp256r1)"
    return None
