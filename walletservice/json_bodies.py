"""Reading JSON sent by clients: the one parser every API's request bodies go through.

Flask-free. It refuses, with a domain error each API renders in its own shape:
what is not JSON, nesting deeper than MAX_JSON_DEPTH, numbers that are not finite,
and NUL or a lone UTF-16 surrogate ("\\ud800" without its pair) in any string or key
(PostgreSQL text and JSONB cannot hold NUL, UTF-8 cannot encode a lone surrogate, and
free-form objects such as user_info, v3 data or personalization data are stored
as given). docs/security.md, "Device logs and input limits".
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from walletservice.errors import BadRequest, InvalidInput

# No request of any API nests deeper than a handful of levels; recursive code
# (validation, JSONB encoding) must never meet a structure near Python's stack limit.
MAX_JSON_DEPTH = 64
# Only an escape can bring a surrogate in: raw ones are not UTF-8, so the body would not decode.
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


class _NonFiniteNumber(ValueError):
    pass


def _refuse_non_finite(text: str) -> float:
    # Python reads NaN, Infinity and overflowing numbers (1e400); JSON and PostgreSQL's JSONB hold none.
    number = float(text)
    if not math.isfinite(number):
        raise _NonFiniteNumber(text)
    return number


def parse_json_body(raw: bytes | str) -> Any:
    """A request body as JSON: BadRequest for what is not JSON, nests too deep or has
    non-finite numbers; InvalidInput for NUL in text, naming where it is."""
    try:
        payload = json.loads(raw, parse_constant=_refuse_non_finite, parse_float=_refuse_non_finite)
    except _NonFiniteNumber as exc:
        raise BadRequest(f"numbers must be finite: {exc} is not (no NaN, Infinity or overflowing values)",
                         field="body") from None
    except RecursionError:  # deeper than the interpreter's stack: far beyond MAX_JSON_DEPTH
        raise BadRequest(f"JSON nests deeper than {MAX_JSON_DEPTH} levels", field="body") from None
    except ValueError:  # UnicodeDecodeError included
        raise BadRequest("the body is not valid JSON", field="body") from None
    if _depth_exceeds(payload, MAX_JSON_DEPTH):
        raise BadRequest(f"JSON nests deeper than {MAX_JSON_DEPTH} levels", field="body")
    # A NUL can only arrive escaped: JSON refuses raw control characters in strings.
    escaped_nul = "\\u0000" if isinstance(raw, str) else b"\\u0000"
    where = _nul_at(payload, "") if escaped_nul in raw else None  # type: ignore[operator]
    if where is not None:
        raise InvalidInput(f"{where or 'body'}: text must not contain NUL characters (\\u0000)")
    escaped = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")
    where = _text_at(payload, "", _has_lone_surrogate) if _ESCAPED_SURROGATE.search(escaped) else None
    if where is not None:
        raise InvalidInput(f"{where or 'body'}: text must be valid Unicode (a lone surrogate such as \\ud800 is not)")
    return payload


def _has_lone_surrogate(text: str) -> bool:
    # A surrogate pair is read as one character; only a lone half stays, and UTF-8 cannot encode it.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _depth_exceeds(payload: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` deep; iterative, so any depth is safe."""
    pending = [(payload, 1)]
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _nul_at(payload: Any, root: str) -> str | None:
    """The dotted path of the first NUL in a JSON value (keys included), or None."""
    where = _text_at(payload, root, lambda text: "\x00" in text)
    return where.replace("\x00", "\\u0000") if where is not None else None


def _text_at(payload: Any, root: str, refused: Callable[[str], bool]) -> str | None:
    """The dotted path of the first string or key of a JSON value that `refused`, or None."""
    pending = [(payload, root)]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str):
            if refused(value):
                return path
            continue
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, item in items:
            inner = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and refused(key):
                return inner.encode("utf-8", "backslashreplace").decode("utf-8")
            pending.append((item, inner))
    return None
