"""Probes and metrics for operators; always JSON (or Prometheus text), never an HTML page.

/healthz and /readyz are open and say nothing sensitive. /metrics needs
`Authorization: Bearer $WALLET_METRICS_TOKEN` when that is set; when it is empty the
endpoint is open and must be protected at the proxy.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask.sansio.blueprints import BlueprintSetupState
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from sqlalchemy.exc import DBAPIError

from walletservice.db import transaction
from walletservice.operations.metrics import metrics_registry
from walletservice.operations.status import OperationalStatus, database_ready, operational_status
from walletservice.workers.heartbeats import LoopHealth, loop_health

log = logging.getLogger(__name__)

operations_blueprint = Blueprint("operations", __name__)

REGISTRY_KEY = "walletservice.metrics"


@operations_blueprint.record_once
def _install_registry(state: BlueprintSetupState) -> None:
    state.app.extensions[REGISTRY_KEY] = metrics_registry(read_status, read_loop_health)


def read_status() -> OperationalStatus:
    with transaction(write=False) as session:
        return operational_status(session)


def read_loop_health() -> LoopHealth:
    with transaction(write=False) as session:
        return loop_health(session, current_app.config["WALLET_LOOP_STALE_SECONDS"])


@operations_blueprint.get("/healthz")
def healthz() -> Any:
    # Liveness: the process serves requests. The database is /readyz's business, so a
    # database outage does not make an orchestrator restart every web process.
    return _no_store(jsonify(status="ok"))


@operations_blueprint.get("/readyz")
def readyz() -> Any:
    with transaction(write=False) as session:
        readiness = database_ready(session)
        loops = loop_health(session, current_app.config["WALLET_LOOP_STALE_SECONDS"]) if readiness.ready else None
    if loops is None:
        return _no_store(jsonify(status="not ready", problem=readiness.problem)), 503
    stale = [row.as_json() for row in loops.stale]
    if not loops.ready:
        problem = f"no live process runs {', '.join(loops.down)}"
        return _no_store(jsonify(status="not ready", problem=problem, stale_loops=stale)), 503
    return _no_store(jsonify(status="ready", stale_loops=stale) if stale else jsonify(status="ready"))



@operations_blueprint.get("/metrics")
def metrics() -> Any:
    if not _metrics_caller_allowed(current_app.config["WALLET_METRICS_TOKEN"]):
        response = jsonify(error="metrics need Authorization: Bearer <WALLET_METRICS_TOKEN>")
        response.headers["WWW-Authenticate"] = 'Bearer realm="walletservice metrics"'
        return _no_store(response), 401
    registry: CollectorRegistry = current_app.extensions[REGISTRY_KEY]
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    try:
        body = encode(registry)
    except DBAPIError as exc:
        # A failed scrape, not a 500 page: Prometheus records it, the log keeps the cause.
        log.warning("metrics: reading the status failed: %s", exc)
        return _no_store(jsonify(status="unavailable", problem="database unavailable")), 503
    return _no_store(Response(body, content_type=content_type))


def _metrics_caller_allowed(token: str) -> bool:
    if not token:
        return True
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # Compared as bytes: compare_digest refuses non-ASCII str, and a header may hold any.
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
