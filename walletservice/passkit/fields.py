"""Pass fields: the header, primary, secondary, auxiliary and back field lists.

Apple's rules (Package Format Reference, "Field Dictionary Keys" and "Pass Style Keys"):
every field has a key unique across the pass and a value (string, number or date);
changeMessage must contain %@; a pass shows at most 3 header, 1 primary (2 on boarding
passes), 4 secondary and 4 auxiliary (5 on boarding passes) fields, and coupons, store
cards and generic passes with a square barcode share 4 slots between secondary and
auxiliary fields.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from .dates import normalize_pass_date, parse_pass_date
from .problems import Problems, describe, is_number
from .semantic_tags import reject_unknown_semantic_tags

# additionalInfoFields (iOS 18, PassFields.AdditionalInfoFields): shown by the poster layout.
FIELD_LISTS = (
    "headerFields", "primaryFields", "secondaryFields", "auxiliaryFields", "backFields", "additionalInfoFields",
)
# Output order of a field's keys; also the keys a design may use.
FIELD_KEYS = (
    "key", "label", "value", "attributedValue", "changeMessage", "dateStyle", "timeStyle",
    "isRelative", "ignoresTimeZone", "numberStyle", "currencyCode", "textAlignment",
    "dataDetectorTypes", "semantics",
)
DATE_STYLES = (
    "PKDateStyleNone", "PKDateStyleShort", "PKDateStyleMedium", "PKDateStyleLong", "PKDateStyleFull",
)
NUMBER_STYLES = (
    "PKNumberStyleDecimal", "PKNumberStylePercent", "PKNumberStyleScientific", "PKNumberStyleSpellOut",
)
TEXT_ALIGNMENTS = (
    "PKTextAlignmentLeft", "PKTextAlignmentCenter", "PKTextAlignmentRight", "PKTextAlignmentNatural",
)
DATA_DETECTOR_TYPES = (
    "PKDataDetectorTypePhoneNumber", "PKDataDetectorTypeLink", "PKDataDetectorTypeAddress",
    "PKDataDetectorTypeCalendarEvent",
)
_ENUMS = {
    "dateStyle": DATE_STYLES, "timeStyle": DATE_STYLES,
    "numberStyle": NUMBER_STYLES, "textAlignment": TEXT_ALIGNMENTS,
}
_STRING_KEYS = ("label", "changeMessage")
_BOOL_KEYS = ("isRelative", "ignoresTimeZone")
_CURRENCY = re.compile(r"[A-Z]{3}\Z")

_LIMITS = {"headerFields": 3, "primaryFields": 1, "secondaryFields": 4, "auxiliaryFields": 4}
_BOARDING_PASS_LIMITS = {**_LIMITS, "primaryFields": 2, "auxiliaryFields": 5}
# Styles whose secondary and auxiliary fields share one row beside a square barcode.
SHARED_ROW_STYLES = ("coupon", "storeCard", "generic")
SHARED_ROW_LIMIT = 4


# -- design: normalise what a designer wrote -------------------------------------------

def design_field_list(items: Any, path: str, problems: Problems) -> Any:
    """A design's field list in pass.json form.

    A field whose value is None is dropped: it is a dynamic field not yet filled for
    this pass, and Wallet rejects a field without a value.
    """
    if not isinstance(items, list):
        return items  # validation reports the wrong type with the pass.json path
    fields = []
    for index, item in enumerate(items):
        unfilled = isinstance(item, Mapping) and "value" in item and item["value"] is None
        field = _design_field(item, f"{path}[{index}]", problems, unfilled)
        if not unfilled:
            fields.append(field)
    return fields


def _design_field(item: Any, path: str, problems: Problems, unfilled: bool = False) -> Any:
    if not isinstance(item, Mapping):
        return item
    for key in item:  # checked on unfilled fields too, so a typo shows before the value arrives
        if key not in FIELD_KEYS:
            problems.unknown_key(path, str(key), FIELD_KEYS)
    field = {key: item[key] for key in FIELD_KEYS if key in item}
    reject_unknown_semantic_tags(field.get("semantics"), f"{path}.semantics", problems)
    if unfilled:
        return field
    if isinstance(field.get("currencyCode"), str):
        field["currencyCode"] = field["currencyCode"].upper()
    if "dateStyle" in field or "timeStyle" in field or isinstance(field.get("value"), dt.datetime):
        field["value"] = _design_date_value(field.get("value"), f"{path}.value", problems)
    return field


def _design_date_value(value: Any, path: str, problems: Problems) -> Any:
    try:
        return normalize_pass_date(value)
    except ValueError as exc:
        problems.add(path, f"{describe(value)} {exc} (the field has a dateStyle or timeStyle)")
        return value


# -- validation: check pass.json as Wallet will read it --------------------------------

def check_style_fields(
    style_fields: Mapping[str, Any], style: str, square_barcode: bool, problems: Problems
) -> None:
    """Check every field list of the style dictionary, keys unique across the pass."""
    seen: dict[str, str] = {}
    for list_name in FIELD_LISTS:
        check_field_list(style_fields.get(list_name), f"{style}.{list_name}", list_name, seen, problems)
    _check_counts(style_fields, style, square_barcode, problems)


def check_field_list(items: Any, path: str, list_name: str, seen: dict[str, str], problems: Problems) -> None:
    """One field list at `path`; `seen` holds the keys used so far in the same style dictionary."""
    if items is None:
        return
    if not isinstance(items, list):
        problems.add(path, "must be a list of fields")
        return
    for index, field in enumerate(items):
        _check_field(field, f"{path}[{index}]", list_name, seen, problems)


def _check_counts(
    style_fields: Mapping[str, Any], style: str, square_barcode: bool, problems: Problems
) -> None:
    limits = _BOARDING_PASS_LIMITS if style == "boardingPass" else _LIMITS
    counts = {name: len(style_fields.get(name) or []) for name in limits
              if isinstance(style_fields.get(name) or [], list)}
    for name, count in counts.items():
        if count > limits[name]:
            problems.add(f"{style}.{name}", f"at most {limits[name]} allowed on a {style}, got {count}")
    shared = counts.get("secondaryFields", 0) + counts.get("auxiliaryFields", 0)
    if style in SHARED_ROW_STYLES and square_barcode and shared > SHARED_ROW_LIMIT:
        problems.add(
            f"{style}.secondaryFields",
            f"with a square (QR or Aztec) barcode a {style} has room for at most "
            f"{SHARED_ROW_LIMIT} secondary and auxiliary fields together, got {shared}",
        )


def _check_field(
    field: Any, path: str, list_name: str, seen: dict[str, str], problems: Problems
) -> None:
    if not isinstance(field, Mapping):
        problems.add(path, "must be an object with key and value")
        return
    _check_key(field, path, seen, problems)
    _check_value(field, path, problems)
    for name in _STRING_KEYS:
        if name in field and not isinstance(field[name], str):
            problems.add(f"{path}.{name}", "must be a string")
    if isinstance(field.get("changeMessage"), str) and "%@" not in field["changeMessage"]:
        problems.add(f"{path}.changeMessage", "must contain %@ (Wallet puts the new value there)")
    for name in _BOOL_KEYS:
        if name in field and not isinstance(field[name], bool):
            problems.add(f"{path}.{name}", "must be true or false")
    for name, allowed in _ENUMS.items():
        if name in field and field[name] not in allowed:
            problems.add(f"{path}.{name}", f"{describe(field[name])} is not one of {', '.join(allowed)}")
    if "textAlignment" in field and list_name in ("primaryFields", "backFields"):
        # Apple: "This key is not allowed for primary fields or back fields."
        problems.add(f"{path}.textAlignment", "is not allowed on primary or back fields")
    _check_number_format(field, path, problems)
    _check_extras(field, path, problems)


def _check_key(field: Mapping[str, Any], path: str, seen: dict[str, str], problems: Problems) -> None:
    key = field.get("key")
    if key is None:
        problems.missing(f"{path}.key")
    elif not isinstance(key, str) or not key:
        problems.add(f"{path}.key", "must be a non-empty string")
    elif key in seen:
        problems.add(
            f"{path}.key", f"{key!r} is already used by {seen[key]}; keys must be unique across the pass"
        )
    else:
        seen[key] = path


def _check_value(field: Mapping[str, Any], path: str, problems: Problems) -> None:
    if "value" not in field or field["value"] is None:
        problems.missing(f"{path}.value")
        return
    value = field["value"]
    if not (isinstance(value, str) or is_number(value)):
        problems.add(f"{path}.value", "must be a string, a number or an ISO-8601 date string")
    elif "dateStyle" in field or "timeStyle" in field:
        try:
            parse_pass_date(value)
        except ValueError as exc:
            problems.add(f"{path}.value", f"{describe(value)} {exc} (the field has a dateStyle or timeStyle)")


def _check_number_format(field: Mapping[str, Any], path: str, problems: Problems) -> None:
    if "currencyCode" in field:
        code = field["currencyCode"]
        if not isinstance(code, str) or not _CURRENCY.match(code):
            problems.add(f"{path}.currencyCode", f"{describe(code)} is not an ISO 4217 code such as EUR")
    for name in ("currencyCode", "numberStyle"):
        if name in field and "value" in field and not is_number(field["value"]):
            problems.add(f"{path}.value", f"must be a number when {name} is set")


def _check_extras(field: Mapping[str, Any], path: str, problems: Problems) -> None:
    if "attributedValue" in field and not (
        isinstance(field["attributedValue"], str) or is_number(field["attributedValue"])
    ):
        problems.add(f"{path}.attributedValue", "must be a string or a number")
    detectors = field.get("dataDetectorTypes")
    if detectors is not None and (
        not isinstance(detectors, list) or any(item not in DATA_DETECTOR_TYPES for item in detectors)
    ):
        problems.add(f"{path}.dataDetectorTypes", f"must be a list of {', '.join(DATA_DETECTOR_TYPES)}")
    if "semantics" in field and not isinstance(field["semantics"], Mapping):
        problems.add(f"{path}.semantics", "must be an object")
