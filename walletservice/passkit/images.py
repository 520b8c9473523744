"""Pass images: any common upload in, Apple-sized PNGs at @1x, @2x and @3x out.

Point sizes are from Apple's Wallet Developer Guide ("Pass Design and Creation"):
icon 29 x 29; logo at most 160 x 50; thumbnail at most 90 x 90 with an aspect ratio
between 2:3 and 3:2; strip 375 x 98 on event tickets, 375 x 144 on coupons and store
cards, 375 x 123 otherwise; background 180 x 220; footer at most 286 x 15. The poster
images' sizes are Apple's Pass Builder's (passkit.poster_images). Every scale
is drawn from the source, so @1x, @2x and @3x show the same thing at the same point
size. Output is deterministic: no metadata, fixed PNG settings.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

from .package_files import IMAGE_ROLES

__all__ = ["IMAGE_ROLES", "MAX_IMAGE_BYTES", "MAX_IMAGE_PIXELS", "ImageError", "render_image_set"]

MAX_IMAGE_BYTES = 1024 * 1024
# Checked from the header before decoding: a small file can claim a huge canvas.
MAX_IMAGE_PIXELS = 4096 * 4096
SCALES = (1, 2, 3)
ACCEPTED_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP")  # JPEG includes cameras' MPO files
_SRGB = ImageCms.createProfile("sRGB")


class ImageError(ValueError):
    """An upload that cannot become a pass image; the message says why."""


@dataclass(frozen=True)
class _Box:
    """Apple's size for a role, in points, and how the source goes into it."""

    width: int
    height: int
    # "contain": keep the aspect ratio, fit within (Apple: "at most");
    # "cover": fill exactly, center-crop the overflow; "pad": contain, then letterbox
    # on transparency to the exact size (the icon must be square).
    placement: str


_BOXES = {
    "icon": _Box(29, 29, "pad"),
    "logo": _Box(160, 50, "contain"),
    "thumbnail": _Box(90, 90, "contain"),
    "background": _Box(180, 220, "cover"),
    "footer": _Box(286, 15, "contain"),
    # Apple's Pass Builder (PassPackage.swift): the poster generic face's logo, at most 126 x 30.
    "primaryLogo": _Box(126, 30, "contain"),
    # Pass Builder: a poster event ticket's artwork is exactly 358 x 448, its secondary logo at most 135 x 12.
    "artwork": _Box(358, 448, "cover"),
    "secondaryLogo": _Box(135, 12, "contain"),
}
# Apple's Pass Builder (PassPackage.swift): the poster's background is exactly 345 x 505.
_POSTER_BACKGROUND = _Box(345, 505, "cover")
_STRIP_HEIGHTS = {"eventTicket": 98, "coupon": 144, "storeCard": 144}
_THUMBNAIL_ASPECT = (2 / 3, 3 / 2)


def render_image_set(data: bytes, role: str, style: str | None = None) -> dict[str, bytes]:
    """{"<role>.png": ..., "<role>@2x.png": ..., "<role>@3x.png": ...} for one upload."""
    box = _box_for(role, style)
    source = _open(data)
    if role == "thumbnail":
        source = _clamp_aspect(source, *_THUMBNAIL_ASPECT)
    names = {1: f"{role}.png", 2: f"{role}@2x.png", 3: f"{role}@3x.png"}
    return {names[scale]: _png(_draw(source, box, scale)) for scale in SCALES}


def _box_for(role: str, style: str | None) -> _Box:
    if role == "strip":
        return _Box(375, _STRIP_HEIGHTS.get(style or "", 123), "cover")
    if role == "background" and style == "posterGeneric":
        return _POSTER_BACKGROUND
    if role not in _BOXES:
        raise ImageError(f"{role!r} is not an image role; use one of {', '.join(IMAGE_ROLES)}")
    return _BOXES[role]


def _open(data: bytes) -> Image.Image:
    """Decode the upload into an upright sRGB RGBA image, refusing what is unsafe."""
    if not isinstance(data, (bytes, bytearray)):
        raise ImageError("image data must be bytes")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(f"image is {len(data)} bytes; the limit is {MAX_IMAGE_BYTES} (1 MB)")
    image = _identify(data)
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageError(f"image is {width} x {height} pixels; the limit is {MAX_IMAGE_PIXELS} pixels")
    try:
        image.seek(0)  # the first frame of an animated GIF or WebP
        image.load()
        return _to_rgba(ImageOps.exif_transpose(image))
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(f"image is corrupt or truncated ({exc})") from None


def _identify(data: bytes) -> Image.Image:
    """Open the header only; pixels are decoded after the size check."""
    try:
        return Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.UnidentifiedImageError:
        raise ImageError(f"not an image, or not one of {', '.join(ACCEPTED_FORMATS)}") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"image has more than {MAX_IMAGE_PIXELS} pixels") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(f"image is corrupt ({exc})") from None


def _to_rgba(image: Image.Image) -> Image.Image:
    # Color profiles are dropped from the output, so convert to sRGB first or colors shift.
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source_profile = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            output_mode = "RGBA" if "A" in image.mode else "RGB"
            image = ImageCms.profileToProfile(image, source_profile, _SRGB, outputMode=output_mode)
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken profile: use the pixel values as they are
    if image.mode.startswith("I"):  # 16-bit greyscale PNG: a plain convert would clip to white
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    return image.convert("RGBA")


def _clamp_aspect(image: Image.Image, lowest: float, highest: float) -> Image.Image:
    """Center-crop to an aspect ratio (width / height) within [lowest, highest]."""
    width, height = image.size
    if width / height > highest:
        return ImageOps.fit(image, (round(height * highest), height), method=Image.Resampling.LANCZOS)
    if width / height < lowest:
        return ImageOps.fit(image, (width, round(width / lowest)), method=Image.Resampling.LANCZOS)
    return image


def _draw(source: Image.Image, box: _Box, scale: int) -> Image.Image:
    size = (box.width * scale, box.height * scale)
    if box.placement == "cover":
        return ImageOps.fit(source, size, method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    if box.placement == "pad":
        return ImageOps.pad(source, size, method=Image.Resampling.LANCZOS, color=(0, 0, 0, 0))
    return source.resize(_fit_size(source.size, box, scale), Image.Resampling.LANCZOS)


def _fit_size(size: tuple[int, int], box: _Box, scale: int) -> tuple[int, int]:
    """The largest whole point size with the source's aspect ratio inside box, times scale.

    Rounding in points, not pixels, keeps @2x and @3x exact multiples of @1x.
    """
    width, height = size
    ratio = min(box.width / width, box.height / height)
    return max(1, round(width * ratio)) * scale, max(1, round(height * ratio)) * scale


def _png(image: Image.Image) -> bytes:
    image.info.clear()  # no EXIF, ICC, text or timestamps: the same input gives the same bytes
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=9)
    return buffer.getvalue()
