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

from walletservice.errors import BadRequest

# WSGI servers put the path in PATH_INFO percent-decoded, one character per byte
# (latin-1): UTF-8's continuation bytes (0x80-0xBF) are not controls there.
_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# QUERY_STRING arrives as sent: a control may come escaped (%00) or raw.
_QUERY_CONTROL = re.compile(r"%(?:0[0-8bcef]|1[0-9a-f]|7f)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", re.IGNORECASE)


def refuse_control_characters(environ: dict[str, Any]) -> None:
    """Called first for every request that matched a route (application.WalletApp); its
    BadRequest is answered in the shape of the API the path belongs to (error_renderers)."""
    if _PATH_CONTROL.search(environ.get("PATH_INFO", "")):
        raise BadRequest("the URL path must not contain control characters (such as %00)")
    if _QUERY_CONTROL.search(environ.get("QUERY_STRING", "")):
        raise BadRequest("query parameters must not contain control characters (such as %00)")

