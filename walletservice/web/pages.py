"""The download page, /p/<download_id>, and what it loads from the same origin.

Everything the page needs is served here: its stylesheet, the pass colors, the image,
the QR code (inline SVG) and the campaign's own CSS and javascript. So the policy can
forbid every other origin and all inline code (docs/download-page.md).
"""

from __future__ import annotations

from flask import Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from walletservice.api.auth import caller_organization_id
from walletservice.db import transaction
from walletservice.errors import DomainError, NotFound
from walletservice.services import download_page as pages
from walletservice.web.qr_codes import qr_svg
from walletservice.web.routes import page_path, pkpass_path, web_blueprint

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
CUSTOM_CODE_TYPES = {"stylesheet": "text/css", "javascript": "text/javascript"}


@web_blueprint.after_request
def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@web_blueprint.get("/p/<download_id>")
def download_page(download_id: str) -> Response:
    caller = _caller_organization_id()
    with transaction() as session:
        pass_ = pages.find_pass(session, download_id)
        campaign = pages.campaign_of(session, pass_)
        owner = caller == pass_.organization_id or pages.is_preview_token(
            current_app.config["WALLET_SECRET_KEY"], request.args.get("preview"), pass_)
        page = pages.build_download_page(session, pass_, campaign)
        if not owner and request.method == "GET":
            pages.record_page_view(session, pass_, request.user_agent.string)
        links = {"page": _public_url(page_path(pass_)), "pkpass": _public_url(pkpass_path(pass_))}
    html = render_template("web/download_page.html", page=page, owner=owner, links=links,
                           qr=qr_svg(links["pkpass"], f"QR code of the link to {page.title}"))
    response = Response(html, mimetype="text/html")
    # Each view is counted and the owner's copy differs: never from a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@web_blueprint.get("/p/<download_id>/pass.css")
def pass_stylesheet(download_id: str) -> Response:
    with transaction(write=False) as session:
        colors = pages.page_colors(pages.find_pass(session, download_id))
    css = render_template("web/pass_colors.css", colors=colors)
    return _uncached(Response(css, mimetype="text/css"))


@web_blueprint.get("/p/<download_id>/image.png")
def pass_image(download_id: str) -> Response:
    with transaction(write=False) as session:
        content = pages.page_image(session, pages.find_pass(session, download_id))
    return _uncached(Response(content, mimetype="image/png"))


@web_blueprint.get("/p/<download_id>/custom.css")
def custom_stylesheet(download_id: str) -> Response:
    return _custom_code(download_id, "stylesheet")


@web_blueprint.get("/p/<download_id>/custom.js")
def custom_javascript(download_id: str) -> Response:
    return _custom_code(download_id, "javascript")


def _custom_code(download_id: str, kind: str) -> Response:
    with transaction(write=False) as session:
        pass_ = pages.find_pass(session, download_id)
        code = pages.custom_code(pages.campaign_of(session, pass_), kind)
    return _uncached(Response(code, mimetype=CUSTOM_CODE_TYPES[kind]))


@web_blueprint.errorhandler(NotFound)
@web_blueprint.errorhandler(404)
def not_found_page(_error: DomainError | HTTPException) -> tuple[str, int]:
    return render_template("web/not_found.html"), 404


def _caller_organization_id() -> str | None:
    """The organization whose API credentials came along, if any: never a 401 here,
    since customers send none and bad credentials just mean "not the owner"."""
    if not request.headers.get("Authorization"):
        return None
    try:
        return caller_organization_id(False)
    except DomainError:
        return None


def _uncached(response: Response) -> Response:
    # The campaign may change its colors or code at any time.
    response.headers["Cache-Control"] = "no-cache"
    return response


def _public_url(path: str) -> str:
    return str(current_app.config["WALLET_PUBLIC_URL"]) + path
