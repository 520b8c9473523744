"""Checking a pass.json (and its file list) against Apple's rules before signing.

Every problem is collected, so PassValidationError lists them all. Keys this module
does not know are left alone: pass.json may carry newer Apple keys. (Designs are
stricter: design.py rejects unknown keys because there a typo would silently vanish.)
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

from .barcodes import SQUARE_FORMATS, check_barcodes, displayed_barcode_format
from .colors import COLOR_KEYS, is_pass_color
from .dates import parse_pass_date
from .fields import check_style_fields
from .nfc import check_nfc
from .package_files import check_file_names
from .problems import Problems, describe
from .boarding_links import check_boarding_links
from .featured_actions import check_featured_actions
from .poster_generic import check_poster_generic
from .poster_images import check_poster_event_artwork, poster_images
from .poster_keys import check_poster_keys
from .relevance import check_relevance
from .relevant_dates import check_relevant_dates
from .style_schemes import check_style_schemes
from .upcoming_events import check_upcoming_events

STYLES = ("boardingPass", "coupon", "eventTicket", "generic", "storeCard")
TRANSIT_TYPES = ("PKTransitTypeAir", "PKTransitTypeBoat", "PKTransitTypeBus",
                 "PKTransitTypeGeneric", "PKTransitTypeTrain")
REQUIRED_STRINGS = ("passTypeIdentifier", "serialNumber", "teamIdentifier", "organizationName", "description")
OPTIONAL_STRINGS = ("logoText", "groupingIdentifier", "appLaunchURL")
BOOLEANS = ("voided", "sharingProhibited", "suppressStripShine")
DATES = ("relevantDate", "expirationDate")
GROUPING_STYLES = ("boardingPass", "eventTicket")
MIN_TOKEN_LENGTH = 16
# Dev servers run on loopback without TLS; Wallet itself insists on https elsewhere.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def validate_pass(pass_json: Mapping[str, Any], file_names: Iterable[str]) -> None:
    """Raise PassValidationError listing every problem with pass.json and the bundle's files."""
    problems = Problems()
    collect_pass_problems(pass_json, file_names, problems)
    problems.raise_if_any()


def collect_pass_problems(
    pass_json: Mapping[str, Any], file_names: Iterable[str], problems: Problems
) -> None:
    """validate_pass without raising, for callers that add problems of their own."""
    file_names = list(file_names)
    collect_pass_json_problems(pass_json, problems)
    check_file_names(style_of(pass_json), file_names, problems, extra_images=poster_images(pass_json))
    check_poster_event_artwork(pass_json, file_names, problems)


def style_of(pass_json: Mapping[str, Any]) -> str | None:
    """The pass style when pass.json has exactly one style key."""
    present = [style for style in STYLES if style in pass_json]
    return present[0] if len(present) == 1 else None


def collect_pass_json_problems(pass_json: Mapping[str, Any], problems: Problems) -> None:
    if not isinstance(pass_json, Mapping):
        problems.add("pass.json", "must be a JSON object")
        return
    if pass_json.get("formatVersion") != 1 or isinstance(pass_json.get("formatVersion"), bool):
        problems.add("formatVersion", "must be 1")
    for key in REQUIRED_STRINGS:
        if pass_json.get(key) is None:
            problems.missing(key)
        elif not isinstance(pass_json[key], str) or not pass_json[key].strip():
            problems.add(key, "must be a non-empty string")
    _check_style(pass_json, problems)
    _check_web_service(pass_json, problems)
    _check_simple_types(pass_json, problems)
    check_barcodes(pass_json, problems)
    check_relevance(pass_json, problems)
    check_relevant_dates(pass_json, problems)
    check_style_schemes(pass_json, style_of(pass_json), problems)
    _check_app_links(pass_json, problems)
    check_nfc(pass_json.get("nfc"), problems)
    check_poster_keys(pass_json, problems)
    check_boarding_links(pass_json, style_of(pass_json), problems)
    check_upcoming_events(pass_json, style_of(pass_json), problems)
    check_featured_actions(pass_json.get("featuredActions"), problems)
    check_poster_generic(pass_json, style_of(pass_json), problems)
    _check_plain_json(pass_json, problems)


