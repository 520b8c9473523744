"""Integrator APIs: Passworks v2 under /v2, v1 compatibility under /v1, and the documentation page at /docs."""

from __future__ import annotations

from flask import Flask

from walletservice.api.docs import docs_blueprint
from walletservice.api.preconditions import install_etag_recording
from walletservice.api.v1 import install_v1_routing_error_rendering, v1_blueprint
from walletservice.api.v2 import v2_blueprint
from walletservice.api.v2.error_responses import install_routing_error_rendering
from walletservice.api.v3 import v3_blueprint
from walletservice.api.v3.envelope import install_v3_routing_error_rendering


def register_integrator_api(app: Flask) -> None:
    install_etag_recording()
    app.register_blueprint(v2_blueprint)
    app.register_blueprint(docs_blueprint)
    install_routing_error_rendering(app)
    app.register_blueprint(v1_blueprint)
    install_v1_routing_error_rendering(app)
    app.register_blueprint(v3_blueprint)
    install_v3_routing_error_rendering(app)  # last: it hands other paths to the handler before it
