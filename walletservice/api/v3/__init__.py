"""Passcreator-compatible pass API under /api/v3 (passcreator-v3-passes.md).

Same API keys as /v2, sent as Passcreator does (`Authorization: <api key>`); every
answer, errors included, is Passcreator's envelope (api/v3/envelope.py).
"""

from __future__ import annotations

from flask import Blueprint

from walletservice.api.registry import ApiRegistry
from walletservice.api.v3.credentials import caller_organization_id
from walletservice.api.v3.envelope import PREFIX

# Errors answer in the envelope (api/v3/error_responses.py, walletservice/error_renderers.py).
v3_blueprint = Blueprint("v3", __name__, url_prefix=PREFIX)
v3_api = ApiRegistry(v3_blueprint, caller_organization_id)

# Registration happens on import; the order is the order of the OpenAPI document.
from walletservice.api.v3 import passes, revisions, bulk, segments, templates, document  # noqa: E402,F401,I001
