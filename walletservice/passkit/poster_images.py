"""The images a poster face shows beyond its classic style's, and Apple's sizes for them.

Apple's Pass Builder (PassPackage.swift, one PassImageDescriptor per image) names them and
gives each a size in points, either exact ("required") or an upper bound ("maximum"); the
@2x and @3x renditions are two and three times that. Poster event tickets (iOS 18,
preferredStyleSchemes posterEventTicket) show artwork, primaryLogo and secondaryLogo;
the poster generic face (iOS 27, passkit.poster_generic) shows primaryLogo and its own
345 x 505 background. The classic background (180 x 220) keeps its size on event
tickets: there one background.png serves the classic layout, the fallback for older iOS.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .package_files import image_role
from .problems import Problems

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The signature, the IHDR chunk's length and type, then width and height: all png_size reads.
PNG_HEADER_BYTES = 24


@dataclass(frozen=True)
class ImageSize:
    """One PassImageDescriptor's size in points."""

    width: int
    height: int
    exact: bool  # Pass Builder's .required; False is .maximum

    def problem(self, pixels: tuple[int, int], scale: int) -> str | None:
        """Why an image of `pixels` at `scale` does not fit, or None."""
        want = (self.width * scale, self.height * scale)
        if self.exact and pixels != want:
            return f"is {pixels[0]} x {pixels[1]} pixels; Apple's size at @{scale}x is exactly {want[0]} x {want[1]}"
        if not self.exact and (pixels[0] > want[0] or pixels[1] > want[1]):
            return f"is {pixels[0]} x {pixels[1]} pixels; Apple's size at @{scale}x is at most {want[0]} x {want[1]}"
        return None


# PassPackage.swift's descriptors for the poster images.
POSTER_IMAGE_SIZES = {
    "artwork": ImageSize(358, 448, exact=True),
    "primaryLogo": ImageSize(126, 30, exact=False),
    "secondaryLogo": ImageSize(135, 12, exact=False),
    "background": ImageSize(345, 505, exact=True),
}
POSTER_EVENT_IMAGES = ("artwork", "primaryLogo", "secondaryLogo")
POSTER_GENERIC_IMAGES = ("primaryLogo", "background")


def poster_images(pass_json: Any) -> tuple[str, ...]:
    """The poster images this pass.json may carry beside its classic style's."""
    if not isinstance(pass_json, Mapping):
        return ()
    roles: tuple[str, ...] = ()
    schemes = pass_json.get("preferredStyleSchemes")
    if "eventTicket" in pass_json and isinstance(schemes, list) and "posterEventTicket" in schemes:
        roles += POSTER_EVENT_IMAGES
    if "posterGeneric" in pass_json:
        roles += tuple(role for role in POSTER_GENERIC_IMAGES if role not in roles)
    return roles


def check_poster_event_artwork(pass_json: Any, file_names: list[str], problems: Problems) -> None:
    """A poster event ticket needs artwork or a background: Apple's Pass Builder reports the
    lack as an error, which blocks signing (EventTicketValidator.swift, validateImages;
    "Image 'artwork' is required for Poster Event Tickets")."""
    if "artwork" not in poster_images(pass_json):
        return
    roles = {image_role(name.rpartition("/")[2]) for name in file_names if isinstance(name, str)}
    if not roles & {"artwork", "background"}:
        problems.missing("artwork.png", "(or background.png) for a posterEventTicket; "
                                        "Apple's Pass Builder refuses to sign one without either")


def check_poster_image_sizes(pass_json: Any, files: Mapping[str, bytes], problems: Problems) -> None:
    """Each poster image file (any scale, any .lproj) against its descriptor; a 422 names the file.
    `files` maps names to PNG bytes, of which the first PNG_HEADER_BYTES suffice."""
    shown = poster_images(pass_json)
    for name, data in files.items():
        base = name.rpartition("/")[2]
        role = image_role(base)
        if role not in shown:
            continue
        pixels = png_size(data)
        if pixels is None:
            continue  # bundle reports files that are not PNGs
        why = POSTER_IMAGE_SIZES[role].problem(pixels, _scale_of(base))
        if why:
            problems.add(name, why)


def _scale_of(file_name: str) -> int:
    for scale in (2, 3):
        if f"@{scale}x." in file_name:
            return scale
    return 1


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR chunk, without decoding it."""
    if len(data) < PNG_HEADER_BYTES or not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:PNG_HEADER_BYTES])
    return width, height
