"""iOS 27's linear barcode formats through v2: an EAN-13 (Code 39, Codabar, ITF) campaign signs a
pass whose `barcodes` carry the format in Apple's spelling and a Code 128 fallback for older iOS."""

from __future__ import annotations

import pytest

from tests.api.conftest import error_text
from tests.api.test_campaigns import create, upload
from tests.api.test_pass_features import assert_smime_verifies, new_campaign, new_pass, pass_json_of, pkpass_of
from tests.web.test_bundles import assert_signed_pkpass


@pytest.mark.parametrize(("v2_format", "apple_format", "message"), [
    ("ean13", "PKBarcodeFormatEAN13", "4006381333931"),
    ("code39", "PKBarcodeFormatCode39", "MEMBER-42"),
    ("codabar", "PKBarcodeFormatCodabar", "A40156B"),
    ("itf", "PKBarcodeFormatI2of5", "12345678"),
])
def test_an_ios27_barcode_is_signed_with_a_code128_fallback(client, account, v2_format, apple_format, message,
                                                            dev_ca_pem, tmp_path):
    campaign_id = new_campaign(client, account, "store_cards", {
        "name": "Till card", "barcode": {"format": v2_format, "message": message, "alt_text": message}})
    created = new_pass(client, account, "store_cards", campaign_id, {})
    assert created.status_code == 201, created.get_json()
    pkpass = pkpass_of(client, created.get_json())

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "cms")
    assert_smime_verifies(pkpass, dev_ca_pem, tmp_path / "smime")
    pass_json = pass_json_of(pkpass)
    entry = {"message": message, "messageEncoding": "iso-8859-1", "altText": message}
    assert pass_json["barcodes"] == [{"format": apple_format, **entry}, {"format": "PKBarcodeFormatCode128", **entry}]
    assert "barcode" not in pass_json  # iOS 8 and earlier draw neither
    assert created.get_json()["barcode"]["format"] == v2_format


def test_an_unknown_barcode_format_is_422_naming_the_key(client, account):
    response = create(client, account, "store_cards", {
        "name": "Till card", "icon_id": upload(client, account), "barcode": {"format": "upca", "message": "1"}})

    assert response.status_code == 422, response.get_json()
    assert "barcode.format" in error_text(response)
