"""The issuer's service account: its key file, OAuth access tokens (google-auth) over httpx.

google-auth builds and signs the JWT assertion and parses the token answer; it asks
for the token through a transport it is given. Ours sends that request with httpx, so
the CA bundle and timeouts are the same as for the REST calls, and `requests` is not needed.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from google.auth import exceptions as auth_exceptions
from google.auth import transport
from google.oauth2 import service_account

WALLET_SCOPE = "https://www.googleapis.com/auth/wallet_object.issuer"
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
    if not isinstance(info, dict):
        raise ServiceAccountError(f"service account file {path}: not a JSON object")
    missing = [key for key in _KEY_FIELDS if not info.get(key)]
    if missing:
        raise ServiceAccountError(f"service account file {path}: missing {', '.join(missing)}")
    return ServiceAccount(
        client_email=info["client_email"], private_key_pem=info["private_key"],
        private_key_id=info.get("private_key_id"), token_uri=info["token_uri"], info=info,
    )


class _HttpxResponse(transport.Response):
    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> dict[str, str]:
        return dict(self._response.headers)

    @property
    def data(self) -> bytes:
        return self._response.content


class HttpxTransport(transport.Request):
    """google-auth's transport interface, carried by our httpx client."""

    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def __call__(self, url: str, method: str = "GET", body: bytes | None = None,
                 headers: dict[str, str] | None = None, timeout: float | None = None,
                 **_kwargs: Any) -> transport.Response:
        try:
            response = self._http.request(method, url, content=body, headers=headers,
                                          timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT)
        except httpx.HTTPError as exc:
            raise auth_exceptions.TransportError(str(exc)) from exc
        return _HttpxResponse(response)


class AccessTokens:
    """Bearer tokens for the Wallet scope, refreshed shortly before they expire; thread-safe."""

    def __init__(self, account: ServiceAccount, http: httpx.Client) -> None:
        self._credentials = service_account.Credentials.from_service_account_info(
            account.info, scopes=[WALLET_SCOPE])
        self._transport = HttpxTransport(http)
        self._lock = threading.Lock()

    def current(self) -> str:
        with self._lock:
            if not self._credentials.valid:
                self._credentials.refresh(self._transport)
            return str(self._credentials.token)
