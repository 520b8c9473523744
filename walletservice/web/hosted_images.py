"""Upcoming-event images for Wallet: /assets/<asset id>/<sha256>.png (services.upcoming_images).

Wallet fetches them without credentials. The path names the SHA-256 of the bytes it
serves, so an asset id alone opens nothing, and the answer never changes: it is cached
as immutable.
"""

from __future__ import annotations

import hashlib

from flask import Response, abort
from sqlalchemy import select

from walletservice.db import transaction
from walletservice.models import AssetRendition
from walletservice.web.routes import web_blueprint

IMMUTABLE = "public, max-age=31536000, immutable"


@web_blueprint.get("/assets/<uuid:asset_id>/<sha256>.png")
def hosted_image(asset_id: object, sha256: str) -> Response:
    if len(sha256) != 64:
        abort(404)
    with transaction(write=False) as session:
        renditions = session.scalars(
            select(AssetRendition.content).where(AssetRendition.asset_id == str(asset_id))
        ).all()
    # At most three small PNGs per asset: hashing them is cheaper than storing a hash column.
    content = next((data for data in renditions if hashlib.sha256(data).hexdigest() == sha256), None)
    if content is None:
        abort(404)
    response = Response(content, mimetype="image/png")
    response.headers["Cache-Control"] = IMMUTABLE
    response.set_etag(sha256)
    return response
