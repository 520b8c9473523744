"""GET /v2/ping: is the API up, and are these credentials good."""

from __future__ import annotations

from flask import Response
from pydantic import BaseModel, Field

from walletservice.api.registry import Auth
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import json_response


class PingResponse(BaseModel):
    ping: str = "pong"
    authenticated: bool = Field(description="Whether valid credentials came with the request.")


@v2_api.route(
    "GET", "/ping", summary="Check the API (and the credentials, when sent)", tag="Ping",
    auth=Auth.OPTIONAL, responses={200: PingResponse},
    description="Answers without credentials too (Passworks' rate-limit example calls it bare); "
                "credentials that are sent must be valid, or the answer is 401.",
)
def ping(organization_id: str | None) -> Response:
    return json_response(PingResponse(authenticated=organization_id is not None))
