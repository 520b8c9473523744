"""render_image_set: uploads become Apple-sized PNGs at three scales."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms

from walletservice.passkit import IMAGE_ROLES, ImageError, render_image_set
from walletservice.passkit.images import MAX_IMAGE_BYTES

from .factories import image_bytes


def sizes(images: dict[str, bytes]) -> dict[str, tuple[int, int]]:
    return {name: Image.open(io.BytesIO(data)).size for name, data in images.items()}


def test_image_roles_are_apples():
    # The poster faces' images (Apple's Pass Builder, PassPackage.swift).
    assert IMAGE_ROLES == ("icon", "logo", "strip", "thumbnail", "background", "footer", "primaryLogo",
                           "artwork", "secondaryLogo")


@pytest.mark.parametrize("role, style, source, point_size", [
    ("icon", None, (300, 300), (29, 29)),
    ("icon", None, (300, 150), (29, 29)),           # letterboxed: the icon is always square
    ("logo", None, (400, 100), (160, 40)),          # fits within 160 x 50, aspect kept
    ("logo", None, (100, 100), (50, 50)),
    ("thumbnail", None, (120, 90), (90, 68)),       # fits within 90 x 90
    ("thumbnail", None, (400, 100), (90, 60)),      # cropped to Apple's widest aspect, 3:2
    ("strip", "eventTicket", (1000, 500), (375, 98)),
    ("strip", "coupon", (1000, 500), (375, 144)),
    ("strip", "storeCard", (200, 200), (375, 144)),
    ("strip", "generic", (1000, 500), (375, 123)),
    ("strip", None, (1000, 500), (375, 123)),
    ("background", "eventTicket", (500, 500), (180, 220)),
    ("footer", "boardingPass", (600, 60), (150, 15)),
    ("background", "posterGeneric", (800, 1000), (345, 505)),  # Pass Builder: exactly 345 x 505
    ("primaryLogo", "posterGeneric", (600, 100), (126, 21)),    # Pass Builder: at most 126 x 30
    ("artwork", None, (1000, 1000), (358, 448)),                # Pass Builder: exactly 358 x 448
    ("secondaryLogo", None, (900, 60), (135, 9)),               # Pass Builder: at most 135 x 12
])
def test_each_role_is_scaled_to_apples_point_size_at_three_scales(role, style, source, point_size):
    images = render_image_set(image_bytes(source), role, style)

    width, height = point_size
    assert sizes(images) == {
        f"{role}.png": (width, height),
        f"{role}@2x.png": (width * 2, height * 2),
        f"{role}@3x.png": (width * 3, height * 3),
    }


def test_fitted_sizes_are_whole_points_so_every_scale_is_an_exact_multiple():
    images = render_image_set(image_bytes((120, 90)), "thumbnail")  # 90 x 67.5 points

    assert sizes(images) == {"thumbnail.png": (90, 68), "thumbnail@2x.png": (180, 136), "thumbnail@3x.png": (270, 204)}


def test_output_is_rgba_png_without_metadata():
    buffer = io.BytesIO()
    Image.new("RGB", (100, 100), "blue").save(buffer, "PNG", dpi=(300, 300))

    for data in render_image_set(buffer.getvalue(), "icon").values():
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG" and image.mode == "RGBA"
        assert "dpi" not in image.info and "exif" not in image.info and "icc_profile" not in image.info


@pytest.mark.parametrize("fmt, mode", [("JPEG", "RGB"), ("JPEG", "CMYK"), ("GIF", "P"), ("WEBP", "RGB"),
                                       ("BMP", "RGB"), ("PNG", "P"), ("PNG", "LA"), ("PNG", "I;16")])
def test_common_formats_and_modes_become_rgba_png(fmt, mode):
    color = {"CMYK": (0, 255, 255, 0), "LA": (128, 255), "I;16": 40000, "P": 3}.get(mode, (255, 0, 0))

    images = render_image_set(image_bytes((90, 60), color=color, fmt=fmt, mode=mode), "logo")

    image = Image.open(io.BytesIO(images["logo.png"]))
    assert image.format == "PNG" and image.mode == "RGBA"


def test_jpeg_colors_survive_conversion():
    images = render_image_set(image_bytes((100, 100), color=(255, 0, 0), fmt="JPEG"), "icon")

    red, green, blue, alpha = Image.open(io.BytesIO(images["icon@2x.png"])).getpixel((29, 29))
    assert red > 240 and green < 15 and blue < 15 and alpha == 255


def test_sixteen_bit_greyscale_keeps_its_brightness():
    images = render_image_set(image_bytes((50, 50), color=32768, mode="I;16"), "icon")

    red, green, blue, _ = Image.open(io.BytesIO(images["icon.png"])).getpixel((14, 14))
    assert red == green == blue and 120 <= red <= 136


def test_transparency_is_kept():
    images = render_image_set(image_bytes((100, 100), color=(0, 0, 0, 0), mode="RGBA"), "logo")

    assert Image.open(io.BytesIO(images["logo.png"])).getpixel((10, 10))[3] == 0


def test_exif_orientation_is_applied():
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise when displayed
    Image.new("RGB", (200, 100), "green").save(buffer, "JPEG", exif=exif)

    images = render_image_set(buffer.getvalue(), "logo")

    assert sizes(images)["logo.png"] == (25, 50)  # shown upright: 100 x 200, fitted into 160 x 50


def test_same_input_gives_the_same_bytes():
    data = image_bytes((640, 480), fmt="JPEG")

    assert render_image_set(data, "strip", "coupon") == render_image_set(data, "strip", "coupon")


def test_unknown_role_is_rejected():
    with pytest.raises(ImageError, match="'banner' is not an image role; use one of icon, logo, strip"):
        render_image_set(image_bytes(), "banner")


@pytest.mark.parametrize("data", [b"", b"hello, not an image", b"%PDF-1.4\n"])
def test_non_images_are_rejected(data):
    with pytest.raises(ImageError, match="not an image, or not one of PNG, JPEG"):
        render_image_set(data, "icon")


def test_truncated_image_is_rejected():
    data = image_bytes((300, 300), fmt="JPEG")

    with pytest.raises(ImageError, match="image is corrupt"):
        render_image_set(data[: len(data) // 2], "icon")


def test_image_formats_outside_the_common_ones_are_rejected():
    with pytest.raises(ImageError, match="not an image, or not one of"):
        render_image_set(image_bytes(fmt="TIFF"), "icon")


def test_uploads_over_one_megabyte_are_rejected():
    with pytest.raises(ImageError, match=f"the limit is {MAX_IMAGE_BYTES} \\(1 MB\\)"):
        render_image_set(b"\x89PNG\r\n\x1a\n" + bytes(MAX_IMAGE_BYTES), "icon")


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas: a decompression bomb."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


@pytest.mark.parametrize("width, height", [(5000, 5000), (20000, 20000)])
def test_absurd_dimensions_are_rejected_before_decoding(width, height):
    with pytest.raises(ImageError, match="pixels"):
        render_image_set(png_claiming_size(width, height), "icon")


def test_embedded_color_profile_is_applied_then_dropped():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    Image.new("RGB", (60, 60), (10, 120, 240)).save(buffer, "PNG", icc_profile=srgb)

    images = render_image_set(buffer.getvalue(), "icon")

    image = Image.open(io.BytesIO(images["icon.png"]))
    assert "icc_profile" not in image.info
    assert all(abs(a - b) <= 2 for a, b in zip(image.getpixel((14, 14)), (10, 120, 240, 255)))


def test_broken_color_profile_is_ignored():
    buffer = io.BytesIO()
    Image.new("RGB", (60, 60), (10, 120, 240)).save(buffer, "PNG", icc_profile=b"not a profile")

    assert render_image_set(buffer.getvalue(), "icon")["icon.png"].startswith(b"\x89PNG")
