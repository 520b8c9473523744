"""QR codes drawn on the server as inline SVG (pure): the page loads nothing from elsewhere."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from markupsafe import Markup, escape

_SVG_OPEN = "<svg "


def qr_svg(data: str, label: str) -> Markup:
    """An <svg> element for `data`, ready to inline in HTML.

    The markup is ours (a path of squares); only `label` comes from outside, escaped.
    """
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    svg = image.to_string(encoding="unicode")
    svg = svg[svg.index(_SVG_OPEN):]  # drop any XML declaration: not allowed inside HTML
    attributes = f'class="qr-code" role="img" aria-label="{escape(label)}" '
    return Markup(svg.replace(_SVG_OPEN, _SVG_OPEN + attributes, 1))
