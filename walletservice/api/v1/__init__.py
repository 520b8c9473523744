"""Passworks-compatible integrator API, version 1, under /v1 (deprecated by Passworks;
kept for old integrations). Same services and credentials as /v2, v1's shapes.

Apple's Wallet web service is /wallet/v1, a different prefix: nothing here shadows it.
"""

from __future__ import annotations

from flask import Blueprint

from walletservice.api.auth import caller_organization_id
from walletservice.api.registry import ApiRegistry

# Errors answer in Passworks' shape, as under /v2 (walletservice/error_renderers.py).
v1_blueprint = Blueprint("v1", __name__, url_prefix="/v1")
v1_api = ApiRegistry(v1_blueprint, caller_organization_id)


# Registration happens on import; the order is the order of the OpenAPI document.
from walletservice.api.v1 import resources, campaigns, loyalty, document  # noqa: E402,F401,I001
