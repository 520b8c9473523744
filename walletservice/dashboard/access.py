"""Who is signed in to the dashboard, what they may do, and the CSRF token
(docs/dashboard.md, "Sign-in and roles").

The sign-in lives in Flask's signed session cookie (HttpOnly, SameSite=Lax, Secure on
https; walletservice._configure_dashboard_sessions) as the user's id, the user's session
epoch and the time of sign-in. Every request loads the user again: a disabled user, an
epoch moved on (signed out, new password: a copied cookie dies too) or a sign-in older
than SESSION_MAX_SECONDS ends the session.

CSRF: a random token kept in the session, sent back by every form (`csrf_token`) and
every htmx call (the `X-CSRF-Token` header), compared in constant time. SameSite=Lax
already keeps the cookie off cross-site POSTs; the token also covers browsers without
SameSite and same-site attackers (another app on a sibling subdomain).
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any

from flask import abort, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from walletservice.db import transaction
from walletservice.models import DashboardUser
from walletservice.services.dashboard_users import active_user, end_sessions

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# The pages anyone may open: everything else needs a signed-in user.
PUBLIC_ENDPOINTS = {"dashboard.login", "dashboard.static"}
# Role -> may it change anything. Viewers only look.
CAN_CHANGE = {"owner": True, "editor": True, "viewer": False}
SESSION_MAX_SECONDS = 12 * 3600  # a working day: then the password again


def csrf_token() -> str:
    token = session.get(CSRF_FIELD)
    if not token:
        token = session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return str(token)


def _csrf_token_is_valid() -> bool:
    expected = session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
    return bool(expected) and hmac.compare_digest(str(expected).encode(), sent.encode("utf-8", "replace"))


def start_session(user: DashboardUser) -> None:
    """A new session for the user: nothing of the session before sign-in is kept
    (a token planted before sign-in must not outlive it)."""
    session.clear()
    session.update(user_id=user.id, epoch=user.session_epoch, signed_in_at=int(time.time()))
    csrf_token()


def end_session() -> None:
    """Signing out ends every session of the user, not only this browser's copy."""
    user = g.get("dashboard_user")
    if user is not None:
        with transaction() as db_session:
            end_sessions(db_session, user.id)
    session.clear()


def guard_request() -> Response | None:
    """Before every dashboard view: sign-in first, then the CSRF token on a change.

    Not signed in: a page asked for by a browser is sent to the sign-in form, anything
    else (htmx calls, forms posted) is answered 401. Neither holds any data."""
    g.pop("dashboard_user", None)  # an app context outliving a request (tests) must not lend it
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        if request.method not in SAFE_METHODS and request.endpoint is not None and not _csrf_token_is_valid():
            abort(400, "the form has expired: reload the page and try again")
        return None
    g.dashboard_user = _signed_in_user()
    if g.dashboard_user is None:
        if request.method == "GET" and "HX-Request" not in request.headers:
            return redirect(url_for("dashboard.login", next=request.path))
        abort(401)
    if request.method not in SAFE_METHODS and not _csrf_token_is_valid():
        abort(403, "missing or wrong CSRF token")
    return None


def _signed_in_user() -> DashboardUser | None:
    user_id, epoch, signed_in_at = session.get("user_id"), session.get("epoch"), session.get("signed_in_at")
    if not (isinstance(user_id, str) and isinstance(epoch, int) and isinstance(signed_in_at, int)):
        return None
    if not 0 <= time.time() - signed_in_at < SESSION_MAX_SECONDS:
        return None
    with transaction(write=False) as db_session:
        user = active_user(db_session, user_id)
        if user is None or user.session_epoch != epoch:
            return None
        db_session.expunge(user)
        return user


def current_user() -> DashboardUser:
    user: DashboardUser = g.dashboard_user
    return user


def require_change_rights() -> None:
    """The server refuses a viewer's change, whatever the page showed them."""
    if not CAN_CHANGE.get(current_user().role, False):
        abort(403, "viewers cannot change anything")


def require_owner(what: str = "manage API keys") -> None:
    """API keys open the whole organization's API, certificates sign its passes: only
    owners create, revoke or upload them."""
    if current_user().role != "owner":
        abort(403, f"only owners {what}")


def template_context() -> dict[str, Any]:
    user = g.get("dashboard_user")
    return {"csrf_token": csrf_token, "user": user,
            "can_change": bool(user) and CAN_CHANGE.get(user.role, False),
            "is_owner": bool(user) and user.role == "owner"}
