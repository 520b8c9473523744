"""Passcreator's error answers, for every failure under /api/v3: the envelope with
`success: false` and the messages in `errors` (api/v3/envelope.py)."""

from __future__ import annotations

from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException

from walletservice.api.v3.envelope import error_envelope
from walletservice.errors import DomainError, InvalidInput, NotFound

NOT_FOUND = "Object not found"


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
