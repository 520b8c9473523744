"""The pass.json support table (passkit.pass_format) against the builder's real behaviour.

Designs are made from the builder's own key lists (DESIGN_KEYS, FIELD_KEYS, ...), so a
key the builder starts to accept or emit without a row in the table fails here, and so
does a row marked built that the builder never writes.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import pytest

from walletservice.passkit import PassValidationError, build_pass_json
from walletservice.passkit.barcodes import BARCODE_KEYS
from walletservice.passkit.boarding_links import BOARDING_LINK_KEYS, BOARDING_URL_KEYS
from walletservice.passkit.design import DESIGN_KEYS
from walletservice.passkit.fields import FIELD_KEYS, FIELD_LISTS
from walletservice.passkit.format_table import DOC_PATH, GENERATED_MARKER, render_document, render_table
from walletservice.passkit.pass_format import PASS_KEYS, keys_where
from walletservice.passkit.poster_keys import EVENT_GUIDE_URL_KEYS
from walletservice.passkit.relevance import BEACON_KEYS, LOCATION_KEYS
from walletservice.passkit.relevant_dates import RELEVANT_DATE_KEYS
from walletservice.passkit.validation import STYLES

from .factories import NFC_PUBLIC_KEY, make_design

# A valid value for every key the builder takes, by name: a new key without one is a KeyError.
_VALUES: dict[str, Any] = {
    "latitude": 48.2, "longitude": 16.37, "altitude": 171.0, "relevantText": "Welcome",
    "proximityUUID": "e2c56db5-dffb-48d2-b060-d0f5a71096e0", "major": 1, "minor": 2,
    "format": "qr", "message": "ABC-123", "messageEncoding": "utf-8", "altText": "ABC-123",
}
_FIELD_VALUES: dict[str, Any] = {
    "label": "Doors", "value": "2026-05-01T19:00:00+02:00", "attributedValue": "<a href='https://x.test'>x</a>",
    "changeMessage": "Now %@", "dateStyle": "PKDateStyleShort", "timeStyle": "PKDateStyleShort",
    "isRelative": False, "ignoresTimeZone": True, "textAlignment": "PKTextAlignmentLeft",
    "dataDetectorTypes": ["PKDataDetectorTypeLink"], "semantics": {"eventName": "Gala"},
}
_NUMBER_FIELD = {"key": "price", "value": 12.5, "numberStyle": "PKNumberStyleDecimal", "currencyCode": "EUR"}
_ONLY_ON = {"transitType": ("boardingPass",), "groupingIdentifier": ("boardingPass", "eventTicket"),
            "preferredStyleSchemes": ("eventTicket",), "upcomingPassInformation": ("eventTicket",),
            **dict.fromkeys(BOARDING_LINK_KEYS, ("boardingPass",)),
            **dict.fromkeys(("posterGeneric", "footerFields"), ("coupon", "generic", "storeCard"))}
BOARDING_LINKS: dict[str, Any] = {
    **{key: f"https://airline.example.test/{key}" for key in BOARDING_URL_KEYS},
    "transitProviderEmail": "care@airline.example.test", "transitProviderPhoneNumber": "+43 1 700 0",
}
POSTER_VALUES: dict[str, Any] = {
    "eventLogoText": "Live", "footerBackgroundColor": "#102030", "suppressHeaderDarkening": True,
    "useAutomaticColors": False, "auxiliaryStoreIdentifiers": [987654321],
    **{key: f"https://venue.example.test/{key}" for key in EVENT_GUIDE_URL_KEYS},
    "contactVenueEmail": "box-office@venue.example.test", "contactVenuePhoneNumber": "+43 1 234 56 78",
}
FEATURED_ACTION = {"identifier": "benefits", "type": "membershipBenefits", "url": "https://example.test/benefits"}
_IMAGE_URL = {"URL": "https://img.example.test/a.png", "SHA256": "ab" * 32, "scale": 2, "size": 2048}
UPCOMING_EVENT = {
    "identifier": "home-1", "name": "Home game 1", "type": "event", "isActive": True,
    "dateInformation": {"date": "2026-05-08T19:00:00Z", "timeZone": "Europe/Vienna", "isAllDay": False},
    "images": {"headerImage": {"URLs": [_IMAGE_URL]}, "venueMap": {"reuseExisting": True}},
    "URLs": {"merchandiseURL": "https://shop.example.test"}, "semantics": {"venueName": "Arena"},
    "additionalInfoFields": [{"key": "up-doors", "label": "Doors", "value": "18:00"}],
    "backFields": [{"key": "up-terms", "label": "Terms", "value": "None"}],
    "auxiliaryStoreIdentifiers": [123456789],
}


def _semantic_sample(type_: str) -> Any:
    samples = {
        "string": "x", "ISO 8601 date": "2026-05-01T19:00:00Z", "[string]": ["x"], "boolean": True,
        "number": 1, "number (seconds)": 7200, "PKEventType…": "PKEventTypeLivePerformance",
        "Location": {"latitude": 48.2, "longitude": 16.37}, "CurrencyAmount": {"amount": "10", "currencyCode": "EUR"},
        "PersonNameComponents": {"givenName": "Ada"}, "[Seat]": [{"seatNumber": "7"}],
        "[WifiNetwork]": [{"ssid": "venue", "password": "secret"}], "EventDateInfo": {"date": "2026-05-01T19:00:00Z"},
        "[AirPlay]": [{"airplayDeviceGroupToken": "t"}], "IANA time zone": "Europe/Vienna",
        "localizable string": "x", "[PKTransitSecurityProgram…]": ["PKTransitSecurityProgramTSAPreCheck"],
        "[PKPassengerCapability…]": ["PKPassengerCapabilityPriorityBoarding"],
    }
    return samples[type_]


def _everything(style: str) -> dict[str, Any]:
    """A design of `style` that sets every key the builder accepts for it."""
    fields = {name: [{"key": f"{name}-a", "label": "A", "value": "a"}] for name in FIELD_LISTS}
    fields["auxiliaryFields"] = [
        {"key": "every", **{key: _FIELD_VALUES[key] for key in FIELD_KEYS if key not in ("key", "numberStyle", "currencyCode")}}, _NUMBER_FIELD]
    semantics = {key.path.removeprefix("semantics."): _semantic_sample(key.type)
                 for key in PASS_KEYS if key.path.startswith("semantics.")}
    design: dict[str, Any] = {
        **make_design(style), **fields,
        "logoText": "Example", "foregroundColor": "#ffffff", "backgroundColor": "#000000", "labelColor": "#cccccc",
        "barcodes": [{key: _VALUES[key] for key in BARCODE_KEYS}],
        "locations": [{key: _VALUES[key] for key in LOCATION_KEYS}],
        "beacons": [{key: _VALUES[key] for key in BEACON_KEYS}],
        "maxDistance": 50, "relevantDate": "2026-05-01T18:00:00Z", "expirationDate": "2026-05-02T00:00:00Z",
        "relevantDates": [{"date": "2026-05-01T18:00:00Z"},
                          {key: f"2026-05-01T{19 + index}:00:00Z" for index, key in enumerate(("startDate", "endDate"))}],
        "voided": False, "groupingIdentifier": "season-2026", "associatedStoreIdentifiers": [123456789],
        "appLaunchURL": "example://pass", "userInfo": {"crm": 1}, "sharingProhibited": True,
        "suppressStripShine": True, "semantics": semantics,
        "nfc": {"message": "hello", "encryptionPublicKey": NFC_PUBLIC_KEY, "requiresAuthentication": True},
        "preferredStyleSchemes": ["posterEventTicket", "eventTicket"],
        "upcomingPassInformation": [UPCOMING_EVENT],
        "featuredActions": [FEATURED_ACTION],
        "posterGeneric": True, "footerFields": [{"key": "footer", "label": "Member", "value": "Ada"}],
        **POSTER_VALUES, **BOARDING_LINKS,
    }
    assert set(RELEVANT_DATE_KEYS) == {key for entry in design["relevantDates"] for key in entry}
    return {key: value for key, value in design.items() if style in _ONLY_ON.get(key, (style,))}


def key_paths(pass_json: Mapping[str, Any]) -> set[str]:
    """Every key of a pass.json, written as pass_format paths."""
    return set(key_values(pass_json))


def key_values(pass_json: Mapping[str, Any]) -> dict[str, list[Any]]:
    """pass_format path -> the values found there, in pass.json order."""
    found: dict[str, list[Any]] = {}
    for key, value in pass_json.items():
        found.setdefault(key, []).append(value)
        if key in STYLES or key == "posterGeneric":
            _style_values(key, value, found)
        elif key in ("barcode", "nfc", "semantics"):
            for inner, inner_value in value.items():
                found.setdefault(f"{key}.{inner}", []).append(inner_value)
        elif isinstance(value, list) and value and isinstance(value[0], Mapping):
            for item in value:
                for inner, inner_value in item.items():
                    found.setdefault(f"{key}[].{inner}", []).append(inner_value)
        if key == "upcomingPassInformation":
            _upcoming_image_values(value, found)
    return found


def _upcoming_image_values(entries: list[Mapping[str, Any]], found: dict[str, list[Any]]) -> None:
    prefix = "upcomingPassInformation[].images.<image>"
    for image in (image for entry in entries for image in (entry.get("images") or {}).values()):
        for inner, inner_value in image.items():
            if inner != "URLs":
                found.setdefault(f"{prefix}.{inner}", []).append(inner_value)
        for url_entry in image.get("URLs") or []:
            for inner, inner_value in url_entry.items():
                found.setdefault(f"{prefix}.URLs[].{inner}", []).append(inner_value)


def _style_values(style: str, style_fields: Mapping[str, Any], found: dict[str, list[Any]]) -> None:
    for name, fields in style_fields.items():
        if name == "transitType":
            found.setdefault(f"{style}.transitType", []).append(fields)
            continue
        found.setdefault(f"<style>.{name}", []).append(fields)
        for field in fields:
            for inner, inner_value in field.items():
                found.setdefault(f"<field>.{inner}", []).append(inner_value)


def test_every_key_the_builder_emits_is_marked_built_and_every_built_key_is_emitted(identity):
    emitted: set[str] = set()
    accepted: set[str] = set()
    for style in STYLES:
        design = _everything(style)
        accepted.update(design)
        emitted |= key_paths(build_pass_json(design, identity))

    assert accepted == set(DESIGN_KEYS) - {"barcode"}  # "barcode" is the one-barcode form of barcodes
    assert sorted(emitted - keys_where("built")) == []
    assert sorted(keys_where("built") - emitted) == []


def test_a_semantic_tag_the_table_does_not_list_is_refused_with_a_hint(identity):
    design = make_design("eventTicket", semantics={"venuName": "Arena"})

    with pytest.raises(PassValidationError) as raised:
        build_pass_json(design, identity)

    assert raised.value.problems == ["semantics.venuName: unknown key; did you mean venueName?"]


def test_every_validated_key_is_also_built():
    # The pass.json rules also run on pass.json from elsewhere, but every rule is for a key we write.
    assert sorted(keys_where("validated") - keys_where("built")) == []


def test_the_table_has_one_row_per_key():
    paths = [key.path for key in PASS_KEYS]
    assert len(paths) == len(set(paths))
    assert render_table().count("\n") == len(PASS_KEYS) + 2


def test_docs_pass_format_md_is_the_generated_table():
    current = DOC_PATH.read_text(encoding="utf-8")

    assert GENERATED_MARKER in current
    assert current == render_document(current), "run: python -m walletservice.passkit.format_table"


def test_the_check_command_fails_on_a_stale_document(tmp_path, monkeypatch):
    stale = tmp_path / "pass-format.md"
    stale.write_text(DOC_PATH.read_text(encoding="utf-8").replace("| yes |", "| no |", 1), encoding="utf-8")
    monkeypatch.setattr("walletservice.passkit.format_table.DOC_PATH", stale)
    from walletservice.passkit.format_table import main

    assert main(["--check"]) == 1
    assert main([]) == 0 and main(["--check"]) == 0


def test_the_module_runs_as_a_script():
    result = subprocess.run([sys.executable, "-m", "walletservice.passkit.format_table", "--check"],
                            capture_output=True, text=True, cwd=DOC_PATH.parents[1])
    assert result.returncode == 0, result.stderr


def test_a_fields_semantic_tags_are_held_to_the_table_too(identity):
    design = make_design("eventTicket", primaryFields=[
        {"key": "gate", "label": "Gate", "value": "A1", "semantics": {"venueEntranceGat": "A1"}}])

    with pytest.raises(PassValidationError) as raised:
        build_pass_json(design, identity)

    assert raised.value.problems == [
        "eventTicket.primaryFields[0].semantics.venueEntranceGat: unknown key; did you mean venueEntranceGate?"]
