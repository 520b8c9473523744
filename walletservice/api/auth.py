"""Integrator credentials: HTTP Basic `account_id:api_key`, or `Bearer <api_key>`.

Credentials on a cross-site browser request are refused (docs/security.md, "Response
headers"): the service sends no CORS headers, so such a request cannot have set its
Authorization itself; it carries what the browser cached after a Basic prompt, sent by
a script of another site or of a sandboxed campaign page. The API reads JSON whatever
the Content-Type, so a text/plain POST (no preflight) would otherwise act for the user.
"""

from __future__ import annotations

from flask import request

from walletservice.db import transaction
from walletservice.errors import NotAuthorized
from walletservice.request_authors import note_api_key
from walletservice.services.organizations import authenticated_key


# Fetch metadata (Sec-Fetch-Site) that browsers send; API clients send none.
CROSS_SITE = frozenset({"cross-site", "same-site"})


def caller_organization_id(required: bool) -> str | None:
    """The organization whose key came with the request; NotAuthorized if it is bad.

    Without credentials: NotAuthorized when required, else None.
    """
    if request.headers.get("Sec-Fetch-Site", "").lower() in CROSS_SITE and request.headers.get("Authorization"):
        raise NotAuthorized("a browser on another site may not use this API's credentials")
    credentials = _credentials()
    if credentials is None:
        if required:
            raise NotAuthorized("authentication required: HTTP Basic account_id:api_key, or Bearer api_key")
        return None
    account_id, api_key = credentials
    return authenticated_organization_id(api_key, account_id)


def authenticated_organization_id(api_key: str, account_id: str | None = None) -> str:
    """The key's organization; the request's pass changes are recorded as the key's."""
    with transaction(write=False) as session:
        key = authenticated_key(session, api_key, account_id)
        note_api_key(key)
        return key.organization_id


def is_browser_request() -> bool:
    """Browsers send fetch metadata with every request; curl and SDKs send none."""
    return "Sec-Fetch-Mode" in request.headers or "Sec-Fetch-Site" in request.headers


def _credentials() -> tuple[str | None, str] | None:
    """(account id or None, api key), or None when no Authorization was sent."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    if request.authorization is not None and request.authorization.type == "basic":
        username = request.authorization.username or ""
        password = request.authorization.password or ""
        if not password:
            raise NotAuthorized("HTTP Basic needs account_id:api_key")
        return username, password
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return None, token.strip()
    raise NotAuthorized("unsupported Authorization; use HTTP Basic account_id:api_key, or Bearer api_key")
