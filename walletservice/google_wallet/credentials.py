"""OAuth access tokens of the issuer's service account (google-auth), asked for over httpx.

google-auth builds and signs the JWT assertion and parses the token answer; it asks
for the token through a transport it is given. Ours sends that request with httpx, so
the CA bundle and timeouts are the same as for the REST calls, and `requests` is not needed.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx
from google.auth import exceptions as auth_exceptions
from google.auth import transport
from google.oauth2 import service_account

from .accounts import ServiceAccount

WALLET_SCOPE = "https://www.googleapis.com/auth/wallet_object.issuer"


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
