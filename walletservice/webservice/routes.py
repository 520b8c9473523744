"""The six endpoints an iPhone calls. Status codes follow Apple's reference exactly.

Errors are bare statuses for 401/404 (Wallet reads only the code); malformed
input gets a 400 with a one-line JSON reason, useful in device logs and curl.
"""

from __future__ import annotations

import functools

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from walletservice.client_address import request_client_address
from walletservice.db import transaction
from walletservice.hot_reads import hot_reads
from walletservice.errors import BadRequest, DomainError, InvalidInput, NotAuthorized, NotFound
from walletservice.json_bodies import parse_json_body
from walletservice.models import Pass, SigningCertificate
from walletservice.models.base import utcnow
from walletservice.runtime import WEB_SERVICE_PATH, Runtime, runtime
from walletservice.services import device_logs, devices, events, personalization
from walletservice.services.bundles import cached_bundle, pass_bundle
from walletservice.webservice.responses import (
    not_modified_response, not_modified_since, pkpass_response, serials_response,
)

webservice_blueprint = Blueprint("webservice", __name__, url_prefix=f"{WEB_SERVICE_PATH}/v1")

MAX_PATH_SEGMENT = 255
# Wallet sends a handful of User-Agent strings: identify each once per process.
_identify_wallet = functools.lru_cache(maxsize=256)(events.identify_wallet)


