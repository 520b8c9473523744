"""Data factories for passkit tests: designs and images."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

PASS_TYPE_ID = "pass.dev.walletservice.test"
TEAM_ID = "TEAM123456"


def make_design(style: str = "generic", **overrides: Any) -> dict[str, Any]:
    """The smallest valid design of a style; overrides replace or add keys (None removes)."""
    design: dict[str, Any] = {
        "style": style,
        "organizationName": "Example Org",
        "description": "Example pass",
        "primaryFields": [{"key": "name", "label": "Name", "value": "Ada"}],
    }
    if style == "boardingPass":
        design["transitType"] = "air"
    design.update(overrides)
    return {key: value for key, value in design.items() if value is not None}


def image_bytes(size: tuple[int, int] = (120, 80), color: Any = (200, 30, 30), fmt: str = "PNG",
                mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt)
    return buffer.getvalue()
