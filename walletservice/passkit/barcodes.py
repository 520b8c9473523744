"""Barcodes: the `barcodes` array and the legacy `barcode` key.

Apple: `barcode` is "Deprecated in iOS 9.0 and later; use barcodes instead", and its
format is one of PKBarcodeFormatQR, PKBarcodeFormatPDF417 or PKBarcodeFormatAztec;
Code 128 exists only in `barcodes` (iOS 9+). So a pass carries `barcodes` for current
devices and, for older ones, a `barcode` copied from the first entry an old device can
draw; a Code 128-only pass has no legacy `barcode` at all.

iOS 27 adds four linear formats (Apple's Pass Builder, Pass+Barcode.swift): EAN-13, Code 39,
Codabar and Interleaved 2 of 5. Older iOS cannot draw them, and Apple recommends a `barcodes`
list with a fallback format (WWDC26, What's new in Wallet), so a design whose barcodes are all
new formats gets a Code 128 copy of the first one appended: Code 128 encodes any ASCII message,
which every one of the four formats' messages is.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import Any

from .problems import Problems, describe

QR = "PKBarcodeFormatQR"
PDF417 = "PKBarcodeFormatPDF417"
AZTEC = "PKBarcodeFormatAztec"
CODE128 = "PKBarcodeFormatCode128"
CODE39 = "PKBarcodeFormatCode39"
CODABAR = "PKBarcodeFormatCodabar"
EAN13 = "PKBarcodeFormatEAN13"
I2OF5 = "PKBarcodeFormatI2of5"
CLASSIC_FORMATS = (QR, PDF417, AZTEC, CODE128)
IOS27_FORMATS = (EAN13, CODE39, CODABAR, I2OF5)
BARCODE_FORMATS = (*CLASSIC_FORMATS, *IOS27_FORMATS)
_LINEAR_NAMES = {CODE128: "Code 128", EAN13: "EAN-13", CODE39: "Code 39", CODABAR: "Codabar",
                 I2OF5: "ITF (Interleaved 2 of 5)"}
LEGACY_FORMATS = (QR, PDF417, AZTEC)
SQUARE_FORMATS = (QR, AZTEC)
# Short names designs use; "ean128" is what Passworks calls Code 128 (GS1-128).
_SHORT_NAMES = {
    "qr": QR, "qrcode": QR, "pdf417": PDF417, "aztec": AZTEC, "code128": CODE128, "ean128": CODE128,
    "ean13": EAN13, "code39": CODE39, "codabar": CODABAR, "itf": I2OF5, "i2of5": I2OF5,
}
NO_BARCODE = "none"
DEFAULT_ENCODING = "iso-8859-1"
BARCODE_KEYS = ("format", "message", "messageEncoding", "altText")


# -- design ---------------------------------------------------------------------------

def design_barcodes(design: Mapping[str, Any], problems: Problems) -> list[dict[str, Any]]:
    """The pass.json `barcodes` list from a design's `barcode` or `barcodes`."""
    single, many = design.get("barcode"), design.get("barcodes")
    if single is not None and many is not None:
        problems.add("barcode", "give barcode or barcodes, not both")
        return []
    if many is None:
        entries, paths = [single], ["barcode"]
    elif isinstance(many, list):
        entries, paths = many, [f"barcodes[{index}]" for index in range(len(many))]
    else:
        problems.add("barcodes", "must be a list of barcodes")
        return []
    barcodes = (_design_barcode(entry, path, problems) for entry, path in zip(entries, paths))
    return with_fallback([barcode for barcode in barcodes if barcode is not None])


