"""Passworks-compatible integrator API, version 1, under /v1 (deprecated by Passworks;
kept for old integrations). Same services and credentials as /v2, v1's shapes.

Apple's Wallet web service is /wallet/v1, a different prefix: nothing here shadows it.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request
from werkzeug.exceptions import HTTPException

from walletservice.api.auth import caller_organization_id
from walletservice.api.registry import ApiRegistry
from walletservice.api.v2.error_responses import render_domain_error, render_http_error, render_routing_error
from walletservice.errors import DomainError

PREFIX = "/v1"
v1_blueprint = Blueprint("v1", __name__, url_prefix=PREFIX)
v1_blueprint.register_error_handler(DomainError, render_domain_error)
v1_blueprint.register_error_handler(HTTPException, render_http_error)
v1_api = ApiRegistry(v1_blueprint, caller_organization_id)


def render_v1_routing_error(error: HTTPException) -> Response | HTTPException:
    """Unknown paths and methods under /v1 answer JSON too; elsewhere as before."""
    if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
        return render_http_error(error)
    return render_routing_error(error)


def install_v1_routing_error_rendering(app: Flask) -> None:
    """After the v2 one: Flask keeps one handler per status, this one delegates to it."""
    app.register_error_handler(404, render_v1_routing_error)
    app.register_error_handler(405, render_v1_routing_error)


# Registration happens on import; the order is the order of the OpenAPI document.
from walletservice.api.v1 import resources, campaigns, loyalty, document  # noqa: E402,F401,I001
