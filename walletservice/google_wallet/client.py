"""The walletobjects v1 REST subset we use: get, insert and patch of classes and objects.

Paths follow Google's REST reference (`/walletobjects/v1/loyaltyClass/{resourceId}`...).
Every failure is a GoogleApiError that says whether asking again may help (429, 5xx,
connection errors and token endpoint hiccups) so the caller's retry policy decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from google.auth import exceptions as auth_exceptions

from .credentials import AccessTokens
from .pacing import Pacer, RequestPacer

API_PATH = "/walletobjects/v1"
RESOURCE_KINDS = ("Class", "Object")


class GoogleApiError(Exception):
    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


def is_retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


@dataclass(frozen=True)
class Resource:
    """One class or object: `google_type` is e.g. "loyalty", `kind` "Class" or "Object"."""

    google_type: str
    kind: str
    resource_id: str

    @property
    def collection(self) -> str:
        return f"{self.google_type}{self.kind}"


class WalletObjectsClient:
    """Calls through one httpx client (connection reuse, the configured CA bundle)."""

    def __init__(self, api_url: str, tokens: AccessTokens, http: httpx.Client,
                 pacer: Pacer | None = None) -> None:
        self._base = api_url.rstrip("/") + API_PATH
        self._tokens = tokens
        self._http = http
        self._pacer: Pacer = pacer or RequestPacer(0)

    def get(self, resource: Resource) -> dict[str, Any] | None:
        """The stored resource, None when Google has none by that id."""
        return self._call("GET", f"{resource.collection}/{quote(resource.resource_id, safe='')}", missing_ok=True)

    def insert(self, resource: Resource, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", resource.collection, {**body, "id": resource.resource_id}) or {}

    def patch(self, resource: Resource, body: dict[str, Any]) -> dict[str, Any]:
        path = f"{resource.collection}/{quote(resource.resource_id, safe='')}"
        return self._call("PATCH", path, {**body, "id": resource.resource_id}) or {}

    def add_message(self, resource: Resource, body: dict[str, Any]) -> dict[str, Any]:
        path = f"{resource.collection}/{quote(resource.resource_id, safe='')}/addMessage"
        return self._call("POST", path, body) or {}

    def upsert(self, resource: Resource, body: dict[str, Any], *, probably_exists: bool = False) -> str:
        """Insert when missing, else patch; answers "inserted" or "patched". probably_exists:
        patch first and insert only on 404 (one request instead of two for known resources)."""
        if probably_exists:
            try:
                self.patch(resource, body)
                return "patched"
            except GoogleApiError as exc:
                if exc.status != 404:
                    raise
        elif self.get(resource) is not None:
            self.patch(resource, body)
            return "patched"
        self.insert(resource, body)
        return "inserted"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None,
              *, missing_ok: bool = False) -> dict[str, Any] | None:
        self._pacer.wait()
        try:
            headers = {"Authorization": f"Bearer {self._tokens.current()}"}
            response = self._http.request(method, f"{self._base}/{path}", json=body, headers=headers)
        except auth_exceptions.RefreshError as exc:
            raise GoogleApiError(f"access token: {exc}", retryable=bool(getattr(exc, "retryable", False))) from exc
        except (auth_exceptions.TransportError, httpx.HTTPError) as exc:
            raise GoogleApiError(f"{method} {path}: {exc}", retryable=True) from exc
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise GoogleApiError(f"{method} {path}: {response.status_code} {_error_message(response)}",
                                 status=response.status_code, retryable=is_retryable_status(response.status_code))
        return response.json() if response.content else None


def _error_message(response: httpx.Response) -> str:
    """Google answers {"error": {"code", "message", "status"}}; anything else is shown short."""
    try:
        return str(response.json()["error"]["message"])[:300]
    except (ValueError, KeyError, TypeError):
        return response.text[:300]
