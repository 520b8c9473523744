"""Passcreator-compatible pass API under /api/v3 (passcreator-v3-passes.md).

Same API keys as /v2, sent as Passcreator does (`Authorization: <api key>`); every
answer, errors included, is Passcreator's envelope (api/v3/envelope.py).
"""

from __future__ import annotations

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from walletservice.api.registry import ApiRegistry
from walletservice.api.v3.credentials import caller_organization_id
from walletservice.api.v3.envelope import PREFIX, render_domain_error, render_http_error
from walletservice.errors import DomainError

v3_blueprint = Blueprint("v3", __name__, url_prefix=PREFIX)
v3_blueprint.register_error_handler(DomainError, render_domain_error)
v3_blueprint.register_error_handler(HTTPException, render_http_error)
v3_api = ApiRegistry(v3_blueprint, caller_organization_id)

# Registration happens on import; the order is the order of the OpenAPI document.
from walletservice.api.v3 import passes, revisions, bulk, segments, document  # noqa: E402,F401,I001
