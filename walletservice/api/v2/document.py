"""GET /v2/openapi.json: the API's description, from the same models that validate requests."""

from __future__ import annotations

from flask import Response, current_app

from walletservice.api.openapi import ApiDescription, build_openapi
from walletservice.api.schemas.common import ErrorObject
from walletservice.api.v2 import v2_api, v2_blueprint
from walletservice.api.v2.responses import PAGINATION_HEADERS

DESCRIPTION = """\
Passworks-compatible integrator API. Authenticate with HTTP Basic `account_id:api_key`
(the account id is the organization id) or `Authorization: Bearer <api_key>`.
JSON in and out; errors are `{"errors": {"field": "message"}}` (`base` when no one field is
concerned), and `{"errors": ["message"]}` where a route declares that list (the campaign state
moves), as the Passworks documents show (docs/passworks-errors.md): 400 for a body that cannot
be read, 422 for invalid input, 404 for objects that do not exist or belong to another
organization (412 for DELETE of a campaign), 412 for state conflicts. Collections take `page` and `per_page` (default 25,
at most 50) and answer with X-Total, X-Total-Pages, X-Page, X-Per-Page, X-Next-Page,
X-Prev-Page and X-Offset headers."""


def v2_document() -> dict[str, object]:
    return build_openapi(v2_api, ApiDescription(
        title="walletservice integrator API (Passworks v2)", version="2",
        description=DESCRIPTION, server_url=current_app.config["WALLET_PUBLIC_URL"],
        url_prefix=v2_blueprint.url_prefix or "", error_model=ErrorObject,
        pagination_headers=PAGINATION_HEADERS,
    ))


@v2_blueprint.get("/openapi.json")
def openapi_document() -> Response:
    return current_app.json.response(v2_document())
