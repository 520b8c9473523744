"""Passworks-compatible integrator API, version 2, under /v2.

Each resource's routes live in their own module and register on `v2_api`.
"""

from __future__ import annotations

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from walletservice.api.auth import caller_organization_id
from walletservice.api.registry import ApiRegistry
from walletservice.api.v2.error_responses import render_domain_error, render_http_error
from walletservice.errors import DomainError

v2_blueprint = Blueprint("v2", __name__, url_prefix="/v2")
v2_blueprint.register_error_handler(DomainError, render_domain_error)
v2_blueprint.register_error_handler(HTTPException, render_http_error)
v2_api = ApiRegistry(v2_blueprint, caller_organization_id)

# Registration happens on import; the order is the order of the OpenAPI document.
from walletservice.api.v2 import ping, assets, certificates, organizations, pushes, campaigns, passes, revisions, redeems, templates, jobs, schedules, webhooks, registrations, reports, document  # noqa: E402,F401,I001,E501
