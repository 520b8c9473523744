"""The bundle page, /b/<token>, and its one download, /b/<token>/passes.pkpasses: the
passes of one organization sharing a Passcreator bundleId (services.passcreator.bundles)."""

from __future__ import annotations

from flask import Response, current_app, render_template, request
from sqlalchemy.orm import Session

from walletservice.db import transaction
from walletservice.passkit.pkpasses import PKPASSES_MIMETYPE
from walletservice.runtime import runtime
from walletservice.services.passcreator import bundles
from walletservice.web.access import public_visit
from walletservice.web.links import public_url
from walletservice.web.qr_codes import qr_svg
from walletservice.web.routes import web_blueprint


@web_blueprint.get("/b/<token>")
def bundle_page(token: str) -> Response:
    with transaction() as session:
        bundled = _open_bundle(session, token)
        page = bundles.build_bundle_page(session, bundled)
        if request.method == "GET":  # not HEAD, like the single page
            bundles.record_bundle_view(session, bundled, public_visit())
    page_link = public_url(f"/b/{token}")
    html = render_template("web/bundle_page.html", page=page, file_link=f"{page_link}/passes.pkpasses",
                           qr=qr_svg(page_link, "QR code of the link to this page"))
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"  # each view is counted; passes join and leave
    return response


@web_blueprint.get("/b/<token>/passes.pkpasses")
def bundle_download(token: str) -> Response:
    try:
        with transaction() as session:
            content = bundles.bundle_file(session, _open_bundle(session, token), runtime().bundles,
                                          public_visit() if request.method == "GET" else None)
    except bundles.BundleTooLarge as error:
        html = render_template("web/bundle_too_large.html", message=error.message, page_link=f"/b/{token}")
        return Response(html, status=error.status, mimetype="text/html")
    response = Response(content, mimetype=PKPASSES_MIMETYPE)
    response.headers["Content-Disposition"] = "attachment; filename=passes.pkpasses"
    response.headers["Cache-Control"] = "no-store"  # the passes in it change as the bundle does
    return response


def _open_bundle(session: Session, token: str) -> list[bundles.BundledPass]:
    """NotFound (the HTML 404 page) for a token we did not sign or a bundle without passes."""
    organization_id, bundle_id = bundles.read_bundle_token(current_app.config["WALLET_SECRET_KEY"], token)
    return bundles.bundled_passes(session, organization_id, bundle_id)
