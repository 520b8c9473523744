"""The customer-facing blueprint and the links the APIs answer (walletservice.web.links).

The link carries an unguessable id, not the serial. Routes live in `pages` (the page,
its files and the PIN form), `downloads` (the .pkpass) and `bundles` (a bundleId's page
and .pkpasses), registered on import below.
"""

from __future__ import annotations

from flask import Blueprint

from walletservice.web.links import page_path, pkpass_path, preview_url

__all__ = ["page_path", "pkpass_path", "preview_url", "web_blueprint"]

web_blueprint = Blueprint("web", __name__, template_folder="templates",
                          static_folder="static", static_url_path="/static/web")

# Registration happens on import; these import the APIs' auth, which imports the links above.
from walletservice.web import bundles, campaign_pages, downloads, google_images, hosted_images, pages  # noqa: E402,F401,I001
