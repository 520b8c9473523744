"""Integrator credentials: HTTP Basic `account_id:api_key`, or `Bearer <api_key>`."""

from __future__ import annotations

from flask import request

from walletservice.db import transaction
from walletservice.errors import NotAuthorized
from walletservice.services.organizations import authenticate_api_key


def caller_organization_id(required: bool) -> str | None:
    """The organization whose key came with the request; NotAuthorized if it is bad.

    Without credentials: NotAuthorized when required, else None.
    """
    credentials = _credentials()
    if credentials is None:
        if required:
            raise NotAuthorized("authentication required: HTTP Basic account_id:api_key, or Bearer api_key")
        return None
    account_id, api_key = credentials
    with transaction(write=False) as session:
        return authenticate_api_key(session, api_key, account_id).id


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