def with_fallback(barcodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`barcodes` plus a Code 128 copy of the first when iOS 26 and earlier could draw none of them."""
    if not barcodes or _has_classic_format(barcodes):
        return barcodes
    return [*barcodes, {**barcodes[0], "format": CODE128}]


def _has_classic_format(barcodes: list[Any]) -> bool:
    return any(isinstance(item, Mapping) and item.get("format") in CLASSIC_FORMATS for item in barcodes)


def _design_barcode(entry: Any, path: str, problems: Problems) -> dict[str, Any] | None:
    if entry is None:
        return None
    if not isinstance(entry, Mapping):
        problems.add(path, "must be an object with format and message")
        return None
    for key in entry:
        if key not in BARCODE_KEYS:
            problems.unknown_key(path, str(key), BARCODE_KEYS)
    barcode_format = design_barcode_format(entry.get("format"), f"{path}.format", problems)
    if barcode_format in (None, NO_BARCODE):
        return None
    barcode = {"format": barcode_format}
    if "message" in entry:
        barcode["message"] = entry["message"]
    barcode["messageEncoding"] = entry.get("messageEncoding") or DEFAULT_ENCODING
    if entry.get("altText") is not None:
        barcode["altText"] = entry["altText"]
    return barcode


def design_barcode_format(value: Any, path: str, problems: Problems) -> str | None:
    """PKBarcodeFormat name, NO_BARCODE, or None after reporting a problem."""
    if value is None:
        problems.missing(path)
        return None
    if isinstance(value, str):
        if value in BARCODE_FORMATS:
            return value
        name = value.strip().lower()
        if name == NO_BARCODE:
            return NO_BARCODE
        if name in _SHORT_NAMES:
            return _SHORT_NAMES[name]
    problems.add(
        path,
        f"{describe(value)} is not a barcode format; use qr, pdf417, aztec, code128 (or ean128), "
        f"ean13, code39, codabar, itf, none, or one of {', '.join(BARCODE_FORMATS)}",
    )
    return None


def legacy_barcode(barcodes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The `barcode` value for iOS 8 and earlier: the first entry they can draw, if any."""
    return next((dict(item) for item in barcodes if item.get("format") in LEGACY_FORMATS), None)


# -- validation -----------------------------------------------------------------------

def displayed_barcode_format(pass_json: Mapping[str, Any]) -> str | None:
    """The format current Wallet shows: "the first valid barcode dictionary" of barcodes."""
    candidates = pass_json.get("barcodes")
    if not isinstance(candidates, list):
        candidates = [pass_json.get("barcode")]
    for item in candidates:
        if isinstance(item, Mapping) and item.get("format") in BARCODE_FORMATS:
            return item["format"]
    return None


def check_barcodes(pass_json: Mapping[str, Any], problems: Problems) -> None:
    barcodes = pass_json.get("barcodes")
    if barcodes is not None:
        if not isinstance(barcodes, list):
            problems.add("barcodes", "must be a list of barcodes")
        else:
            for index, item in enumerate(barcodes):
                _check_barcode(item, f"barcodes[{index}]", BARCODE_FORMATS, problems)
            if barcodes and not _has_classic_format(barcodes):
                problems.add("barcodes", "iOS 26 and earlier draw none of these formats; add a fallback "
                             f"({', '.join(CLASSIC_FORMATS)}) to the list")
    if pass_json.get("barcode") is not None:
        _check_barcode(pass_json["barcode"], "barcode", LEGACY_FORMATS, problems)


def _check_barcode(item: Any, path: str, formats: tuple[str, ...], problems: Problems) -> None:
    if not isinstance(item, Mapping):
        problems.add(path, "must be an object with format, message and messageEncoding")
        return
    barcode_format = item.get("format")
    if barcode_format is None:
        problems.missing(f"{path}.format")
    elif barcode_format in _LINEAR_NAMES and path == "barcode":
        problems.add(f"{path}.format",
                     f"{_LINEAR_NAMES[barcode_format]} is not supported by the legacy barcode key; use barcodes only")
    elif barcode_format not in formats:
        problems.add(f"{path}.format", f"{describe(barcode_format)} is not one of {', '.join(formats)}")
    for key in ("message", "messageEncoding"):
        if item.get(key) is None:
            problems.missing(f"{path}.{key}")
        elif not isinstance(item[key], str):
            problems.add(f"{path}.{key}", "must be a string")
    if "altText" in item and not isinstance(item["altText"], str):
        problems.add(f"{path}.altText", "must be a string")
    _check_encoding(item, path, problems)


def _check_encoding(item: Mapping[str, Any], path: str, problems: Problems) -> None:
    message, encoding = item.get("message"), item.get("messageEncoding")
    if not isinstance(message, str) or not isinstance(encoding, str):
        return
    try:
        message.encode(codecs.lookup(encoding).name)
    except LookupError:
        problems.add(
            f"{path}.messageEncoding",
            f"{encoding!r} is not a known character set (IANA name, e.g. iso-8859-1)",
        )
    except UnicodeEncodeError:
        # Wallet encodes the message in this charset before drawing it.
        problems.add(f"{path}.message", f"cannot be written in {encoding}; set messageEncoding to utf-8")
