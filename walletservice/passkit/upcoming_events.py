"""upcomingPassInformation: the upcoming events of a season ticket or membership (iOS 26).

Apple's WalletPasses reference, "UpcomingPassInformationEntry" and
"UpcomingPassInformationEntryType.ImageURLEntry" (key names and the 2 MB image limit
cross-checked with passkit-generator's schema, docs/pass-format.md). Each entry has
`identifier`, `name` and `type` ("event", the only type Apple lists); images are
downloaded by Wallet from an https URL whose SHA-256 the entry gives.

A design may name an uploaded image by `{"asset_id": ...}` instead of Apple's `URLs`;
`with_hosted_images` swaps in the URL entries of our immutable copies before building.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any

from .boarding_semantics import is_time_zone
from .dates import normalize_pass_date, parse_pass_date
from .fields import check_style_fields, design_field_list
from .pass_format import SEMANTIC_TAGS
from .poster_keys import LINK_KEYS, check_links, check_store_identifiers, is_https_url
from .problems import Problems, describe, is_number

KEY = "upcomingPassInformation"
ENTRY_TYPES = ("event",)
ENTRY_KEYS = ("identifier", "name", "type", "isActive", "dateInformation", "images", "URLs", "semantics",
              "additionalInfoFields", "backFields", "auxiliaryStoreIdentifiers")
ENTRY_FIELD_LISTS = ("additionalInfoFields", "backFields")
DATE_FLAGS = ("ignoreTimeComponents", "isAllDay", "isUnannounced", "isUndetermined")
DATE_KEYS = ("date", *DATE_FLAGS, "timeZone")
IMAGE_NAMES = ("headerImage", "venueMap")
IMAGE_KEYS = ("URLs", "reuseExisting")
HOSTED_IMAGE_KEY = "asset_id"
URL_ENTRY_KEYS = ("URL", "SHA256", "scale", "size")
URLS_KEYS = LINK_KEYS
# Apple: "The maximum allowed size is 2 megabytes" (ImageURLEntry.size).
MAX_IMAGE_BYTES = 2 * 1024 * 1024
# An entry's semantics may also carry venuePlaceID (Apple Maps' place id of the venue).
ENTRY_SEMANTIC_TAGS = frozenset({*SEMANTIC_TAGS, "venuePlaceID"})
_SHA256_HEX = re.compile(r"[0-9a-f]{64}\Z")
_EVENT_STYLE = "eventTicket"

ImageURLs = Callable[[str], list[dict[str, Any]]]


# -- design: what a designer wrote, checked for typos and normalised -------------------------

def design_upcoming_events(items: Any, problems: Problems) -> Any:
    """The design's entries in pass.json form: dates normalised, unfilled fields dropped."""
    if not isinstance(items, list):
        return items  # validation reports the type with the pass.json path
    return [_design_entry(entry, f"{KEY}[{index}]", problems) if isinstance(entry, Mapping) else entry
            for index, entry in enumerate(items)]


def _design_entry(entry: Mapping[str, Any], path: str, problems: Problems) -> dict[str, Any]:
    _reject_unknown(entry, ENTRY_KEYS, path, problems)
    result = {key: entry[key] for key in ENTRY_KEYS if key in entry}
    for name in ENTRY_FIELD_LISTS:
        if name in result:
            result[name] = design_field_list(result[name], f"{path}.{name}", problems)
    information = result.get("dateInformation")
    if isinstance(information, Mapping):
        _reject_unknown(information, DATE_KEYS, f"{path}.dateInformation", problems)
        if "date" in information:
            result["dateInformation"] = {**information, "date": _normalized_date(information["date"])}
    for container, known in (("URLs", URLS_KEYS), ("semantics", ENTRY_SEMANTIC_TAGS)):
        if isinstance(result.get(container), Mapping):
            _reject_unknown(result[container], known, f"{path}.{container}", problems)
    images = result.get("images")
    if isinstance(images, Mapping):
        _reject_unknown(images, IMAGE_NAMES, f"{path}.images", problems)
        for name, image in images.items():
            if isinstance(image, Mapping):
                _reject_unknown(image, (*IMAGE_KEYS, HOSTED_IMAGE_KEY), f"{path}.images.{name}", problems)
    return result


