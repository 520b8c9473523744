"""Passcreator's envelope for every v3 answer:
`{"success", "description", "errors", "data", "statusCode", "count"}`."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

PREFIX = "/api/v3"


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
