"""Barcodes: format names, the `barcodes` array and the legacy `barcode` key."""

from __future__ import annotations

import pytest

from walletservice.passkit import PassValidationError, build_pass_json, validate_pass

from .factories import make_design


def barcode_keys(design: dict, identity) -> dict:
    pass_json = build_pass_json(design, identity)
    return {key: pass_json[key] for key in ("barcodes", "barcode") if key in pass_json}


@pytest.mark.parametrize("given, expected", [
    ("qrcode", "PKBarcodeFormatQR"), ("qr", "PKBarcodeFormatQR"), ("QR", "PKBarcodeFormatQR"),
    ("pdf417", "PKBarcodeFormatPDF417"), ("aztec", "PKBarcodeFormatAztec"),
    ("PKBarcodeFormatQR", "PKBarcodeFormatQR"), ("PKBarcodeFormatPDF417", "PKBarcodeFormatPDF417"),
    ("PKBarcodeFormatAztec", "PKBarcodeFormatAztec"),
])
def test_two_dimensional_formats_go_in_barcodes_and_the_legacy_key(given, expected, identity):
    keys = barcode_keys(make_design(barcode={"format": given, "message": "M-1", "altText": "M 1"}), identity)

    entry = {"format": expected, "message": "M-1", "messageEncoding": "iso-8859-1", "altText": "M 1"}
    assert keys == {"barcodes": [entry], "barcode": entry}


@pytest.mark.parametrize("given", ["code128", "ean128", "EAN128", "PKBarcodeFormatCode128"])
def test_code128_goes_in_barcodes_only_because_old_ios_cannot_draw_it(given, identity):
    keys = barcode_keys(make_design(barcode={"format": given, "message": "12345"}), identity)

    assert keys == {"barcodes": [{"format": "PKBarcodeFormatCode128", "message": "12345", "messageEncoding": "iso-8859-1"}]}


@pytest.mark.parametrize("design_barcode", [{"format": "none", "message": "x"}, None])
def test_none_format_or_no_barcode_gives_no_barcode_keys(design_barcode, identity):
    assert barcode_keys(make_design(barcode=design_barcode), identity) == {}


def test_message_encoding_is_kept_when_given(identity):
    keys = barcode_keys(make_design(barcode={"format": "qr", "message": "Grüße €", "messageEncoding": "utf-8"}), identity)

    assert keys["barcodes"][0]["messageEncoding"] == "utf-8"


def test_a_barcodes_list_is_accepted_and_the_legacy_key_takes_the_first_drawable_entry(identity):
    design = make_design(barcodes=[{"format": "ean128", "message": "1"}, {"format": "pdf417", "message": "2"}])

    keys = barcode_keys(design, identity)

    assert [entry["format"] for entry in keys["barcodes"]] == ["PKBarcodeFormatCode128", "PKBarcodeFormatPDF417"]
    assert keys["barcode"]["format"] == "PKBarcodeFormatPDF417"


def problems_for(design: dict, identity) -> list[str]:
    with pytest.raises(PassValidationError) as caught:
        build_pass_json(design, identity)
    return caught.value.problems


def test_unknown_format_is_rejected(identity):
    assert problems_for(make_design(barcode={"format": "datamatrix", "message": "x"}), identity) == [
        "barcode.format: 'datamatrix' is not a barcode format; use qr, pdf417, aztec, code128 (or ean128), "
        "ean13, code39, codabar, itf, none, or one of PKBarcodeFormatQR, PKBarcodeFormatPDF417, PKBarcodeFormatAztec, "
        "PKBarcodeFormatCode128, PKBarcodeFormatEAN13, PKBarcodeFormatCode39, PKBarcodeFormatCodabar, "
        "PKBarcodeFormatI2of5"
    ]


def test_barcode_and_barcodes_together_are_rejected(identity):
    design = make_design(barcode={"format": "qr", "message": "x"}, barcodes=[{"format": "qr", "message": "x"}])

    assert problems_for(design, identity) == ["barcode: give barcode or barcodes, not both"]


def test_barcode_without_message_is_rejected(identity):
    assert problems_for(make_design(barcode={"format": "qr"}), identity) == [
        "barcodes[0].message is required",
        "barcode.message is required",
    ]