def _apple_pass_token(authorization: str | None) -> str | None:
    """The token after exactly "ApplePass " (scheme case-insensitive, RFC 9110)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "applepass" or not token:
        return None
    return token


def _authorization() -> str | None:
    return request.headers.get("Authorization")


def _wallet_client() -> events.WalletClient:
    return _identify_wallet(request.headers.get("User-Agent"))


def _record_fetch(version: devices.PassVersion, context: Runtime, user_agent: str | None) -> None:
    fetch = events.PassFetch(pass_id=version.id, organization_id=version.organization_id,
                             campaign_id=version.campaign_id, client=_identify_wallet(user_agent), at=utcnow())
    recorder = context.fetches
    if recorder is not None:
        recorder.record(fetch)  # written in batches by a thread (workers/fetch_recorder.py)
        return
    with transaction() as session:
        events.record_pass_fetches(session, [fetch])


def _check_segment(value: str, name: str) -> str:
    if not value or len(value) > MAX_PATH_SEGMENT:
        raise BadRequest(f"{name} must be 1 to {MAX_PATH_SEGMENT} characters")
    return value


def _json_body() -> object:
    # Devices send tiny JSON bodies; refuse anything larger before reading it.
    request.max_content_length = current_app.config["WALLET_MAX_WEBSERVICE_BODY_BYTES"]
    raw = request.get_data(cache=False)
    if not raw.strip():
        raise BadRequest("body must be JSON")
    try:
        return parse_json_body(raw)
    except InvalidInput as exc:  # NUL in text: Apple's endpoints answer malformed input with 400
        raise BadRequest(exc.message) from None


@webservice_blueprint.post("/devices/<device_id>/registrations/<pass_type>/<serial>")
def register(device_id: str, pass_type: str, serial: str) -> Response:
    _check_segment(device_id, "deviceLibraryIdentifier")
    with transaction() as session:
        pass_ = devices.authenticate_pass(session, pass_type, serial, _apple_pass_token(_authorization()))
        payload = _json_body()
        push_token = devices.validate_push_token(payload.get("pushToken") if isinstance(payload, dict) else None)
        outcome = devices.register_device(session, device_id, pass_, push_token, _wallet_client(),
                                          current_app.config["WALLET_MAX_DEVICES_PER_PASS"])
    return Response(status=outcome.value)


@webservice_blueprint.get("/devices/<device_id>/registrations/<pass_type>")
def updated_serials(device_id: str, pass_type: str) -> Response:
    # Wallet sends no Authorization here: the device library id is the secret.
    since = devices.parse_update_tag(request.args.get("passesUpdatedSince"))
    result = devices.serials_updated_since(hot_reads(), device_id, pass_type, since)
    if result is None:
        return Response(status=204)
    return serials_response(result.serial_numbers, result.last_updated)


@webservice_blueprint.delete("/devices/<device_id>/registrations/<pass_type>/<serial>")
def unregister(device_id: str, pass_type: str, serial: str) -> Response:
    with transaction() as session:
        pass_ = devices.authenticate_pass(session, pass_type, serial, _apple_pass_token(_authorization()))
        devices.unregister_device(session, device_id, pass_)
    return Response(status=200)


@webservice_blueprint.get("/passes/<pass_type>/<serial>")
def latest_pass(pass_type: str, serial: str) -> Response:
    # Flask answers HEAD through this view too, without the body (forum 765873).
    # Headers are read from the WSGI environ: each `request.` costs a context lookup.
    environ = request.environ
    reads = hot_reads()
    token = _apple_pass_token(environ.get("HTTP_AUTHORIZATION"))
    version = devices.authenticate_pass_version(reads, pass_type, serial, token)
    if not_modified_since(version.modified_at, environ.get("HTTP_IF_MODIFIED_SINCE")):
        return not_modified_response()
    context = runtime()
    content = cached_bundle(reads, context.bundles, version.id, version.update_tag)
    response = _pass_response(version, content, context)
    if environ.get("REQUEST_METHOD", "GET").upper() == "GET":  # a 304 or a HEAD records nothing
        _record_fetch(version, context, environ.get("HTTP_USER_AGENT"))
    return response


def _pass_response(version: devices.PassVersion, content: bytes | None, context: Runtime) -> Response:
    modified_at = version.modified_at
    if content is None:  # this version was never signed: sign it now
        with transaction() as session:
            pass_ = session.get(Pass, version.id)
            if pass_ is None:  # deleted a moment ago
                raise NotAuthorized("unknown pass")
            content, modified_at = pass_bundle(session, pass_, context.bundles), pass_.modified_at
    return pkpass_response(content, modified_at)


@webservice_blueprint.post("/passes/<pass_type>/<serial>/personalize")
def personalize(pass_type: str, serial: str) -> Response:
    # Apple documents no Authorization on personalize ("Personalize a pass"), so it
    # cannot be required; one that is sent must still be the pass's token.
    authorization = _authorization()
    with transaction() as session:
        if authorization is not None:
            pass_ = devices.authenticate_pass(session, pass_type, serial, _apple_pass_token(authorization))
        else:
            pass_ = devices.find_pass(session, pass_type, serial)
        if pass_ is None:
            raise NotFound("unknown pass")
        certificate = session.get(SigningCertificate, pass_.certificate_id) if pass_.certificate_id else None
        signer = runtime().certificates.signer_for(certificate)
        signature = personalization.personalize_pass(session, pass_, _json_body(), signer)
    return Response(signature, mimetype="application/octet-stream")


@webservice_blueprint.post("/log")
def log() -> Response:
    # Anyone may call this: limited per client address (the proxy's when trusted, create_app).
    client_address = request_client_address()
    limits = _device_log_limits()
    now = utcnow()
    with transaction() as session:
        retry_after = device_logs.seconds_until_admitted(session, client_address, limits.calls_per_minute, now)
        if retry_after:
            device_logs.count_dropped(session, device_logs.RATE_LIMITED, _refused_entries())
        else:
            messages = device_logs.log_messages(_json_body())
            device_logs.record_device_logs(session, messages, client_address, limits, now)
    if retry_after:
        response = jsonify(error=f"too many log calls from this address; retry in {retry_after} s")
        response.status_code = 429
        response.headers["Retry-After"] = str(retry_after)
        return response
    return Response(status=200)


def _device_log_limits() -> device_logs.DeviceLogLimits:
    config = current_app.config
    return device_logs.DeviceLogLimits(
        calls_per_minute=config["WALLET_DEVICE_LOG_RATE_PER_MINUTE"], max_rows=config["WALLET_DEVICE_LOG_MAX_ROWS"],
        max_entries=config["WALLET_MAX_LOG_ENTRIES"], max_chars=config["WALLET_MAX_LOG_ENTRY_CHARS"])


def _refused_entries() -> int:
    """How many entries a refused call carried: the metric counts entries, not calls."""
    try:
        return len(device_logs.log_messages(_json_body()))
    except (DomainError, HTTPException):  # not a log body (or over the size limit): no entries known
        return 0