def _normalized_date(value: Any) -> Any:
    try:
        return normalize_pass_date(value)
    except ValueError:
        return value  # validation reports it with the pass.json path


def _reject_unknown(mapping: Mapping[str, Any], known: Any, path: str, problems: Problems) -> None:
    for key in mapping:
        if key not in known:
            problems.unknown_key(path, str(key), sorted(known))


def with_hosted_images(items: Any, image_urls: ImageURLs) -> Any:
    """Entries whose `{"asset_id": id}` images become Apple's `{"URLs": image_urls(id)}`."""
    if not isinstance(items, list):
        return items
    return [_with_hosted(entry, image_urls) if isinstance(entry, Mapping) else entry for entry in items]


def _with_hosted(entry: Mapping[str, Any], image_urls: ImageURLs) -> dict[str, Any]:
    images = entry.get("images")
    if not isinstance(images, Mapping):
        return dict(entry)
    hosted = {}
    for name, image in images.items():
        if isinstance(image, Mapping) and isinstance(image.get(HOSTED_IMAGE_KEY), str):
            rest = {key: value for key, value in image.items() if key != HOSTED_IMAGE_KEY}
            image = {**rest, "URLs": image_urls(image[HOSTED_IMAGE_KEY])}
        hosted[name] = image
    return {**entry, "images": hosted}


def image_url_entries(renditions: Mapping[str, bytes], url_for: Callable[[str], str]) -> list[dict[str, Any]]:
    """Apple's ImageURLEntry list for one image's @1x/@2x/@3x renditions ({file name: PNG}).

    `url_for(sha256_hex)` gives the immutable URL that serves those bytes.
    """
    entries = []
    for file_name in sorted(renditions):
        content = renditions[file_name]
        digest = hashlib.sha256(content).hexdigest()
        entries.append({"URL": url_for(digest), "SHA256": digest, "scale": _scale_of(file_name),
                        "size": len(content)})
    return sorted(entries, key=lambda entry: entry["scale"])


def _scale_of(file_name: str) -> int:
    match = re.search(r"@([23])x\.png\Z", file_name)
    return int(match.group(1)) if match else 1


# -- validation: Apple's rules on the pass.json ------------------------------------------------

def check_upcoming_events(pass_json: Mapping[str, Any], style: str | None, problems: Problems) -> None:
    items = pass_json.get(KEY)
    if items is None:
        return
    if not isinstance(items, list):
        problems.add(KEY, "must be a list of entries")
        return
    if style is not None and style != _EVENT_STYLE:
        # The only entry type Apple lists is "event": upcoming events of an event ticket.
        problems.add(KEY, f"is only allowed on event tickets, not on a {style}")
    identifiers: set[str] = set()
    for index, entry in enumerate(items):
        path = f"{KEY}[{index}]"
        if not isinstance(entry, Mapping):
            problems.add(path, "must be an object with identifier, name and type")
            continue
        _check_entry(entry, path, problems)
        identifier = entry.get("identifier")
        if isinstance(identifier, str):
            if identifier in identifiers:
                problems.add(f"{path}.identifier", f"{describe(identifier)} is used by an earlier entry; "
                                                   "identifiers must be unique")
            identifiers.add(identifier)


def _check_entry(entry: Mapping[str, Any], path: str, problems: Problems) -> None:
    for key in ("identifier", "name"):
        if key not in entry:
            problems.missing(f"{path}.{key}")
        elif not isinstance(entry[key], str) or not entry[key].strip():
            problems.add(f"{path}.{key}", "must be a non-empty string")
    if "type" not in entry:
        problems.missing(f"{path}.type", '(the only type is "event")')
    elif entry["type"] not in ENTRY_TYPES:
        problems.add(f"{path}.type", f'{describe(entry["type"])} is not a type; the only type is "event"')
    if "isActive" in entry and not isinstance(entry["isActive"], bool):
        problems.add(f"{path}.isActive", "must be true or false")
    _check_date_information(entry.get("dateInformation"), f"{path}.dateInformation", problems)
    _check_images(entry.get("images"), f"{path}.images", problems)
    _check_links(entry.get("URLs"), f"{path}.URLs", problems)
    if "semantics" in entry and not isinstance(entry["semantics"], Mapping):
        problems.add(f"{path}.semantics", "must be an object of semantic tags")
    _check_field_lists(entry, path, problems)
    check_store_identifiers(entry.get("auxiliaryStoreIdentifiers"), f"{path}.auxiliaryStoreIdentifiers", problems)


