"""A campaign's own page, /d/<token> (its `page_url` and `distributions`): a new pass for
each visitor at /d/<token>/pass.pkpass, or a redirect to the campaign's remote_form_url
(services.campaign_pages, docs/download-page.md)."""

from __future__ import annotations

from flask import Response, current_app, redirect, render_template, request
from sqlalchemy.orm import Session

from walletservice.db import transaction
from walletservice.models import Campaign
from walletservice.services import campaign_pages
from walletservice.services.download_page import has_page_image, images_page_image
from walletservice.services.passworks_mapping import campaign_setting
from walletservice.web.access import public_visit
from walletservice.web.links import public_url
from walletservice.web.pages import wallet_buttons
from walletservice.web.qr_codes import qr_svg
from walletservice.web.routes import pkpass_path, web_blueprint

NOT_ISSUING = "This campaign issues no passes at the moment."
ALREADY_ISSUED = "A pass was issued to your connection a moment ago. Please try again later."


def _open(session: Session, token: str) -> Campaign:
    return campaign_pages.open_campaign_page(session, current_app.config["WALLET_SECRET_KEY"], token)


@web_blueprint.get("/d/<token>")
def campaign_page(token: str) -> Response:
    with transaction(write=False) as session:
        campaign = _open(session, token)
        remote_form_url = campaign_setting(campaign.settings, "remote_form_url")
        if remote_form_url:  # advanced-features.md: "The redirect is always a GET request"
            return redirect(campaign_pages.remote_form_redirect(remote_form_url, campaign.id), 302)
        has_image = has_page_image(session, campaign.design.get("images") or {})
        message = None if campaign_pages.issues_passes(campaign) else NOT_ISSUING
        title, description = campaign.name, campaign.design.get("description")
    page = public_url(f"/d/{token}")
    links = {"pkpass": f"{page}/pass.pkpass", "preview": f"{page}/preview.png"}
    html = render_template("web/campaign_page.html", title=title, description=description, message=message,
                           has_image=has_image, links=links, buttons=wallet_buttons(links["pkpass"]),
                           qr=qr_svg(page, "QR code of the link to this page"))
    return _uncached(Response(html, mimetype="text/html"))


@web_blueprint.get("/d/<token>/pass.pkpass")
def campaign_pass(token: str) -> Response:
    """A new pass, then its own .pkpass link; a HEAD (link previewers) issues nothing."""
    if request.method != "GET":
        with transaction(write=False) as session:
            _open(session, token)
        return _uncached(Response(status=200))
    with transaction() as session:
        campaign = _open(session, token)
        if not campaign_pages.issues_passes(campaign):
            return _message(campaign.name, NOT_ISSUING, 409)
        issued = campaign_pages.issue_from_page(session, campaign, public_visit())
        if issued is None:
            return _message(campaign.name, ALREADY_ISSUED, 429)
        location = public_url(pkpass_path(issued))
    return _uncached(redirect(location, 303))


@web_blueprint.get("/d/<token>/preview.png")
def campaign_preview(token: str) -> Response:
    with transaction(write=False) as session:
        content = images_page_image(session, _open(session, token).design.get("images") or {})
    response = Response(content, mimetype="image/png")
    response.headers["Cache-Control"] = "no-cache"  # the campaign may change its images at any time
    return response


def _message(title: str, message: str, status: int) -> Response:
    html = render_template("web/campaign_page.html", title=title, description=None, message=message,
                           has_image=False, links={}, qr="")
    return _uncached(Response(html, status=status, mimetype="text/html"))


def _uncached(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"  # each pass download is a new pass
    return response
