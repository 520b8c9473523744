"""Errors of Apple's Wallet web service: bare statuses for 401 and 404 (Wallet reads
only the code, Apple's "Wallet Web Service Reference"); other refusals carry a
one-line JSON reason, useful in device logs and curl."""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from walletservice.errors import DomainError


def render_domain_error(error: DomainError) -> Response:
    if error.status in (401, 404):
        return Response(status=error.status)
    return _reason(error.status, error.message)


def render_http_error(error: HTTPException) -> Response | HTTPException:
    if error.code == 413:
        return _reason(413, "request body too large")
    return error


def _reason(status: int, message: str) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    return response