def test_unknown_barcode_key_is_rejected(identity):
    assert problems_for(make_design(barcode={"format": "qr", "message": "x", "text": "y"}), identity) == [
        "barcode.text: unknown key; did you mean altText?"
    ]


def test_message_that_the_encoding_cannot_hold_is_rejected(identity):
    problems = problems_for(make_design(barcode={"format": "pdf417", "message": "€ 5"}), identity)

    assert problems[0] == "barcodes[0].message: cannot be written in iso-8859-1; set messageEncoding to utf-8"


def test_unknown_message_encoding_is_rejected(identity):
    problems = problems_for(make_design(barcode={"format": "qr", "message": "x", "messageEncoding": "klingon"}), identity)

    assert problems[0] == "barcodes[0].messageEncoding: 'klingon' is not a known character set (IANA name, e.g. iso-8859-1)"


def test_validation_rejects_code128_in_the_legacy_barcode_key(identity, icon_files):
    pass_json = build_pass_json(make_design(), identity)
    pass_json["barcode"] = {"format": "PKBarcodeFormatCode128", "message": "1", "messageEncoding": "iso-8859-1"}

    with pytest.raises(PassValidationError) as caught:
        validate_pass(pass_json, icon_files)

    assert caught.value.problems == [
        "barcode.format: Code 128 is not supported by the legacy barcode key; use barcodes only"
    ]


# iOS 27's linear formats (Apple's Pass Builder, Pass+Barcode.swift): older iOS cannot draw them.
@pytest.mark.parametrize("given, expected", [
    ("ean13", "PKBarcodeFormatEAN13"), ("code39", "PKBarcodeFormatCode39"), ("codabar", "PKBarcodeFormatCodabar"),
    ("itf", "PKBarcodeFormatI2of5"), ("i2of5", "PKBarcodeFormatI2of5"), ("PKBarcodeFormatEAN13", "PKBarcodeFormatEAN13"),
])
def test_an_ios27_format_alone_gets_a_code128_fallback_and_no_legacy_key(given, expected, identity):
    keys = barcode_keys(make_design(barcode={"format": given, "message": "4006381333931", "altText": "4 006381 333931"}),
                        identity)

    entry = {"message": "4006381333931", "messageEncoding": "iso-8859-1", "altText": "4 006381 333931"}
    assert keys == {"barcodes": [{"format": expected, **entry}, {"format": "PKBarcodeFormatCode128", **entry}]}


def test_an_ios27_format_with_its_own_fallback_is_kept_as_given(identity):
    design = make_design(barcodes=[{"format": "ean13", "message": "4006381333931"}, {"format": "qr", "message": "Q"}])

    keys = barcode_keys(design, identity)

    assert [entry["format"] for entry in keys["barcodes"]] == ["PKBarcodeFormatEAN13", "PKBarcodeFormatQR"]
    assert keys["barcode"]["format"] == "PKBarcodeFormatQR"


def test_validation_refuses_barcodes_with_only_ios27_formats(identity, icon_files):
    pass_json = build_pass_json(make_design(barcode={"format": "qr", "message": "1"}), identity)
    pass_json["barcodes"] = [{"format": "PKBarcodeFormatCodabar", "message": "A123B", "messageEncoding": "iso-8859-1"}]
    del pass_json["barcode"]

    with pytest.raises(PassValidationError) as caught:
        validate_pass(pass_json, icon_files)

    assert caught.value.problems == [
        "barcodes: iOS 26 and earlier draw none of these formats; add a fallback (PKBarcodeFormatQR, "
        "PKBarcodeFormatPDF417, PKBarcodeFormatAztec, PKBarcodeFormatCode128) to the list"]


def test_validation_refuses_an_ios27_format_in_the_legacy_key(identity, icon_files):
    pass_json = build_pass_json(make_design(barcode={"format": "qr", "message": "1"}), identity)
    pass_json["barcode"] = {"format": "PKBarcodeFormatEAN13", "message": "1", "messageEncoding": "iso-8859-1"}

    with pytest.raises(PassValidationError) as caught:
        validate_pass(pass_json, icon_files)

    assert caught.value.problems == [
        "barcode.format: EAN-13 is not supported by the legacy barcode key; use barcodes only"]
