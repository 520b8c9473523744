"""Service accounts for the stand-in: an RSA key and the JSON file Google Cloud would hand out."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SIM_CLIENT_EMAIL = "wallet@walletservice-sim.iam.gserviceaccount.com"


def write_service_account(path: Path, token_uri: str, *, key_id: str = "sim-key-1",
                          client_email: str = SIM_CLIENT_EMAIL) -> bytes:
    """Write a service account file whose tokens come from `token_uri`; returns its public key PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    info = {
        "type": "service_account", "project_id": "walletservice-sim", "private_key_id": key_id,
        "private_key": private_pem, "client_email": client_email, "client_id": "1",
        "token_uri": token_uri,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(info, indent=2))
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_of(path: Path) -> bytes:
    """The public key PEM of a service account file (to let the stand-in verify its assertions)."""
    info = json.loads(path.read_text())
    key = serialization.load_pem_private_key(info["private_key"].encode(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
