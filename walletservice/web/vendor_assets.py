"""Third-party browser code we serve ourselves, so no page needs a CDN
(docs/vendored-assets.md lists each file, its npm tarball and its sha256).

A blueprint of its own rather than the download pages' `web` one: with
WALLET_PAGES_URL set, those move to the pages origin, while /docs and /dashboard,
which load these files, stay on the API's origin.
"""

from __future__ import annotations

from flask import Blueprint

vendor_blueprint = Blueprint("vendor", __name__, static_folder="static/vendor", static_url_path="/static/vendor")

REDOC_SCRIPT = "/static/vendor/redoc-2.5.0/redoc.standalone.js"
HTMX_SCRIPT = "/static/vendor/htmx-2.0.11/htmx.min.js"
UPLOT_SCRIPT = "/static/vendor/uplot-1.6.32/uPlot.iife.min.js"
UPLOT_STYLESHEET = "/static/vendor/uplot-1.6.32/uPlot.min.css"
