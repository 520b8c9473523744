"""Passworks' error shape, `{"errors": [messages]}`, for every failure under /v2."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from walletservice.api.auth import is_browser_request
from walletservice.errors import DomainError

PREFIX = "/v2"
# Passworks documents HTTP Basic, and clients that answer a challenge (urllib's
# HTTPBasicAuthHandler, .NET's NetworkCredential, Java's Authenticator) send
# credentials only after one, so API clients keep it (RFC 9110 asks for it on a 401).
# Browsers never get it: a prompt would cache credentials the browser then attaches
# for any page that calls the API (docs/security.md, "Response headers").
AUTHENTICATE_HEADER = 'Basic realm="walletservice"'


def error_response(status: int, messages: list[str], headers: dict[str, str] | None = None) -> Response:
    response = jsonify(errors=messages)
    response.status_code = status
    if status == 401 and not is_browser_request():
        response.headers["WWW-Authenticate"] = AUTHENTICATE_HEADER
    response.headers.extend(headers or {})
    return response


def render_domain_error(error: DomainError) -> Response:
    return error_response(error.status, [error.message, *error.details])


def render_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    return error_response(status, [_http_error_message(status)], headers)


def _http_error_message(status: int) -> str:
    if status == 404:
        return "not found"
    if status == 405:
        return f"{request.method} is not allowed on {request.path}"
    if status == 413:
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        return f"the request body is larger than {limit} bytes"
    if status >= 500:
        return "internal server error"
    return f"the request could not be read ({status})"


def render_routing_error(error: HTTPException) -> Response | HTTPException:
    """Unknown paths and methods never reach a blueprint, so this runs app-wide:
    JSON under /v2, Flask's own page everywhere else."""
    if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
        return render_http_error(error)
    return error


def install_routing_error_rendering(app: Flask) -> None:
    app.register_error_handler(404, render_routing_error)
    app.register_error_handler(405, render_routing_error)
