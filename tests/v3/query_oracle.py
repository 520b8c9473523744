"""The query language evaluated in plain Python: what the compiled SQL must agree with.

Written from the rules in walletservice.services.passcreator.pass_query's docstring, not from its
code, so the property tests compare two independent readings of the same rules.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

MISSING = object()
# The test template's properties by name (label): names match case-insensitively.
PROPERTY_NAMES = {"first name": "firstname", "age": "age", "country": "country"}
NUMBER = (int, float)


def is_number(value: Any) -> bool:
    return isinstance(value, NUMBER) and not isinstance(value, bool)


def number_text(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def field_value(row: dict[str, Any], name: str) -> tuple[str, Any]:
    """(kind, value) of a field in a generated pass row."""
    plain = {"identifier": "id", "userProvidedId": "user_provided_id", "templateId": "campaign_id"}
    if name in plain:
        return "text", row[plain[name]]
    if name == "voided":
        return "boolean", row["voided"]
    if name == "createdOn":
        return "datetime", row["created_at"]
    if name in ("storedValue", "bundleId", "groupingIdentifier"):
        return "json", row["extra"].get(name, MISSING)
    if name == "barcodeValue":
        return "json", row["content"].get("barcode", {}).get("message", MISSING)
    key = PROPERTY_NAMES.get(name.lower(), name)
    return "json", row["values"]["fields"].get(key, MISSING)


def text_match(text: Any, operator: str, value: str) -> bool:
    if not isinstance(text, str):
        return False
    return {
        "equals": text == value, "contains": value in text,
        "beginsWith": text.startswith(value), "endsWith": text.endswith(value),
        "greaterThan": text > value, "greaterThanOrEquals": text >= value,
        "lowerThan": text < value, "lowerThanOrEquals": text <= value,
    }[operator]


def as_number(stored: Any) -> float | None:
    """A number, or a string that is a plain decimal of at most 30 characters ("61", "-1.5")."""
    if is_number(stored):
        return float(stored)
    if isinstance(stored, str) and len(stored) <= 30 and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", stored):
        return float(stored)
    return None


def number_match(stored: Any, operator: str, value: float) -> bool:
    number = as_number(stored)
    if number is None:
        return False
    return {
        "equals": number == value, "greaterThan": number > value, "greaterThanOrEquals": number >= value,
        "lowerThan": number < value, "lowerThanOrEquals": number <= value,
    }[operator]


def positive(kind: str, stored: Any, operator: str, values: list[Any]) -> bool:
    if kind == "boolean":
        if operator in ("isTrue", "isFalse"):
            return stored is (operator == "isTrue")
        if operator == "empty":
            return stored is None
        return any(stored is value for value in values)
    if kind == "datetime":
        if operator == "empty":
            return stored is None
        return stored is not None and any(
            number_match(stored.timestamp(), operator, as_datetime(value).timestamp()) for value in values)
    if kind == "text":
        if operator == "empty":
            return stored in (None, "")
        return any(text_match(stored, operator, v if isinstance(v, str) else number_text(v)) for v in values)
    # json: by the stored value's JSON type
    if operator == "empty":
        return stored is MISSING or stored is None or stored == ""
    if operator in ("isTrue", "isFalse"):
        return isinstance(stored, bool) and stored is (operator == "isTrue")
    found = False
    for value in values:
        if operator in ("contains", "beginsWith", "endsWith"):
            found |= text_match(stored, operator, value if isinstance(value, str) else number_text(value))
        elif isinstance(value, bool):
            found |= isinstance(stored, bool) and stored is value
        elif is_number(value):
            found |= number_match(stored, operator, float(value))
        else:
            found |= text_match(stored, operator, value)
    return found


NEGATIONS = {"notEquals": "equals", "doesNotContain": "contains", "notEmpty": "empty"}


def condition_holds(row: dict[str, Any], condition: dict[str, Any]) -> bool:
    kind, stored = field_value(row, condition["field"])
    operator = condition["operator"]
    values = condition.get("value", [])
    if operator in NEGATIONS:
        return not positive(kind, stored, NEGATIONS[operator], values)
    return positive(kind, stored, operator, values)


def query_matches(row: dict[str, Any], query: dict[str, Any], property_keys: list[str]) -> bool:
    if query.get("templateId") is not None and row["campaign_id"] != query["templateId"]:
        return False
    phrase = query.get("searchPhrase")
    if phrase:
        texts = [row["id"], row["user_provided_id"], row["content"].get("barcode", {}).get("message")]
        texts += [row["values"]["fields"].get(key) for key in property_keys]
        if not any(isinstance(text, str) and phrase in text for text in texts):
            return False
    groups = query.get("groups") or []
    return not groups or any(all(condition_holds(row, c) for c in group) for group in groups)


def as_datetime(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=dt.timezone.utc)
