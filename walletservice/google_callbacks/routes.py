"""POST /google/callbacks (Google's "Add and delete callbacks"): verified, then recorded once.

401 for a callback that is not signed for our issuer, or an organization's own one that
the message names (nothing recorded), 400 for a body
that is no JSON object, 503 when Google's keys cannot be fetched (Google retries), and
200 otherwise, a replay included: Google retries deliveries it thinks failed, and the
nonce already keeps a replay from being recorded twice.
"""

from __future__ import annotations

import ssl
import threading
import time
from typing import Any

import httpx
from flask import Blueprint, Response, current_app, jsonify, request

from walletservice.db import transaction
from walletservice.errors import DomainError
from walletservice.google_wallet.callbacks import (
    CallbackRejected, RootKey, claimed_issuer_id, parse_root_keys, verify_callback,
)
from walletservice.json_bodies import parse_json_body
from walletservice.services.google_callbacks import callback_recipient, record_callback

google_callbacks_blueprint = Blueprint("google_callbacks", __name__)
KEYS_CACHE_SECONDS = 3600
_keys_cache: dict[str, tuple[float, list[RootKey]]] = {}
_keys_lock = threading.Lock()


@google_callbacks_blueprint.post("/google/callbacks")
def google_callback() -> tuple[Response, int]:
    try:
        body = parse_json_body(request.get_data())
    except DomainError as exc:  # not JSON, too deep, non-finite numbers, NUL
        return jsonify(error=str(exc)), 400
    if not isinstance(body, dict):
        return jsonify(error="the body must be a JSON object"), 400
    server_issuer_id = current_app.config["WALLET_GOOGLE_ISSUER_ID"]
    with transaction(write=False) as session:
        issuer_id = callback_recipient(session, claimed_issuer_id(body), server_issuer_id)
    if not issuer_id:
        return jsonify(error="Google Wallet is not configured"), 404
    try:
        root_keys = _root_keys(current_app.config)
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        current_app.logger.warning("Google callback keys unavailable: %s", exc)
        return jsonify(error="Google's signing keys are unavailable; try again"), 503
    try:
        event = verify_callback(body, root_keys, issuer_id, int(time.time() * 1000))
    except CallbackRejected as exc:
        return jsonify(error=f"callback refused: {exc}"), 401
    with transaction() as session:
        outcome = record_callback(session, event, issuer_id, server_issuer_id)
    return jsonify(result=outcome), 200


def _root_keys(config: Any) -> list[RootKey]:
    url = config["WALLET_GOOGLE_CALLBACK_KEYS_URL"]
    with _keys_lock:
        cached = _keys_cache.get(url)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
    ca_bundle = config["WALLET_GOOGLE_CA_BUNDLE"]
    response = httpx.get(url, timeout=10.0, verify=_verify(ca_bundle))
    response.raise_for_status()
    keys = parse_root_keys(response.json())
    with _keys_lock:
        _keys_cache[url] = (time.monotonic() + KEYS_CACHE_SECONDS, keys)
    return keys


def _verify(ca_bundle: str) -> Any:
    return ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True
