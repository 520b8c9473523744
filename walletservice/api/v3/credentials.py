"""v3 credentials: the raw key in Authorization (Passcreator); the v2 forms work too."""

from __future__ import annotations

from flask import request

from walletservice.api import auth as v2_auth
from walletservice.errors import NotAuthorized

V2_SCHEMES = ("basic ", "bearer ")


def caller_organization_id(required: bool) -> str | None:
    header = request.headers.get("Authorization", "").strip()
    if not header:
        if required:
            raise NotAuthorized("authentication required: send your API key in the Authorization header")
        return None
    if header.lower().startswith(V2_SCHEMES):
        return v2_auth.caller_organization_id(required)
    return v2_auth.authenticated_organization_id(header)
