"""Customer downloads. The link carries an unguessable id, not the serial."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from walletservice.db import transaction
from walletservice.models import Pass
from walletservice.runtime import runtime
from walletservice.services.bundles import PKPASS_MIMETYPE, pass_bundle
from walletservice.services.download_page import find_pass, preview_token, record_download

web_blueprint = Blueprint("web", __name__, template_folder="templates",
                          static_folder="static", static_url_path="/static/web")


def pkpass_path(pass_: Pass) -> str:
    return f"/download/{pass_.download_id}.pkpass"


def page_path(pass_: Pass) -> str:
    """The download page (Passworks' `page_url`); see walletservice.web.pages."""
    return f"/p/{pass_.download_id}"


def preview_url(pass_: Pass) -> str:
    """The page with the owner's notes; the token is signed with the app secret."""
    token = preview_token(current_app.config["WALLET_SECRET_KEY"], pass_)
    return f"{current_app.config['WALLET_PUBLIC_URL']}{page_path(pass_)}?preview={token}"


@web_blueprint.get("/download/<download_id>.pkpass")
def download_pkpass(download_id: str) -> Response:
    with transaction() as session:
        pass_ = find_pass(session, download_id)
        content = pass_bundle(session, pass_, runtime().bundles)
        record_download(session, pass_, request.user_agent.string)
        modified_at = pass_.modified_at
    response = Response(content, mimetype=PKPASS_MIMETYPE)
    response.headers["Content-Disposition"] = "attachment; filename=pass.pkpass"
    response.last_modified = modified_at
    return response


# Registration happens on import.
from walletservice.web import pages  # noqa: E402,F401
