"""The baseline for bench/webservice_load.py: Flask with one JSON endpoint, nothing else.

    gunicorn -w 4 -b 127.0.0.1:8001 bench.bare_app:app

Served by the same gunicorn settings as the wallet app, it is the ceiling that
server, machine and load generator allow: no database, no blueprint, no middleware.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify

BARE_PATH = "/bare"


def create_bare_app() -> Flask:
    app = Flask(__name__)

    @app.get(BARE_PATH)
    def bare() -> Response:
        # About the size of a list-serials answer for a device holding two passes.
        return jsonify(serialNumbers=["big-000001", "big-000002"], lastUpdated="100001")

    return app


app = create_bare_app()
