"""From a pass design (Apple's key names, merged for one pass) to a checked pass.json.

A design differs from pass.json in a few friendly ways: the style is a value
(`"style": "coupon"`) and the field lists sit at the top level; `transitType` may be
short (`air`); colors may be hex; dates may be `datetime` objects or any ISO-8601
form with a time zone; barcode formats may be short (`qr`, `ean128`, `none`). Unknown
keys are rejected, because in a design a typo would otherwise silently vanish.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .barcodes import design_barcodes, legacy_barcode
from .colors import COLOR_KEYS, normalize_color
from .dates import normalize_pass_date
from .errors import PassValidationError
from .fields import FIELD_LISTS, design_field_list
from .nfc import asks_for_authentication, reject_unknown_nfc_keys
from .problems import Problems, describe
from .relevance import design_beacons, design_locations
from .relevant_dates import design_relevant_dates, fallback_relevant_date
from .semantic_tags import reject_unknown_semantic_tags
from .style_schemes import design_style_schemes
from .boarding_links import BOARDING_LINK_KEYS
from .poster_generic import FOOTER_FIELDS, design_poster_generic
from .poster_generic import KEY as POSTER_GENERIC_KEY
from .poster_keys import POSTER_KEYS, design_poster_keys
from .upcoming_events import KEY as UPCOMING_KEY
from .upcoming_events import design_upcoming_events
from .validation import DATES, STYLES, TRANSIT_TYPES, collect_pass_json_problems

__all__ = ["STYLES", "PassIdentity", "build_pass_json"]

_SHORT_TRANSIT_TYPES = {name.removeprefix("PKTransitType").lower(): name for name in TRANSIT_TYPES}
_TEXT_KEYS = ("organizationName", "description", "logoText")
# Copied unchanged (validation checks them), in this order after the keys built here.
_PASS_THROUGH_KEYS = (
    "maxDistance", "voided", "groupingIdentifier", "associatedStoreIdentifiers", "appLaunchURL",
    "userInfo", "sharingProhibited", "suppressStripShine", "semantics", "nfc", "featuredActions",
)
DESIGN_KEYS = (
    "style", "transitType", *_TEXT_KEYS, *COLOR_KEYS, *FIELD_LISTS, "barcode", "barcodes",
    "locations", "beacons", *DATES, "relevantDates", "preferredStyleSchemes", *_PASS_THROUGH_KEYS,
    *POSTER_KEYS, *BOARDING_LINK_KEYS, UPCOMING_KEY, POSTER_GENERIC_KEY, FOOTER_FIELDS,
)
# The tuple keeps pass.json's order and the error hints; the set is for the per-key check.
_DESIGN_KEY_SET = frozenset(DESIGN_KEYS)
_IDENTITY_KEYS = (
    "formatVersion", "passTypeIdentifier", "teamIdentifier", "serialNumber",
    "webServiceURL", "authenticationToken",
)


@dataclass(frozen=True)
class PassIdentity:
    """What makes a pass this pass: its type, team, serial and update channel."""

    pass_type_identifier: str
    team_identifier: str
    serial_number: str
    authentication_token: str | None = None
    web_service_url: str | None = None


def build_pass_json(
    design: Mapping[str, Any], identity: PassIdentity, *, check_output: bool = True
) -> dict[str, Any]:
    """pass.json for one pass; PassValidationError lists every problem found.

    check_output=False skips re-running the pass.json rules on the result, for
    callers that hand it straight to build_pkpass, which runs them anyway.

    Keys come out in a fixed order whatever the design's order. Design values of
    None count as absent, and a field whose value is None is left out (a dynamic
    field not filled yet).
    """
    if not isinstance(design, Mapping):
        raise PassValidationError(["design: must be an object"])
    design = copy.deepcopy({key: value for key, value in design.items() if value is not None})
    problems = Problems()
    _reject_unknown_keys(design, problems)
    style = _design_style(design, problems)
    pass_json: dict[str, Any] = {"formatVersion": 1, **_identity_keys(identity)}
    pass_json.update({key: design[key] for key in _TEXT_KEYS if key in design})
    pass_json.update(_colors(design, problems))
    if style is not None:
        pass_json[style] = _style_fields(design, style, problems)
    poster_generic = design_poster_generic(design, style, pass_json.get(style) or {}, problems)
    if poster_generic is not None:
        pass_json[POSTER_GENERIC_KEY] = poster_generic  # beside the classic style, iOS 26 and earlier's fallback
    pass_json.update(_barcode_keys(design, problems))
    if "locations" in design:
        pass_json["locations"] = design_locations(design["locations"], problems)
    if "beacons" in design:
        pass_json["beacons"] = design_beacons(design["beacons"], problems)
    pass_json.update(_dates(design, problems))
    if "preferredStyleSchemes" in design:
        pass_json["preferredStyleSchemes"] = design_style_schemes(design["preferredStyleSchemes"], style)
    pass_json.update({key: design[key] for key in _PASS_THROUGH_KEYS if key in design})
    pass_json.update(design_poster_keys(design))
    pass_json.update({key: design[key] for key in BOARDING_LINK_KEYS if key in design})
    if "nfc" in design:
        reject_unknown_nfc_keys(design["nfc"], problems)
        if asks_for_authentication(design["nfc"]):
            # Apple (Pass.NFC): without it a copy shared to an older iOS skips the authentication.
            pass_json.setdefault("sharingProhibited", True)
    reject_unknown_semantic_tags(design.get("semantics"), "semantics", problems)
    if design.get(UPCOMING_KEY) not in (None, []):  # [] is "no upcoming events", e.g. a pass clearing its campaign's
        pass_json[UPCOMING_KEY] = design_upcoming_events(design[UPCOMING_KEY], problems)
    if check_output:
        _check_output(pass_json, problems)
    else:
        problems.raise_if_any()
    return pass_json


def _identity_keys(identity: PassIdentity) -> dict[str, Any]:
    keys = {
        "passTypeIdentifier": identity.pass_type_identifier,
        "teamIdentifier": identity.team_identifier,
        "serialNumber": identity.serial_number,
    }
    # Apple: webServiceURL and authenticationToken each require the other, so a pass
    # gets both or neither (no token or no URL configured = a pass without updates).
    if identity.web_service_url and identity.authentication_token:
        keys["webServiceURL"] = identity.web_service_url
        keys["authenticationToken"] = identity.authentication_token
    return keys


def _reject_unknown_keys(design: Mapping[str, Any], problems: Problems) -> None:
    for key in design:
        if key in _IDENTITY_KEYS:
            problems.add(str(key), "comes from the pass identity, not the design")
        elif key in STYLES:
            problems.add(str(key), f'set "style": "{key}" and put the field lists at the top level')
        elif key not in _DESIGN_KEY_SET:
            problems.unknown_key("", str(key), DESIGN_KEYS)


def _design_style(design: Mapping[str, Any], problems: Problems) -> str | None:
    style = design.get("style")
    if style is None:
        problems.missing("style", f"(one of {', '.join(STYLES)})")
        return None
    if style not in STYLES:
        problems.add("style", f"{describe(style)} is not one of {', '.join(STYLES)}")
        return None
    return style


def _style_fields(design: Mapping[str, Any], style: str, problems: Problems) -> dict[str, Any]:
    style_fields: dict[str, Any] = {}
    transit_type = design.get("transitType")
    if style == "boardingPass" and transit_type is not None:
        style_fields["transitType"] = _transit_type(transit_type, problems)
    elif transit_type is not None:
        problems.add("transitType", "only boarding passes have a transit type")
    for list_name in FIELD_LISTS:
        if list_name in design:
            fields = design_field_list(design[list_name], f"{style}.{list_name}", problems)
            if fields != []:
                style_fields[list_name] = fields
    return style_fields


def _transit_type(value: Any, problems: Problems) -> Any:
    if value in TRANSIT_TYPES:
        return value
    if isinstance(value, str) and value.strip().lower() in _SHORT_TRANSIT_TYPES:
        return _SHORT_TRANSIT_TYPES[value.strip().lower()]
    short = "|".join(_SHORT_TRANSIT_TYPES)
    problems.add(
        "boardingPass.transitType", f"{describe(value)} is not a transit type; use {short} or PKTransitType…"
    )
    return value


def _colors(design: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    colors = {}
    for key in COLOR_KEYS:
        if key in design:
            color = normalize_color(design[key])
            if color is None:
                problems.add(key, f"{describe(design[key])} is not a color; use #rrggbb or rgb(r, g, b)")
            colors[key] = color or design[key]
    return colors


def _barcode_keys(design: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    barcodes = design_barcodes(design, problems)
    if not barcodes:
        return {}
    keys: dict[str, Any] = {"barcodes": barcodes}
    legacy = legacy_barcode(barcodes)
    if legacy is not None:
        keys["barcode"] = legacy
    return keys


def _dates(design: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    dates = {}
    for key in DATES:
        if key in design:
            try:
                dates[key] = normalize_pass_date(design[key])
            except ValueError as exc:
                problems.add(key, f"{describe(design[key])} {exc}")
                dates[key] = design[key]
    if "relevantDates" in design:
        dates["relevantDates"] = design_relevant_dates(design["relevantDates"], problems)
        # iOS before 18 reads only relevantDate: give it the earliest moment unless the design chose one.
        fallback = fallback_relevant_date(dates["relevantDates"])
        if "relevantDate" not in dates and fallback is not None:
            dates["relevantDate"] = fallback
    return dates


def _check_output(pass_json: Mapping[str, Any], problems: Problems) -> None:
    """Run the pass.json rules too; skip what the design step already reported."""
    found = Problems()
    collect_pass_json_problems(pass_json, found)
    problems.merge(found, except_under=problems.paths)
    problems.raise_if_any()
