"""GET /docs: a readable page for /v2/openapi.json.

The page is plain HTML that loads Redoc from a CDN in the reader's browser; the
server itself fetches nothing.
"""

from __future__ import annotations

from flask import Blueprint, Response

docs_blueprint = Blueprint("api_docs", __name__)

REDOC_SCRIPT = "https://cdn.jsdelivr.net/npm/redoc@2.5.0/bundles/redoc.standalone.js"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>walletservice integrator API</title>
  <style>body {{ margin: 0; }}</style>
</head>
<body>
  <noscript>The API description is at <a href="/v2/openapi.json">/v2/openapi.json</a>.</noscript>
  <redoc spec-url="/v2/openapi.json"></redoc>
  <script src="{REDOC_SCRIPT}" crossorigin="anonymous"></script>
</body>
</html>
"""


@docs_blueprint.get("/docs")
def api_docs() -> Response:
    response = Response(PAGE, mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src https://cdn.jsdelivr.net 'unsafe-eval'; "
        "style-src 'unsafe-inline' https://fonts.googleapis.com; font-src https://fonts.gstatic.com; "
        "img-src 'self' data: https:; connect-src 'self'; worker-src blob:"
    )
    return response
