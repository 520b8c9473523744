"""The top-level keys of the iOS 18 poster event ticket: its colours, logo text, app links and
the event guide's links (Apple's "Pass" reference; descriptions cross-checked with
passkit-generator's schema, docs/pass-format.md).

The same event-guide links sit in an upcoming event's `URLs` (passkit.upcoming_events),
so the link rules live here once.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

from .colors import is_pass_color, normalize_color
from .problems import Problems, describe

EVENT_GUIDE_URL_KEYS = (
    "accessibilityURL", "addOnURL", "bagPolicyURL", "contactVenueWebsite", "directionsInformationURL",
    "merchandiseURL", "orderFoodURL", "parkingInformationURL", "purchaseParkingURL", "sellURL",
    "transferURL", "transitInformationURL",
)
CONTACT_KEYS = ("contactVenueEmail", "contactVenuePhoneNumber")
LINK_KEYS = (*EVENT_GUIDE_URL_KEYS, *CONTACT_KEYS)
POSTER_BOOLEANS = ("suppressHeaderDarkening", "useAutomaticColors")
POSTER_KEYS = ("eventLogoText", "footerBackgroundColor", *POSTER_BOOLEANS, "auxiliaryStoreIdentifiers", *LINK_KEYS)
_POSTER_KEY_SET = frozenset(POSTER_KEYS)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def design_poster_keys(design: Mapping[str, Any]) -> dict[str, Any]:
    """The poster keys a design sets, footerBackgroundColor written as rgb() like the other colours."""
    if _POSTER_KEY_SET.isdisjoint(design):
        return {}  # the common case, in one C-level pass over the design's keys
    keys = {key: design[key] for key in POSTER_KEYS if key in design}
    if "footerBackgroundColor" in keys:
        keys["footerBackgroundColor"] = normalize_color(keys["footerBackgroundColor"]) or keys["footerBackgroundColor"]
    return keys


def check_poster_keys(pass_json: Mapping[str, Any], problems: Problems) -> None:
    if _POSTER_KEY_SET.isdisjoint(pass_json):
        return
    if "eventLogoText" in pass_json and not isinstance(pass_json["eventLogoText"], str):
        problems.add("eventLogoText", "must be a string")
    color = pass_json.get("footerBackgroundColor")
    if color is not None and not is_pass_color(color):
        problems.add("footerBackgroundColor", f"{describe(color)} is not a color; use #rrggbb or rgb(r, g, b)")
    for key in POSTER_BOOLEANS:
        if key in pass_json and not isinstance(pass_json[key], bool):
            problems.add(key, "must be true or false")
    check_store_identifiers(pass_json.get("auxiliaryStoreIdentifiers"), "auxiliaryStoreIdentifiers", problems)
    check_links(pass_json, "", problems)


def check_store_identifiers(value: Any, path: str, problems: Problems) -> None:
    if value is not None and not (isinstance(value, list) and all(
            isinstance(item, int) and not isinstance(item, bool) and item > 0 for item in value)):
        problems.add(path, "must be a list of numeric App Store ids")


def check_links(links: Mapping[str, Any], prefix: str, problems: Problems) -> None:
    """The event-guide links of `links` (pass.json itself, or an upcoming event's URLs)."""
    check_contact_links(links, EVENT_GUIDE_URL_KEYS, CONTACT_KEYS, prefix, problems)


def check_contact_links(links: Mapping[str, Any], url_keys: tuple[str, ...], contact_keys: tuple[str, str],
                        prefix: str, problems: Problems) -> None:
    """https links under url_keys; contact_keys are (email address, phone number)."""
    for key in url_keys:
        if key in links and not is_https_url(links[key]):
            problems.add(prefix + key, f"{describe(links[key])} must be an https URL")
    email_key, phone_key = contact_keys
    email = links.get(email_key)
    if email is not None and not (isinstance(email, str) and _EMAIL.match(email)):
        problems.add(prefix + email_key, f"{describe(email)} is not an email address")
    phone = links.get(phone_key)
    if phone is not None and not (isinstance(phone, str) and phone.strip()):
        problems.add(prefix + phone_key, "must be a non-empty string")


def is_https_url(url: Any) -> bool:
    """https with a host; plain http only on loopback, where a development server runs."""
    if not isinstance(url, str):
        return False
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS)
