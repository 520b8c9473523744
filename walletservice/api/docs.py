"""GET /docs: a readable page for the OpenAPI documents: /v2 by default,
`/docs?api=v3` for Passcreator's /api/v3 (and `?api=v1`, `?api=wallet` for Apple's web service).

The page is plain HTML that loads the vendored Redoc we serve (web.vendor_assets), so it
renders on a machine with no internet; neither the server nor the page fetches anything
from elsewhere.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from walletservice.web.vendor_assets import REDOC_SCRIPT

docs_blueprint = Blueprint("api_docs", __name__)

# ?api= -> the document shown; the first is the default.
DOCUMENTS = {"v2": "/v2/openapi.json", "v3": "/api/v3/openapi.json", "v1": "/v1/openapi.json",
             "wallet": "/wallet/openapi.json"}
NAV = " | ".join(f'<a href="/docs?api={name}">{name}</a>' for name in DOCUMENTS)

PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>walletservice integrator API</title>
  <style>body {{ margin: 0; }}</style>
</head>
<body>
  <nav style="font: 14px sans-serif; padding: 8px 16px">API: {NAV}</nav>
  <noscript>The API description is at <a href="{{spec}}">{{spec}}</a>.</noscript>
  <redoc spec-url="{{spec}}"></redoc>
  <script src="{REDOC_SCRIPT}"></script>
</body>
</html>
"""


@docs_blueprint.get("/docs")
def api_docs() -> Response:
    spec = DOCUMENTS.get(request.args.get("api", ""), DOCUMENTS["v2"])
    response = Response(PAGE.replace("{spec}", spec), mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; worker-src blob:"
    )
    return response
