"""Data factories for passkit tests: designs and images."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

PASS_TYPE_ID = "pass.dev.walletservice.test"
TEAM_ID = "TEAM123456"
# A P-256 public key in the form Apple's nfc.encryptionPublicKey takes (Base64 SubjectPublicKeyInfo).
NFC_PUBLIC_KEY = ("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEALP7CXkI8P2mhBTWQbDhimZxo3U+0yHPA0+O6rQGSYTKDbTfqxka7kSW"
                  "qZoHEVqKvwP5nWse/XB8QBRyj0Jzbw==")
# The same form on P-384: a real key, but not one Apple's readers take.
P384_PUBLIC_KEY = ("MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEiQh8yMG/KmADxYcbM93asXGszDGrzZ/efrXBvkGfu03biXqCuE9UVywO/qAm"
                   "SMESuybRNIIVY33COv3ER+Z0AjSa6qlshie6pA9arFT2ZO1OjuofV5zYozCJF1xgICKh")


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
