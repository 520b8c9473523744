"""Where a pass becomes relevant: `locations`, `beacons` and `maxDistance`.

Apple (Package Format Reference, "Relevance Keys"): at most 10 locations and at most
10 beacons; a location needs latitude and longitude; a beacon needs a proximityUUID,
with optional 16-bit major and minor numbers.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from .problems import Problems, describe, is_number

MAX_LOCATIONS = 10
MAX_BEACONS = 10
LOCATION_KEYS = ("latitude", "longitude", "altitude", "relevantText")
BEACON_KEYS = ("proximityUUID", "major", "minor", "relevantText")
_UUID = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}\Z")
_RANGES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}


# -- design ---------------------------------------------------------------------------

def design_locations(items: Any, problems: Problems) -> Any:
    return _design_list(items, "locations", LOCATION_KEYS, problems)


def design_beacons(items: Any, problems: Problems) -> Any:
    beacons = _design_list(items, "beacons", BEACON_KEYS, problems)
    if isinstance(beacons, list):
        for beacon in beacons:
            if isinstance(beacon, dict) and isinstance(beacon.get("proximityUUID"), str):
                beacon["proximityUUID"] = _canonical_uuid(beacon["proximityUUID"])
    return beacons


def _design_list(items: Any, path: str, keys: tuple[str, ...], problems: Problems) -> Any:
    if not isinstance(items, list):
        return items  # validation reports it
    result = []
    for index, item in enumerate(items):
        if isinstance(item, Mapping):
            for key in item:
                if key not in keys:
                    problems.unknown_key(f"{path}[{index}]", str(key), keys)
            item = {key: item[key] for key in keys if key in item}
        result.append(item)
    return result


def _canonical_uuid(text: str) -> str:
    try:
        return str(uuid.UUID(text)).upper()
    except ValueError:
        return text  # validation reports it


# -- validation -----------------------------------------------------------------------

def check_relevance(pass_json: Mapping[str, Any], problems: Problems) -> None:
    _check_list(pass_json.get("locations"), "locations", MAX_LOCATIONS, _check_location, problems)
    _check_list(pass_json.get("beacons"), "beacons", MAX_BEACONS, _check_beacon, problems)
    if "maxDistance" in pass_json:
        distance = pass_json["maxDistance"]
        if not is_number(distance) or distance <= 0:
            problems.add("maxDistance", f"{describe(distance)} is not a positive number of metres")


def _check_list(items: Any, path: str, limit: int, check_item: Any, problems: Problems) -> None:
    if items is None:
        return
    if not isinstance(items, list):
        problems.add(path, "must be a list")
        return
    if len(items) > limit:
        problems.add(path, f"at most {limit} allowed, got {len(items)}")
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        if isinstance(item, Mapping):
            check_item(item, item_path, problems)
            _check_relevant_text(item, item_path, problems)
        else:
            problems.add(item_path, "must be an object")


def _check_location(location: Mapping[str, Any], path: str, problems: Problems) -> None:
    for key, (low, high) in _RANGES.items():
        value = location.get(key)
        if value is None:
            problems.missing(f"{path}.{key}")
        elif not is_number(value) or not low <= value <= high:
            problems.add(f"{path}.{key}", f"{describe(value)} is not a number from {low:g} to {high:g}")
    if "altitude" in location and not is_number(location["altitude"]):
        problems.add(f"{path}.altitude", "must be a number of metres")


def _check_beacon(beacon: Mapping[str, Any], path: str, problems: Problems) -> None:
    proximity = beacon.get("proximityUUID")
    if proximity is None:
        problems.missing(f"{path}.proximityUUID")
    elif not _is_uuid(proximity):
        problems.add(f"{path}.proximityUUID", f"{describe(proximity)} is not a UUID")
    for key in ("major", "minor"):
        value = beacon.get(key)
        if key in beacon and (not is_number(value) or value != int(value) or not 0 <= value <= 65535):
            problems.add(f"{path}.{key}", f"{describe(value)} is not a whole number from 0 to 65535")


def _check_relevant_text(item: Mapping[str, Any], path: str, problems: Problems) -> None:
    if "relevantText" in item and not isinstance(item["relevantText"], str):
        problems.add(f"{path}.relevantText", "must be a string")


def _is_uuid(value: Any) -> bool:
    # Wallet parses it like NSUUID: the hyphenated 8-4-4-4-12 form only.
    return isinstance(value, str) and _UUID.match(value) is not None
