"""Customer downloads. The link carries an unguessable id, not the serial."""

from __future__ import annotations

from flask import Blueprint, Response, abort
from sqlalchemy import select

from walletservice.db import transaction
from walletservice.models import Pass
from walletservice.runtime import runtime
from walletservice.services.bundles import PKPASS_MIMETYPE, pass_bundle

web_blueprint = Blueprint("web", __name__)



def pkpass_path(pass_: Pass) -> str:
    return f"/download/{pass_.download_id}.pkpass"


@web_blueprint.get("/download/<download_id>.pkpass")
def download_pkpass(download_id: str) -> Response:
    with transaction() as session:
        pass_ = session.execute(select(Pass).where(Pass.download_id == download_id)).scalar_one_or_none()
        if pass_ is None:
            abort(404)
        content = pass_bundle(session, pass_, runtime().bundles)
        modified_at = pass_.modified_at
    response = Response(content, mimetype=PKPASS_MIMETYPE)
    response.headers["Content-Disposition"] = "attachment; filename=pass.pkpass"
    response.last_modified = modified_at
    return response
