"""GET /docs: a readable page for the OpenAPI documents: /v2 by default,
`/docs?api=v3` for Passcreator's /api/v3 (and `?api=v1`, `?api=wallet` for Apple's web service).

The page is plain HTML that loads Redoc from a CDN in the reader's browser; the
server itself fetches nothing.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

docs_blueprint = Blueprint("api_docs", __name__)

REDOC_SCRIPT = "https://cdn.jsdelivr.net/npm/redoc@2.5.0/bundles/redoc.standalone.js"

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
  <script src="{REDOC_SCRIPT}" crossorigin="anonymous"></script>
</body>
</html>
"""


@docs_blueprint.get("/docs")
def api_docs() -> Response:
    spec = DOCUMENTS.get(request.args.get("api", ""), DOCUMENTS["v2"])
    response = Response(PAGE.replace("{spec}", spec), mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src https://cdn.jsdelivr.net 'unsafe-eval'; "
        "style-src 'unsafe-inline' https://fonts.googleapis.com; font-src https://fonts.gstatic.com; "
        "img-src 'self' data: https:; connect-src 'self'; worker-src blob:"
    )
    return response
