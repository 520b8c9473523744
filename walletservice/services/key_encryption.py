"""Encryption at rest for private keys, keyed by WALLET_SECRET_KEY."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from walletservice.errors import ConfigurationError

_CONTEXT = b"walletservice private keys v1"


def _fernet(secret_key: str) -> Fernet:
    if not secret_key:
        raise ConfigurationError("WALLET_SECRET_KEY is not set; it is needed to store private keys")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CONTEXT).derive(
        secret_key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_private_key(secret_key: str, private_key_pem: bytes) -> str:
    return _fernet(secret_key).encrypt(private_key_pem).decode("ascii")


def decrypt_private_key(secret_key: str, token: str) -> bytes:
    try:
        return _fernet(secret_key).decrypt(token.encode("ascii"))
    except InvalidToken:
        raise ConfigurationError(
            "a stored private key cannot be decrypted: WALLET_SECRET_KEY changed since it was imported"
        ) from None
