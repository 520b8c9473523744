"""GET /api/v3/openapi.json, from the same declarations that validate v3 requests."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from walletservice.api.openapi import ApiDescription, build_openapi
from walletservice.api.schemas.v3 import V3ErrorEnvelope
from walletservice.api.v3 import v3_api, v3_blueprint

DESCRIPTION = """\
Passcreator-compatible pass API (v3). Send your API key as `Authorization: <api key>` (the v2
forms, HTTP Basic and Bearer, work too). Every answer is the envelope `{success, description,
errors, data, statusCode, count}`; invalid requests answer 400, unknown objects 404 with
`errors: ["Object not found"]`. A template is a campaign; additional properties are its dynamic
fields, by id (key) or name (label)."""
API_KEY_SCHEME = {"apiKey": {"type": "apiKey", "in": "header", "name": "Authorization",
                             "description": "The API key itself, without a scheme."}}


def v3_document() -> dict[str, Any]:
    document = build_openapi(v3_api, ApiDescription(
        title="walletservice pass API (Passcreator v3)", version="3", description=DESCRIPTION,
        server_url=current_app.config["WALLET_PUBLIC_URL"], url_prefix=v3_blueprint.url_prefix or "",
        error_model=V3ErrorEnvelope, pagination_headers={},
    ))
    document["components"]["securitySchemes"] = API_KEY_SCHEME
    for operations in document["paths"].values():
        for operation in operations.values():
            operation["security"] = [{"apiKey": []}]
            # The registry documents 422 for invalid input; v3 answers 400 instead.
            responses = operation["responses"]
            if "422" in responses:
                responses.setdefault("400", responses["422"])
                del responses["422"]
            # ...but a reused Idempotency-Key is 422 here too (errors.IdempotencyKeyReused).
            if any(parameter["name"] == "Idempotency-Key" for parameter in operation["parameters"]):
                responses["422"] = {**responses["400"], "description": "Idempotency-Key used with another request"}
    return document


@v3_blueprint.get("/openapi.json")
def openapi_document() -> Response:
    return current_app.json.response(v3_document())
