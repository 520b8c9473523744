"""The preview's barcode is the one Wallet draws from the pass.json actually built: the
first entry of `barcodes` after the builder has left out those that draw nothing."""

from __future__ import annotations

from walletservice.passkit.barcodes import design_barcodes
from walletservice.passkit.problems import Problems
from walletservice.services.pass_preview import pass_preview

DESIGN = {"style": "generic", "organizationName": "Toy Town", "description": "A pass",
          "primaryFields": [{"key": "offer", "label": "OFFER", "value": "20% off"}]}


def test_a_first_entry_that_draws_nothing_is_skipped_as_pass_json_skips_it() -> None:
    design = {**DESIGN, "barcodes": [{"format": "none"}, {"format": "qr", "message": "TOY-2", "altText": "TOY 2"}]}
    problems = Problems()
    built = design_barcodes(design, problems)
    assert [entry["format"] for entry in built] == ["PKBarcodeFormatQR"] and not problems.messages  # Wallet draws a QR
    barcode = pass_preview(design).barcode
    assert barcode is not None and (barcode.format, barcode.message, barcode.alt_text) == ("qr", "TOY-2", "TOY 2")


def test_no_entry_that_draws_is_no_barcode() -> None:
    assert pass_preview({**DESIGN, "barcodes": [{"format": "none"}]}).barcode is None
    assert pass_preview(DESIGN).barcode is None
