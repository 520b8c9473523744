"""GET /v1/openapi.json: the v1 routes, from the declarations that validate them."""

from __future__ import annotations

from flask import Response, current_app

from walletservice.api.openapi import ApiDescription, build_openapi
from walletservice.api.schemas.common import ErrorObject
from walletservice.api.v1 import v1_api, v1_blueprint
from walletservice.api.v2.responses import PAGINATION_HEADERS

DESCRIPTION = """\
Passworks v1 compatibility (deprecated: use /v2). Same credentials as /v2: HTTP Basic
`account_id:api_key` or `Authorization: Bearer <api_key>`. Errors are
`{"errors": {"field": "message"}}` (docs/passworks-errors.md).
The differences from the v1 documents are listed in docs/v1-compatibility.md."""


def v1_document() -> dict[str, object]:
    return build_openapi(v1_api, ApiDescription(
        title="walletservice integrator API (Passworks v1 compatibility)", version="1",
        description=DESCRIPTION, server_url=current_app.config["WALLET_PUBLIC_URL"],
        url_prefix=v1_blueprint.url_prefix or "", error_model=ErrorObject,
        pagination_headers=PAGINATION_HEADERS,
    ))


@v1_blueprint.get("/openapi.json")
def v1_openapi_document() -> Response:
    return current_app.json.response(v1_document())
