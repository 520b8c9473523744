"""The issuer's service account key file (as Google Cloud downloads it); no google-auth here,
so reading it (for save links) costs the web app nothing more."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_KEY_FIELDS = ("client_email", "private_key", "token_uri")


class ServiceAccountError(ValueError):
    """The service account file is missing, unreadable or lacks a required key."""


@dataclass(frozen=True)
class ServiceAccount:
    client_email: str
    private_key_pem: str
    private_key_id: str | None
    token_uri: str
    info: dict[str, Any]


def load_service_account(path: str | Path) -> ServiceAccount:
    try:
        info = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ServiceAccountError(f"service account file {path}: {exc}") from None
    return parse_service_account(info, f"service account file {path}")


def parse_service_account(info: Any, source: str = "service account") -> ServiceAccount:
    """A service account key as Google Cloud downloads it (already parsed from JSON)."""
    if not isinstance(info, dict):
        raise ServiceAccountError(f"{source}: not a JSON object")
    missing = [key for key in _KEY_FIELDS if not info.get(key) or not isinstance(info[key], str)]
    if missing:
        raise ServiceAccountError(f"{source}: missing {', '.join(missing)}")
    return ServiceAccount(
        client_email=info["client_email"], private_key_pem=info["private_key"],
        private_key_id=info.get("private_key_id"), token_uri=info["token_uri"], info=info,
    )
