"""The download page, /p/<download_id>, what it loads from the same origin, and the
download PIN form that stands in for it when the pass asks for its PIN.

Everything the page needs is served here: its stylesheet, the pass colors, the image,
the QR code (inline SVG) and the campaign's own CSS and javascript. So the policy can
forbid every other origin and all inline code (docs/download-page.md).
"""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for

from walletservice.db import transaction
from walletservice.models import Campaign, Pass
from walletservice.models.base import utcnow
from walletservice.services import download_page as pages
from walletservice.services.download_pins import PinAttempt, attempt_pin, required_pin, seconds_locked
from walletservice.web.access import (
    PageAccess,
    caller_organization_id_or_none,
    open_pass,
    pin_policy,
    pin_required_response,
    public_visit,
    set_unlock_cookies,
)
from walletservice.web.links import google_save_url, page_path, pkpass_path, public_url
from walletservice.web.origins import SANDBOX, needs_sandbox
from walletservice.web.qr_codes import qr_svg
from walletservice.web.routes import web_blueprint

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# A page with the campaign's code on the API's origin (walletservice.web.origins).
SANDBOXED_CONTENT_SECURITY_POLICY = f"{CONTENT_SECURITY_POLICY}; {SANDBOX}"
# The PIN form's responses only: it posts to its own origin, every other page posts nowhere.
PIN_FORM_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("form-action 'none'", "form-action 'self'")
CUSTOM_CODE_TYPES = {"stylesheet": "text/css", "javascript": "text/javascript"}
PIN_MESSAGES = {
    "empty": "Enter the PIN.",
    "wrong": "That PIN is not right. {remaining} more wrong PIN(s) and this form locks for a while.",
    "now_locked": "That PIN is not right. Too many wrong PINs: try again in {minutes} minute(s).",
    "locked": "Too many wrong PINs: try again in {minutes} minute(s).",
}


@web_blueprint.after_request
def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)  # nosniff: the app's
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@web_blueprint.get("/p/<download_id>")
def download_page(download_id: str) -> Response:
    caller = caller_organization_id_or_none()
    with transaction() as session:
        pass_, campaign, access = open_pass(session, download_id, caller)
        if not access.allowed:  # say so at once when the form is locked, not after typing a PIN
            locked = seconds_locked(session, pass_.id, utcnow())
            return _pin_form(pass_, campaign, _locked_message(locked) if locked else None)
        page = pages.build_download_page(session, pass_, campaign)
        if not access.owner and request.method == "GET":
            pages.record_page_view(session, pass_, public_visit())
        sandboxed = needs_sandbox(page.has_stylesheet or page.has_javascript)
        links, files = _links(pass_, access), _files(pass_, access, sandboxed)
        google = google_save_url(pass_, campaign)  # past the PIN check: this visitor may have the pass
    # With a PIN, a phone that scans the code has no unlock cookie: it gets the page (and the form).
    qr_target = links["page"] if access.pin is not None else links["pkpass"]
    html = render_template("web/download_page.html", page=page, owner=access.owner, links=links, files=files,
                           pin_required=access.pin is not None, buttons=wallet_buttons(links["pkpass"], google),
                           qr=qr_svg(qr_target, f"QR code of the link to {page.title}"))
    response = Response(html, mimetype="text/html")
    if sandboxed:  # the campaign's code must not run in the API's origin (web.origins)
        response.headers["Content-Security-Policy"] = SANDBOXED_CONTENT_SECURITY_POLICY
    # Each view is counted and the owner's copy differs: never from a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@web_blueprint.post("/p/<download_id>/pin")
def unlock_with_pin(download_id: str) -> Response:
    submitted = request.form.get("pin", "")
    with transaction() as session:
        pass_ = pages.find_pass(session, download_id)
        campaign = pages.campaign_of(session, pass_)
        pin = required_pin(pass_, campaign)
        if pin is None:  # nothing to unlock (any more): the page shows the pass
            return redirect(page_path(pass_), 303)
        if submitted == "":
            return _pin_form(pass_, campaign, PIN_MESSAGES["empty"], 400)
        attempt = attempt_pin(session, pass_.id, pin, submitted, pin_policy(), utcnow())
        if attempt.outcome != "correct":
            return _refused_pin(pass_, campaign, attempt)
        response = redirect(page_path(pass_), 303)
        set_unlock_cookies(response, pass_, pin)
        return response


