"""Pass colors: Apple wants CSS-style triples, e.g. "rgb(23, 187, 82)" (Package Format Reference)."""

from __future__ import annotations

import re
from typing import Any

_HEX = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\Z")
_RGB = re.compile(r"rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)\Z")

COLOR_KEYS = ("foregroundColor", "backgroundColor", "labelColor")


def _parse_rgb(text: str) -> tuple[int, int, int] | None:
    match = _RGB.match(text.strip())
    if not match:
        return None
    red, green, blue = (int(part) for part in match.groups())
    if max(red, green, blue) > 255:
        return None
    return red, green, blue


def _parse_hex(text: str) -> tuple[int, int, int] | None:
    match = _HEX.match(text.strip())
    if not match:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    red, green, blue = (int(digits[i:i + 2], 16) for i in (0, 2, 4))
    return red, green, blue


def normalize_color(value: Any) -> str | None:
    """ "#rrggbb", "#rgb" or "rgb(r, g, b)" as Apple's "rgb(r, g, b)"; None if not a color."""
    if not isinstance(value, str):
        return None
    triple = _parse_hex(value) or _parse_rgb(value)
    if triple is None:
        return None
    return "rgb({}, {}, {})".format(*triple)


def is_pass_color(value: Any) -> bool:
    """Whether value is already in the rgb(r, g, b) form pass.json requires."""
    return isinstance(value, str) and _parse_rgb(value) is not None


def hex_color(value: Any) -> str | None:
    """Any accepted color as "#rrggbb" (Google Wallet's form); None if not a color."""
    if not isinstance(value, str):
        return None
    triple = _parse_hex(value) or _parse_rgb(value)
    return None if triple is None else "#{:02x}{:02x}{:02x}".format(*triple)
