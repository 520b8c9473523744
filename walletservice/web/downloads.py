"""The customer's .pkpass link, /download/<download_id>.pkpass."""

from __future__ import annotations

from flask import Response, request

from walletservice.db import transaction
from walletservice.runtime import runtime
from walletservice.services.bundles import PKPASS_MIMETYPE, pass_bundle
from walletservice.services.download_page import record_download
from walletservice.web.access import caller_organization_id_or_none, open_pass, pin_required_response, public_visit
from walletservice.web.routes import web_blueprint


@web_blueprint.get("/download/<download_id>.pkpass")
def download_pkpass(download_id: str) -> Response:
    caller = caller_organization_id_or_none()
    with transaction() as session:
        pass_, _campaign, access = open_pass(session, download_id, caller)
        if not access.allowed:
            return pin_required_response(pass_)
        content = pass_bundle(session, pass_, runtime().bundles)
        if request.method == "GET":  # a HEAD (link previewers, scanners) is no download
            record_download(session, pass_, public_visit())
        modified_at = pass_.modified_at
    response = Response(content, mimetype=PKPASS_MIMETYPE)
    response.headers["Content-Disposition"] = "attachment; filename=pass.pkpass"
    response.last_modified = modified_at
    if access.pin is not None:
        # Unlocked by a cookie or the owner's token: no shared cache may keep it for the next person.
        response.headers["Cache-Control"] = "private, no-store"
    return response