def _locked_message(seconds: int, key: str = "locked") -> str:
    return PIN_MESSAGES[key].format(minutes=-(-seconds // 60))


def _refused_pin(pass_: Pass, campaign: Campaign, attempt: PinAttempt) -> Response:
    if attempt.outcome == "locked":
        response = _pin_form(pass_, campaign, _locked_message(attempt.retry_after), 429)
    elif attempt.retry_after:
        response = _pin_form(pass_, campaign, _locked_message(attempt.retry_after, "now_locked"), 403)
    else:
        response = _pin_form(pass_, campaign, PIN_MESSAGES["wrong"].format(remaining=attempt.remaining), 403)
    if attempt.retry_after:
        response.headers["Retry-After"] = str(attempt.retry_after)
    return response


def _pin_form(pass_: Pass, campaign: Campaign, error: str | None = None, status: int = 200) -> Response:
    """The form alone: nothing of the pass (no fields, image, QR code, link or og tags)."""
    html = render_template("web/pin_form.html", title=campaign.name, error=error,
                           action=url_for("web.unlock_with_pin", download_id=pass_.download_id))
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PIN_FORM_CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response


@web_blueprint.get("/p/<download_id>/pass.css")
def pass_stylesheet(download_id: str) -> Response:
    caller = caller_organization_id_or_none()
    with transaction(write=False) as session:
        pass_, _campaign, access = open_pass(session, download_id, caller)
        if not access.allowed:
            return pin_required_response(pass_)
        colors = pages.page_colors(pass_)
    css = render_template("web/pass_colors.css", colors=colors)
    return _uncached(Response(css, mimetype="text/css"), access)


@web_blueprint.get("/p/<download_id>/image.png")
def pass_image(download_id: str) -> Response:
    caller = caller_organization_id_or_none()
    with transaction(write=False) as session:
        pass_, _campaign, access = open_pass(session, download_id, caller)
        if not access.allowed:
            return pin_required_response(pass_)
        content = pages.page_image(session, pass_)
    return _uncached(Response(content, mimetype="image/png"), access)


@web_blueprint.get("/p/<download_id>/custom.css")
def custom_stylesheet(download_id: str) -> Response:
    return _custom_code(download_id, "stylesheet")


@web_blueprint.get("/p/<download_id>/custom.js")
def custom_javascript(download_id: str) -> Response:
    return _custom_code(download_id, "javascript")


def _custom_code(download_id: str, kind: str) -> Response:
    caller = caller_organization_id_or_none()
    with transaction(write=False) as session:
        pass_, campaign, access = open_pass(session, download_id, caller)
        if not access.allowed:
            return pin_required_response(pass_)
        code = pages.custom_code(campaign, kind)
    return _uncached(Response(code, mimetype=CUSTOM_CODE_TYPES[kind]), access)


def wallet_buttons(pkpass_url: str, google_url: str | None = None) -> list[dict[str, str]]:
    """The Add buttons, Google's first for Android browsers (the one their owners can use)."""
    apple = {"id": "add-to-wallet", "href": pkpass_url, "type": "application/vnd.apple.pkpass",
             "text": "Add to Apple Wallet"}
    if google_url is None:
        return [apple]
    google = {"id": "add-to-google-wallet", "href": google_url, "type": "", "text": "Add to Google Wallet"}
    android = "android" in (request.user_agent.string or "").lower()
    return [google, apple] if android else [apple, google]


def _links(pass_: Pass, access: PageAccess) -> dict[str, str]:
    """The page (og:url, the QR code with a PIN) and the Add button's .pkpass."""
    token = access.link_arguments.get("preview")
    pkpass = public_url(pkpass_path(pass_)) + (f"?preview={token}" if token else "")
    return {"page": public_url(page_path(pass_)), "pkpass": pkpass}


def _files(pass_: Pass, access: PageAccess, sandboxed: bool) -> dict[str, str]:
    """The page's own files; the owner's carry the preview token when a PIN is asked,
    an unlocked visitor's the unlock value when the page is sandboxed."""
    arguments = {"download_id": pass_.download_id, **access.file_arguments(sandboxed)}
    return {name: url_for(f"web.{endpoint}", **arguments) for name, endpoint in (
        ("colors", "pass_stylesheet"), ("image", "pass_image"),
        ("stylesheet", "custom_stylesheet"), ("javascript", "custom_javascript"))}


def _uncached(response: Response, access: PageAccess) -> Response:
    # The campaign may change its colors or code at any time; behind a PIN, no shared
    # cache may hand the files to someone without the cookie.
    response.headers["Cache-Control"] = "private, no-cache" if access.pin is not None else "no-cache"
    return response

