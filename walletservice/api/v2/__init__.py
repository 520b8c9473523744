"""Passworks-compatible integrator API, version 2, under /v2.

Each resource's routes live in their own module and register on `v2_api`.
"""

from __future__ import annotations

from flask import Blueprint

from walletservice.api.auth import caller_organization_id
from walletservice.api.registry import ApiRegistry

# Errors answer in Passworks' shape (api/v2/error_responses.py, walletservice/error_renderers.py).
v2_blueprint = Blueprint("v2", __name__, url_prefix="/v2")
v2_api = ApiRegistry(v2_blueprint, caller_organization_id)

# Registration happens on import; the order is the order of the OpenAPI document.
from walletservice.api.v2 import ping, assets, certificates, organizations, pushes, campaigns, passes, revisions, redeems, templates, jobs, schedules, webhooks, registrations, reports, remote_forms, document  # noqa: E402,F401,I001,E501
