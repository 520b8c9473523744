"""Passcreator's envelope for every v3 answer:
`{"success", "description", "errors", "data", "statusCode", "count"}`."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from walletservice.errors import DomainError, InvalidInput, NotFound

PREFIX = "/api/v3"
NOT_FOUND = "Object not found"


def envelope(data: Any, *, status: int = 200, description: str = "Success", count: int | None = None,
             **extra: Any) -> Response:
    body = {"success": status < 400, "description": description, "errors": [], "data": data,
            "statusCode": status, "count": _count(data) if count is None else count, **extra}
    response = current_app.json.response(body)
    response.status_code = status
    return response


def _count(data: Any) -> int:
    return len(data) if isinstance(data, list) else 1


def error_envelope(status: int, errors: list[str], description: str = "") -> Response:
    body = {"success": False, "description": description, "errors": errors, "data": [],
            "statusCode": status, "count": 0}
    response = current_app.json.response(body)
    response.status_code = status
    return response


def render_domain_error(error: DomainError) -> Response:
    if isinstance(error, NotFound):
        return error_envelope(404, [NOT_FOUND])
    # Passcreator answers 400 for every invalid request; our 422 (InvalidInput) included.
    status = 400 if isinstance(error, InvalidInput) else error.status
    return error_envelope(status, [error.message, *error.details], error.message)


def render_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if status == 404:
        return error_envelope(404, [NOT_FOUND])
    if status == 405:
        return error_envelope(405, [f"{request.method} is not allowed on {request.path}"])
    if status == 413:
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        return error_envelope(413, [f"the request body is larger than {limit} bytes"])
    return error_envelope(status, ["internal server error" if status >= 500 else f"bad request ({status})"])


def install_v3_routing_error_rendering(app: Flask) -> None:
    """Unknown paths and methods never reach the blueprint: answer them in the envelope
    under /api/v3 and hand everything else to the handler registered before (v2, v1)."""
    for status in (404, 405):
        previous = app.error_handler_spec.get(None, {}).get(status, {})
        earlier = next(iter(previous.values()), None)

        def render(error: HTTPException, earlier: Any = earlier) -> Any:
            if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
                return render_http_error(error)
            return earlier(error) if earlier is not None else error

        app.register_error_handler(status, render)
