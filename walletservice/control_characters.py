"""Control characters in URLs are refused before any route runs (docs/security.md).

No path segment of any route (ids, serial numbers, pass type identifiers, device
library identifiers) may hold an ASCII control character, and no query value may
hold NUL or the other controls text never carries (tab, LF and CR are let through).
PostgreSQL text cannot hold NUL, and libpq reads a parameter only up to it, so one
check here keeps every lookup from failing with a 500 or matching a truncated value.
"""

from __future__ import annotations

import re

from typing import Any

from flask import Flask, Response, jsonify

from walletservice.errors import BadRequest, DomainError

# WSGI servers put the path in PATH_INFO percent-decoded, one character per byte
# (latin-1): UTF-8's continuation bytes (0x80-0xBF) are not controls there.
_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# QUERY_STRING arrives as sent: a control may come escaped (%00) or raw.
_QUERY_CONTROL = re.compile(r"%(?:0[0-8bcef]|1[0-9a-f]|7f)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", re.IGNORECASE)


def install_control_character_rendering(app: Flask) -> None:
    """The check itself runs first for every request (application.WalletApp)."""
    # Blueprints render domain errors in their API's shape; paths outside them
    # (pages, probes, unknown URLs) get this one-line JSON reason.
    app.register_error_handler(DomainError, _render_domain_error)


def refuse_control_characters(environ: dict[str, Any]) -> None:
    if _PATH_CONTROL.search(environ.get("PATH_INFO", "")):
        raise BadRequest("the URL path must not contain control characters (such as %00)")
    if _QUERY_CONTROL.search(environ.get("QUERY_STRING", "")):
        raise BadRequest("query parameters must not contain control characters (such as %00)")


def _render_domain_error(error: DomainError) -> Response:
    response = jsonify(error=error.message)
    response.status_code = error.status
    return response
