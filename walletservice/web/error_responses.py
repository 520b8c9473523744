"""Errors of the customer-facing pages: a person reads them, so a link that leads
nowhere (unknown, or malformed such as a control character in it) gets the same
readable page; other refusals a one-line JSON reason."""

from __future__ import annotations

from flask import Response, jsonify, render_template
from werkzeug.exceptions import HTTPException

from walletservice.errors import BadRequest, DomainError, NotFound


def render_domain_error(error: DomainError) -> Response | tuple[str, int]:
    if isinstance(error, NotFound):
        return not_found_page(404)
    if isinstance(error, BadRequest):
        return not_found_page(400)
    return render_reason(error)


def render_http_error(error: HTTPException) -> HTTPException | tuple[str, int]:
    return not_found_page(404) if error.code == 404 else error


def not_found_page(status: int) -> tuple[str, int]:
    return render_template("web/not_found.html"), status


def render_reason(error: DomainError) -> Response:
    """A domain error outside every API: `{"error": "<reason>"}` with its status."""
    response = jsonify(error=error.message)
    response.status_code = error.status
    return response