def _check_plain_json(pass_json: Mapping[str, Any], problems: Problems) -> None:
    """Catch what the rules above let through but json cannot write (datetime, NaN, sets)."""
    try:
        json.dumps(pass_json, allow_nan=False)
        return  # the common case: one C-encoder pass, no per-key work
    except (TypeError, ValueError):
        pass
    for key, value in pass_json.items():
        if isinstance(key, str) and problems.any_under(key):
            continue
        try:
            json.dumps({key: value}, allow_nan=False)
        except (TypeError, ValueError) as exc:
            problems.add(str(key), f"must be plain JSON ({exc})")


def _check_style(pass_json: Mapping[str, Any], problems: Problems) -> None:
    present = [style for style in STYLES if style in pass_json]
    if len(present) != 1:
        found = ", ".join(present) or "none"
        problems.add("style", f"pass.json needs exactly one of {', '.join(STYLES)}; found {found}")
        return
    style = present[0]
    style_fields = pass_json[style]
    if not isinstance(style_fields, Mapping):
        problems.add(style, "must be an object holding the field lists")
        return
    transit_type = style_fields.get("transitType")
    if style == "boardingPass":
        if transit_type is None:
            problems.missing("boardingPass.transitType", "for boarding passes")
        elif transit_type not in TRANSIT_TYPES:
            choices = ", ".join(TRANSIT_TYPES)
            problems.add("boardingPass.transitType", f"{describe(transit_type)} is not one of {choices}")
    elif transit_type is not None:
        problems.add(f"{style}.transitType", "only boarding passes have a transit type")
    square = displayed_barcode_format(pass_json) in SQUARE_FORMATS
    check_style_fields(style_fields, style, square, problems)
    if "groupingIdentifier" in pass_json and style not in GROUPING_STYLES:
        # Apple: "Available only on boarding passes and event tickets."
        problems.add("groupingIdentifier", "is only allowed on boarding passes and event tickets")


def _check_web_service(pass_json: Mapping[str, Any], problems: Problems) -> None:
    url, token = pass_json.get("webServiceURL"), pass_json.get("authenticationToken")
    if url is None and token is None:
        return
    # Apple: each of webServiceURL and authenticationToken requires the other.
    if token is None:
        problems.missing("authenticationToken", "when webServiceURL is set")
    elif not isinstance(token, str) or len(token) < MIN_TOKEN_LENGTH:
        problems.add("authenticationToken", f"must be a string of at least {MIN_TOKEN_LENGTH} characters")
    if url is None:
        problems.missing("webServiceURL", "when authenticationToken is set")
    elif not is_web_service_url(url):
        problems.add("webServiceURL", f"{describe(url)} must be an https URL (http only for localhost)")


def is_web_service_url(url: Any) -> bool:
    """https anywhere; plain http only on loopback, for development."""
    if not isinstance(url, str):
        return False
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)


def _check_simple_types(pass_json: Mapping[str, Any], problems: Problems) -> None:
    for key in COLOR_KEYS:
        if key in pass_json and not is_pass_color(pass_json[key]):
            problems.add(key, f"{describe(pass_json[key])} is not a color in rgb(r, g, b) form")
    for key in OPTIONAL_STRINGS:
        if key in pass_json and not isinstance(pass_json[key], str):
            problems.add(key, "must be a string")
    for key in BOOLEANS:
        if key in pass_json and not isinstance(pass_json[key], bool):
            problems.add(key, "must be true or false")
    for key in DATES:
        if key in pass_json:
            try:
                parse_pass_date(pass_json[key])
            except ValueError as exc:
                problems.add(key, f"{describe(pass_json[key])} {exc}")
    if "semantics" in pass_json and not isinstance(pass_json["semantics"], Mapping):
        problems.add("semantics", "must be an object")


def _check_app_links(pass_json: Mapping[str, Any], problems: Problems) -> None:
    store_ids = pass_json.get("associatedStoreIdentifiers")
    if store_ids is not None and not (
        isinstance(store_ids, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in store_ids)
    ):
        problems.add("associatedStoreIdentifiers", "must be a list of numeric App Store ids")
    if "appLaunchURL" in pass_json and not store_ids:
        # Apple: the URL is passed to the associated app, so there must be one.
        problems.add("appLaunchURL", "requires associatedStoreIdentifiers")
