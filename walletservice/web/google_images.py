"""Campaign images for Google Wallet, which fetches them by URL: /google/images/<token>.png.

The token is signed with the app secret over (organization id, asset id)
(services.google_sender.image_url), so only images a Google class or object names can
be fetched, and an asset id alone opens nothing.
"""

from __future__ import annotations

from flask import Response, abort, current_app

from walletservice.db import transaction
from walletservice.errors import NotFound
from walletservice.plumbing.signed_values import BadSignature, load_signed
from walletservice.services.assets import get_rendition, rendition_names
from walletservice.services.google_sync import IMAGE_SALT
from walletservice.web.routes import web_blueprint


@web_blueprint.get("/google/images/<token>.png")
def google_image(token: str) -> Response:
    try:
        organization_id, asset_id = load_signed(current_app.config["WALLET_SECRET_KEY"], IMAGE_SALT, token)
    except (BadSignature, ValueError, TypeError):
        abort(404)
    with transaction(write=False) as session:
        names = rendition_names(session, [str(asset_id)]).get(str(asset_id)) or []
        if not names:
            abort(404)
        try:
            # The largest scale (names sort icon.png < icon@2x.png < icon@3x.png): Google scales down.
            content = get_rendition(session, str(organization_id), str(asset_id), names[-1]).content
        except NotFound:
            abort(404)
    response = Response(content, mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"  # renditions never change
    return response
