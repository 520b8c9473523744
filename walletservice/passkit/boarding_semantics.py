"""The semantic boarding pass (iOS 26): what Wallet needs before it draws one.

Apple (WalletPasses, "Creating an airline boarding pass using semantic tags"): the pass
lists `semanticBoardingPass` in `preferredStyleSchemes` (with `boardingPass`, the legacy
layout, as the fallback), its `boardingPass` has `transitType` `PKTransitTypeAir` (the
style is for airline boarding passes only), and its `semantics` carry every tag below;
when one is missing Wallet silently shows the legacy pass, so here each missing or
malformed tag is a problem that names it. The legacy field lists stay the fallback for
older devices and are not checked further than any boarding pass's.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from typing import Any

from .dates import parse_pass_date
from .problems import Problems, describe, is_number

SEMANTIC_BOARDING_PASS = "semanticBoardingPass"
AIR = "PKTransitTypeAir"
TEXT_TAGS = (
    "airlineCode", "departureAirportCode", "departureCityName", "destinationAirportCode", "destinationCityName",
)
TIME_ZONE_TAGS = ("departureLocationTimeZone", "destinationLocationTimeZone")
DATE_TAGS = ("originalArrivalDate", "originalBoardingDate", "originalDepartureDate")
# Apple's "Required tags" table, in its order.
REQUIRED_TAGS = (
    "airlineCode", "flightNumber", "departureAirportCode", "departureCityName", "departureLocationTimeZone",
    "destinationAirportCode", "destinationCityName", "destinationLocationTimeZone", "originalArrivalDate",
    "originalBoardingDate", "originalDepartureDate", "passengerName",
)
_REASON = "for a semanticBoardingPass"


def check_semantic_boarding_pass(pass_json: Mapping[str, Any], problems: Problems) -> None:
    style_fields = pass_json.get("boardingPass")
    transit_type = style_fields.get("transitType") if isinstance(style_fields, Mapping) else None
    if transit_type is not None and transit_type != AIR:
        problems.add("boardingPass.transitType", f"must be {AIR} {_REASON} (Apple: airline boarding passes only)")
    semantics = pass_json.get("semantics")
    tags = semantics if isinstance(semantics, Mapping) else {}
    for tag in REQUIRED_TAGS:
        if tags.get(tag) is None:
            problems.missing(f"semantics.{tag}", _REASON)
        else:
            _check_tag(tag, tags[tag], problems)


def _check_tag(tag: str, value: Any, problems: Problems) -> None:
    path = f"semantics.{tag}"
    if tag in TEXT_TAGS and not (isinstance(value, str) and value.strip()):
        problems.add(path, "must be a non-empty string")
    elif tag == "flightNumber" and not (is_number(value) and value > 0):
        # Apple: the numeric part of the IATA flight code (123 for EX123).
        problems.add(path, f"{describe(value)} must be the number of the flight code, e.g. 123 for EX123")
    elif tag in TIME_ZONE_TAGS and not is_time_zone(value):
        problems.add(path, f"{describe(value)} is not an IANA time zone such as America/Chicago")
    elif tag in DATE_TAGS:
        try:
            parse_pass_date(value)
        except ValueError as exc:
            problems.add(path, f"{describe(value)} {exc}")
    elif tag == "passengerName" and not (isinstance(value, Mapping) and value):
        problems.add(path, 'must be an object of name parts, e.g. {"givenName": "Ada", "familyName": "Lovelace"}')


def is_time_zone(value: Any) -> bool:
    if not isinstance(value, str) or not value or value.startswith(("/", ".")) or ".." in value:
        return False
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