def _check_field_lists(entry: Mapping[str, Any], path: str, problems: Problems) -> None:
    lists = {name: entry[name] for name in ENTRY_FIELD_LISTS if name in entry}
    if lists:
        # Field keys are unique within the entry, as on a pass; no per-list counts apply.
        check_style_fields(lists, path, False, problems)


def _check_date_information(information: Any, path: str, problems: Problems) -> None:
    if information is None:
        return  # Apple: without it the entry reads "TBD"
    if not isinstance(information, Mapping):
        problems.add(path, 'must be an object such as {"date": "2026-05-01T19:30:00+02:00"}')
        return
    if "date" not in information:
        problems.missing(f"{path}.date")
    else:
        try:
            parse_pass_date(information["date"])
        except ValueError as exc:
            problems.add(f"{path}.date", f"{describe(information['date'])} {exc}")
    for flag in DATE_FLAGS:
        if flag in information and not isinstance(information[flag], bool):
            problems.add(f"{path}.{flag}", "must be true or false")
    if "timeZone" in information and not is_time_zone(information["timeZone"]):
        problems.add(f"{path}.timeZone", f"{describe(information['timeZone'])} is not an IANA time zone "
                                         "such as Europe/Paris")


def _check_images(images: Any, path: str, problems: Problems) -> None:
    if images is None:
        return
    if not isinstance(images, Mapping):
        problems.add(path, "must be an object with headerImage and/or venueMap")
        return
    for name in IMAGE_NAMES:
        if name in images:
            _check_image(images[name], f"{path}.{name}", problems)


def _check_image(image: Any, path: str, problems: Problems) -> None:
    if not isinstance(image, Mapping) or not ("URLs" in image or "reuseExisting" in image):
        problems.add(path, 'must be {"URLs": [...]} or {"reuseExisting": true}')
        return
    if "reuseExisting" in image and not isinstance(image["reuseExisting"], bool):
        problems.add(f"{path}.reuseExisting", "must be true or false")
    urls = image.get("URLs")
    if urls is None:
        return
    if not isinstance(urls, list) or not urls:
        problems.add(f"{path}.URLs", "must be a non-empty list of {URL, SHA256, scale, size}")
        return
    for index, entry in enumerate(urls):
        _check_image_url(entry, f"{path}.URLs[{index}]", problems)


def _check_image_url(entry: Any, path: str, problems: Problems) -> None:
    if not isinstance(entry, Mapping):
        problems.add(path, "must be an object with URL and SHA256")
        return
    if "URL" not in entry:
        problems.missing(f"{path}.URL")
    elif not is_https_url(entry["URL"]):
        problems.add(f"{path}.URL", f"{describe(entry['URL'])} must be an https URL")
    if "SHA256" not in entry:
        problems.missing(f"{path}.SHA256", "(the hex SHA-256 of the image)")
    elif not isinstance(entry["SHA256"], str) or not _SHA256_HEX.match(entry["SHA256"]):
        problems.add(f"{path}.SHA256", f"{describe(entry['SHA256'])} must be 64 lowercase hex digits")
    if "scale" in entry and not (is_number(entry["scale"]) and entry["scale"] > 0):
        problems.add(f"{path}.scale", "must be a positive number (1, 2 or 3)")
    size = entry.get("size")
    if size is not None and not (isinstance(size, int) and not isinstance(size, bool) and 0 < size):
        problems.add(f"{path}.size", "must be the image's size in bytes")
    elif size is not None and size > MAX_IMAGE_BYTES:
        problems.add(f"{path}.size", f"{size} bytes is over Apple's limit of {MAX_IMAGE_BYTES} (2 MB)")


def _check_links(links: Any, path: str, problems: Problems) -> None:
    if links is None:
        return
    if not isinstance(links, Mapping):
        problems.add(path, "must be an object of event-guide links")
        return
    check_links(links, f"{path}.", problems)
