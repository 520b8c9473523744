"""Integrator APIs: Passworks v2 under /v2, and its documentation page at /docs."""

from __future__ import annotations

from flask import Flask

from walletservice.api.docs import docs_blueprint
from walletservice.api.v2 import v2_blueprint
from walletservice.api.v2.error_responses import install_routing_error_rendering


def register_integrator_api(app: Flask) -> None:
    app.register_blueprint(v2_blueprint)
    app.register_blueprint(docs_blueprint)
    install_routing_error_rendering(app)
