"""Which origin serves what (docs/security.md, "Tenant pages and origins").

The download pages may run a campaign's own JavaScript. On the API's origin that code
could use whatever the browser holds for the API (cached HTTP Basic credentials,
same-origin reads), so either the pages live on an origin of their own
(WALLET_PAGES_URL) or a page with campaign code is sandboxed into an opaque origin.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, current_app, redirect, request

from walletservice.web.routes import web_blueprint

# No allow-same-origin: the page's scripts run in an opaque origin, so they read no
# cookie or storage of the service and every request they make is cross-origin.
SANDBOX = "sandbox allow-scripts allow-popups allow-popups-to-escape-sandbox allow-downloads"


def needs_sandbox(has_campaign_code: bool) -> bool:
    """A page with the campaign's CSS or JavaScript, served on the API's origin."""
    return has_campaign_code and not current_app.config["WALLET_PAGES_URL"]


def keep_pages_on_their_origin() -> Response | None:
    """Called before every request when WALLET_PAGES_URL is set (application.WalletApp): pages move there (308 keeps the method), and that origin
    answers nothing else, so a campaign's script there never reaches the API."""
    pages_url = current_app.config["WALLET_PAGES_URL"]
    if not pages_url:
        return None
    on_pages_origin = request.host.lower() == urlsplit(pages_url).netloc.lower()
    is_page = request.blueprint == web_blueprint.name
    if is_page and not on_pages_origin:
        query = request.query_string.decode("latin-1")
        return redirect(pages_url + request.path + (f"?{query}" if query else ""), 308)
    if on_pages_origin and not is_page:
        return Response("not found\n", status=404, mimetype="text/plain")
    return None
