"""Integrator APIs: Passworks v2 under /v2, v1 compatibility under /v1, and the documentation page at /docs."""

from __future__ import annotations

from flask import Flask

from walletservice.api.docs import docs_blueprint
from walletservice.api.preconditions import install_etag_recording
from walletservice.api.v1 import v1_blueprint
from walletservice.api.v2 import v2_blueprint
from walletservice.api.v3 import v3_blueprint


def register_integrator_api(app: Flask) -> None:
    """The blueprints; their errors are rendered by walletservice/error_renderers.py."""
    install_etag_recording()
    app.register_blueprint(v2_blueprint)
    app.register_blueprint(docs_blueprint)
    app.register_blueprint(v1_blueprint)
    app.register_blueprint(v3_blueprint)
