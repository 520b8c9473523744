"""Who may see a pass's page, its files and its .pkpass.

Everyone with the link, unless the pass asks for its download PIN
(services.download_pins); then only its owner (API credentials or the signed preview
token) and browsers holding the unlock cookie a correct PIN set.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, current_app, render_template, request
from sqlalchemy.orm import Session

from walletservice.api.auth import caller_organization_id
from walletservice.client_address import request_client_address
from walletservice.errors import DomainError
from walletservice.models import Campaign, Pass
from walletservice.models.base import utcnow
from walletservice.services import download_page as pages
from walletservice.services.download_pins import PinPolicy, is_unlocked, required_pin, unlock_token
from walletservice.services.public_events import PublicVisit
from walletservice.web.links import page_path, pkpass_path

UNLOCK_COOKIE = "wallet_download_unlock"
# The same value in the links of a sandboxed page's files: a document in an opaque
# origin may have its SameSite cookie withheld on its own subresources.
UNLOCK_ARGUMENT = "unlock"


@dataclass(frozen=True)
class PageAccess:
    owner: bool
    pin: str | None  # the PIN the pass asks for; None when it asks for none
    unlocked: bool  # the browser holds a valid unlock cookie (or sent its value)
    owner_token: str  # the preview token, carried by the owner's links when a PIN is asked
    unlock_token: str = ""  # the valid unlock value this request brought

    def file_arguments(self, sandboxed: bool) -> dict[str, str]:
        """Query arguments for the links of the page's own files."""
        if sandboxed and self.unlocked and not self.owner:
            return {UNLOCK_ARGUMENT: self.unlock_token}
        return self.link_arguments

    @property
    def allowed(self) -> bool:
        return self.pin is None or self.owner or self.unlocked

    @property
    def link_arguments(self) -> dict[str, str]:
        """Query arguments for the page's own links. The owner's browser has no unlock
        cookie (and sends no API key for an <img>), so the owner's links carry the token."""
        return {"preview": self.owner_token} if self.pin is not None and self.owner else {}


def caller_organization_id_or_none() -> str | None:
    """The organization whose API credentials came along, if any: never a 401 here,
    since customers send none and bad credentials just mean "not the owner".
    Call it before opening the request's transaction: it runs its own."""
    if not request.headers.get("Authorization"):
        return None
    try:
        return caller_organization_id(False)
    except DomainError:
        return None


def open_pass(session: Session, download_id: str, caller: str | None) -> tuple[Pass, Campaign, PageAccess]:
    """The pass, its campaign and what this request may see of them; NotFound if gone."""
    pass_ = pages.find_pass(session, download_id)
    campaign = pages.campaign_of(session, pass_)
    secret = current_app.config["WALLET_SECRET_KEY"]
    owner = caller == pass_.organization_id or pages.is_preview_token(secret, request.args.get("preview"), pass_)
    pin = required_pin(pass_, campaign)
    unlock = request.cookies.get(UNLOCK_COOKIE) or request.args.get(UNLOCK_ARGUMENT) or ""
    unlocked = pin is not None and is_unlocked(secret, pass_.download_id, pin, unlock, utcnow())
    token = pages.preview_token(secret, pass_) if owner and pin is not None else ""
    return pass_, campaign, PageAccess(owner=owner, pin=pin, unlocked=unlocked, owner_token=token,
                                       unlock_token=unlock if unlocked else "")


def pin_policy() -> PinPolicy:
    config = current_app.config
    return PinPolicy(max_failures=int(config["WALLET_DOWNLOAD_PIN_MAX_FAILURES"]),
                     lock_seconds=int(config["WALLET_DOWNLOAD_PIN_LOCK_SECONDS"]),
                     unlock_seconds=int(config["WALLET_DOWNLOAD_PIN_UNLOCK_SECONDS"]))


def set_unlock_cookies(response: Response, pass_: Pass, pin: str) -> None:
    """One cookie per path that needs it (the page and its files, the .pkpass), so the
    browser sends it nowhere else: not to other passes' pages, not to the API."""
    lifetime = pin_policy().unlock_seconds
    value = unlock_token(current_app.config["WALLET_SECRET_KEY"], pass_.download_id, pin, utcnow(), lifetime)
    secure = str(current_app.config["WALLET_PUBLIC_URL"]).startswith("https://")
    for path in (page_path(pass_), pkpass_path(pass_)):
        response.set_cookie(UNLOCK_COOKIE, value, max_age=lifetime, path=path,
                            secure=secure, httponly=True, samesite="Lax")


def pin_required_response(pass_: Pass) -> Response:
    """403 for a file or the .pkpass of a pass that asks for its PIN: a page linking the form."""
    html = render_template("web/pin_required.html", page_link=page_path(pass_))
    response = Response(html, status=403, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def public_visit() -> PublicVisit:
    """This request as a visit of a public page or file, for the events it records."""
    return PublicVisit(client_address=request_client_address(), user_agent=request.user_agent.string,
                       window_seconds=current_app.config["WALLET_PUBLIC_EVENT_WINDOW_SECONDS"], at=utcnow())
