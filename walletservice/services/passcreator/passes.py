"""Passcreator v3 passes on our model: a template is a campaign, additional properties
are the campaign's dynamic fields (services.pass_query.template_properties).

A v3 `data` object becomes PassChanges: the pass's own values (services.pass_content),
its Pass.extra (storedValue, bundleId, downloadPin, eligibleValidationPlaces,
groupingIdentifier, localizedBackgroundImages), its userProvidedId and the image URLs
still to fetch (services.passcreator.images). POST (replace) writes exactly the changes; PATCH
merges them, localized images per language.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from walletservice.errors import BadRequest
from walletservice.passkit.dates import check_date_in_range
from walletservice.models import Campaign, Pass, Segment
from walletservice.passkit.colors import normalize_color
from walletservice.services.download_pins import PIN_KEY, protect_pin
from walletservice.services.events import record_pass_event
from walletservice.services.passcreator.image_fetch import FetchPolicy
from walletservice.services.lookups import one_or_not_found
from walletservice.services.passcreator.pass_query import PassQuery, compile_query, parse_query, template_properties
from walletservice.services.passcreator.sendouts import refuse_bulk_recipients
from walletservice.services.pass_locks import lock_pass_for_update
from walletservice.services.pass_revisions import kept_properties, record_revisions
from walletservice.services.update_tags import mark_passes_changed
from walletservice.services.passworks_mapping import campaign_setting
from walletservice.services.passes import DEFAULT_MAX_DISTANCE, MAX_DISTANCE, issue_pass, update_pass_values
from walletservice.services.passcreator.relevant_dates import read_relevant_dates
from walletservice.passkit.upcoming_events import KEY as UPCOMING_KEY
from walletservice.services.assets import check_owned_upcoming_images
from walletservice.services.passcreator.wallet_features import (
    WALLET_FEATURE_KEYS,
    WALLET_KEY_GROUPS,
    read_wallet_features,
    with_nfc_key,
)
from walletservice.services.passcreator.user_provided_ids import ensure_user_provided_id_free
from walletservice.services.passcreator.bundles import bundle_id_in, check_bundle_room
from walletservice.services.passcreator.images import (
    IMAGE_URLS,
    LOCALIZED_BACKGROUNDS,
    LOCALIZED_IMAGES,
    FetchedImages,
    ImageUrls,
    check_language_code,
    fetch_image_urls,
    read_image_urls,
)

COLORS = {"labelColor": "labelColor", "foregroundColor": "foregroundColor", "backgroundColor": "backgroundColor"}
DATES = {"expirationDate": "expirationDate", "relevantDate": "relevantDate"}
EXTRA_KEYS = ("storedValue", "bundleId", "downloadPin", "eligibleValidationPlaces")
# Not template properties: the pass is sent to them (services.passcreator.sendouts).
SENDOUT_KEYS = ("emailRecipient", "phoneRecipient")
CONTROL_KEYS = ("templateId", "userProvidedId", "enforceUniqueUserProvidedId", "barcodeValue",
                "groupingIdentifier", "locations", "relevantDates")
DOCUMENTED_KEYS = frozenset((*CONTROL_KEYS, *IMAGE_URLS, LOCALIZED_BACKGROUNDS, *COLORS, *DATES, *EXTRA_KEYS,
                             *SENDOUT_KEYS, *WALLET_FEATURE_KEYS, *WALLET_KEY_GROUPS))
GROUPING_STYLES = ("eventTicket", "boardingPass")
V3_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
PASS_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
LOCATIONS_SHAPE = "locations must be a list of objects with latitude and longitude"
# Values of a pass that PATCH merges key by key instead of replacing.
MERGED_VALUES = ("fields", "images", LOCALIZED_IMAGES)


@dataclass
class PassChanges:
    values: dict[str, Any] = field(default_factory=dict)
    # Top-level values and property keys the data clears ("" or null): PATCH removes them.
    cleared_values: set[str] = field(default_factory=set)
    cleared_fields: set[str] = field(default_factory=set)
    extra: dict[str, Any] = field(default_factory=dict)
    user_provided_id: str | None = None
    sets_user_provided_id: bool = False
    unique_user_provided_id: bool = False
    image_urls: ImageUrls = field(default_factory=ImageUrls)


# -- reading data -------------------------------------------------------------------

def read_changes(campaign: Campaign, data: Mapping[str, Any], policy: FetchPolicy) -> PassChanges:
    """Validate a v3 data object against its template; BadRequest naming the problem."""
    changes = PassChanges()
    _read_identity(data, changes)
    _read_presentation(campaign, data, changes)
    _read_extra(campaign, data, changes)
    _read_images(campaign, data, policy, changes)
    _read_properties(campaign, data, changes)
    return changes


def check_bulk_data(session: Session, organization_id: str, data: Mapping[str, Any], policy: FetchPolicy,
                    selected: int, condition: ColumnElement[bool]) -> None:
    """What can be refused for a bulk update in the request: an emailRecipient or phoneRecipient
    (bulk updates send nothing), dates, image URLs and language codes (of images and of localizedRelevantText), the
    shape of locations and of semantics, preferredStyleSchemes and nfc, a userProvidedId that must be unique
    but is taken or would be shared, and eligibleValidationPlaces outside the selected
    passes' templates."""
    refuse_bulk_recipients(data)
    for name in DATES:
        if name in data:
            parse_v3_date(data[name], name)
    if "relevantDates" in data:
        read_relevant_dates(data["relevantDates"], parse_v3_date)
    read_image_urls(data, policy, None)
    _check_bulk_locations(data.get("locations"))
    features: dict[str, Any] = {}
    read_wallet_features(data, features, set())  # their shape; Apple's rules are checked per pass in the job
    check_owned_upcoming_images(session, organization_id, features.get(UPCOMING_KEY), UPCOMING_KEY)
    changes = PassChanges()
    _read_identity(data, changes)
    if changes.unique_user_provided_id and changes.user_provided_id and selected > 1:
        raise BadRequest("userProvidedId cannot be unique when it is given to more than one pass")
    check_unique_user_provided_id(session, organization_id, changes, include_queued_creations=True)
    _check_bulk_validation_places(session, data.get("eligibleValidationPlaces"), condition)


def _check_bulk_validation_places(session: Session, places: Any, condition: ColumnElement[bool]) -> None:
    """Reference: values outside the template's validValidationPlaces are 400. The selection
    may span templates: its distinct templates come in one query, and every bad value is named."""
    if not places or not isinstance(places, list):
        return
    templates = session.scalars(select(Campaign).where(
        Campaign.id.in_(select(Pass.campaign_id).where(condition).distinct())).order_by(Campaign.id))
    problems = [f"{', '.join(map(repr, unknown))} not among the validValidationPlaces of template {campaign.id}"
                for campaign in templates if (unknown := _unknown_validation_places(campaign, places))]
    if problems:
        raise BadRequest("eligibleValidationPlaces: " + "; ".join(problems))


def _read_identity(data: Mapping[str, Any], changes: PassChanges) -> None:
    if "userProvidedId" in data:
        changes.sets_user_provided_id = True
        changes.user_provided_id = _optional_text(data["userProvidedId"], "userProvidedId")
    changes.unique_user_provided_id = bool(data.get("enforceUniqueUserProvidedId"))
    if "barcodeValue" in data:
        message = _optional_text(data["barcodeValue"], "barcodeValue")
        _set_or_clear(changes, "barcode", {"message": message} if message else None)


def _with_hash(color: Any) -> Any:
    """"ff0000" is a hexadecimal color to a Passcreator client too; six digits only, since
    three letters without "#" ("bad", "add") are more often a mistake than a color."""
    if isinstance(color, str) and re.fullmatch(r"[0-9a-fA-F]{6}", color.strip()):
        return "#" + color.strip()
    return color


def _read_presentation(campaign: Campaign, data: Mapping[str, Any], changes: PassChanges) -> None:
    for name, key in COLORS.items():
        if name in data:  # invalid colors are dropped and the template's is used (Passcreator)
            _set_or_clear(changes, key, normalize_color(_with_hash(data[name])))
    for name, key in DATES.items():
        if name in data:
            _set_or_clear(changes, key, parse_v3_date(data[name], name))
    if "relevantDates" in data:
        _set_or_clear(changes, "relevantDates", read_relevant_dates(data["relevantDates"], parse_v3_date))
    if "groupingIdentifier" in data:
        grouping = _optional_text(data["groupingIdentifier"], "groupingIdentifier")
        changes.extra["groupingIdentifier"] = grouping
        # Only event tickets and boarding passes group; ignored on others (Passcreator).
        if campaign.style in GROUPING_STYLES:
            _set_or_clear(changes, "groupingIdentifier", grouping)
    if "locations" in data:
        _read_locations(campaign, data["locations"], changes)
    read_wallet_features(data, changes.values, changes.cleared_values)


def _read_locations(campaign: Campaign, locations: Any, changes: PassChanges) -> None:
    """Apple has one maxDistance per pass: the largest asked, within Apple's cap for the style.
    localizedRelevantText becomes pass.strings entries for the relevantText."""
    if not locations:
        _set_or_clear(changes, "locations", None)
        return
    if not isinstance(locations, list) or not all(isinstance(item, Mapping) for item in locations):
        raise BadRequest(LOCATIONS_SHAPE)
    apple_locations, distances, strings = [], [], {}
    for item in locations:
        apple_locations.append({key: item[key] for key in ("latitude", "longitude", "altitude", "relevantText")
                                if item.get(key) is not None})
        if item.get("maxDistance") is not None:
            distances.append(item["maxDistance"])
        for language, text in _localized_relevant_texts(item).items():
            if item.get("relevantText"):
                strings.setdefault(str(language), {})[item["relevantText"]] = text
    changes.values["locations"] = apple_locations
    if distances:
        cap = MAX_DISTANCE.get(campaign.style, DEFAULT_MAX_DISTANCE)
        changes.values["maxDistance"] = min(round(max(float(distance) for distance in distances)), cap)
    if strings:
        changes.values["localizations"] = strings


def _localized_relevant_texts(location: Mapping[str, Any]) -> Mapping[Any, Any]:
    """A location's {language: text}; each language becomes a .lproj folder of the bundle."""
    texts = location.get("localizedRelevantText") or {}
    if not isinstance(texts, Mapping):
        raise BadRequest("locations.localizedRelevantText must be an object: language code -> text")
    for language in texts:
        check_language_code(language, "locations.localizedRelevantText")
    return texts


def _check_bulk_locations(locations: Any) -> None:
    """The location checks that need no template (read_changes runs them all per pass)."""
    if not locations:
        return
    if not isinstance(locations, list) or not all(isinstance(item, Mapping) for item in locations):
        raise BadRequest(LOCATIONS_SHAPE)
    for item in locations:
        _localized_relevant_texts(item)


def _read_extra(campaign: Campaign, data: Mapping[str, Any], changes: PassChanges) -> None:
    for name in EXTRA_KEYS:
        if name in data:
            changes.extra[name] = protect_pin(data[name]) if name == PIN_KEY else data[name]
    unknown = _unknown_validation_places(campaign, data.get("eligibleValidationPlaces"))
    if unknown:
        raise BadRequest(f"eligibleValidationPlaces: {unknown[0]!r} is not a validation place of the template")


def valid_validation_places(campaign: Campaign) -> list[str] | None:
    """The template's validValidationPlaces (v2 campaign attribute `valid_validation_places`)."""
    places = campaign_setting(campaign.settings, "valid_validation_places")
    return places if isinstance(places, list) else None


def _unknown_validation_places(campaign: Campaign, places: Any) -> list[Any]:
    """The places not in the template's validValidationPlaces, when it lists them."""
    valid_places = valid_validation_places(campaign)
    if not places or valid_places is None:
        return []
    return [place for place in places if place not in valid_places]


def _read_images(campaign: Campaign, data: Mapping[str, Any], policy: FetchPolicy, changes: PassChanges) -> None:
    changes.image_urls = urls = read_image_urls(data, policy, campaign)
    if urls.removes_all_localized:
        changes.cleared_values.add(LOCALIZED_IMAGES)
    if LOCALIZED_BACKGROUNDS in data:  # the URLs as given, for the list view
        changes.extra[LOCALIZED_BACKGROUNDS] = urls.localized_urls_given() or None


def _read_properties(campaign: Campaign, data: Mapping[str, Any], changes: PassChanges) -> None:
    properties = template_properties(campaign)
    fields: dict[str, Any] = {}
    for name, value in data.items():
        if name in DOCUMENTED_KEYS:
            continue
        key = property_key(properties, name)
        if key is None:
            raise BadRequest(f"{name!r} is not an additional property of template {campaign.id}")
        if value is None or value == "":
            changes.cleared_fields.add(key)
        elif isinstance(value, bool) or not isinstance(value, (str, int, float)) or "\x00" in str(value):
            raise BadRequest(f"{name}: additional property values are strings or numbers")
        else:
            fields[key] = value
    if fields:
        changes.values["fields"] = fields


def property_key(properties: list[Any], name: str) -> str | None:
    """A property's key from its key or, failing that, its name (case-insensitive)."""
    for prop in properties:
        if prop.key == name:
            return str(prop.key)
    for prop in properties:
        if prop.name.lower() == name.lower():
            return str(prop.key)
    return None


def _set_or_clear(changes: PassChanges, key: str, value: Any) -> None:
    if value in (None, "", {}):
        changes.cleared_values.add(key)
    else:
        changes.values[key] = value


def _optional_text(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise BadRequest(f"{name} must be a string")


def parse_v3_date(value: Any, name: str) -> str | None:
    """"Y-m-d H:i" (UTC) as pass.json's "YYYY-MM-DDTHH:MM:SSZ"; "" or null clears."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        for date_format in V3_DATE_FORMATS:
            try:
                moment = dt.datetime.strptime(value.strip(), date_format)
            except ValueError:
                continue
            return check_date_in_range(moment, name, BadRequest).strftime(PASS_DATE_FORMAT)
    raise BadRequest(f"{name} must be a date in the format Y-m-d H:i, e.g. 2055-12-31 00:00")


# -- templates, uniqueness, images ----------------------------------------------------

def get_template(session: Session, organization_id: str, template_id: Any) -> Campaign:
    if not isinstance(template_id, str) or not template_id:
        raise BadRequest("templateId is required")
    campaign = session.execute(select(Campaign).where(
        Campaign.organization_id == organization_id, Campaign.id == template_id)).scalar_one_or_none()
    if campaign is None:
        raise BadRequest(f"templateId {template_id!r}: no such template in this account")
    return campaign


def check_unique_user_provided_id(session: Session, organization_id: str, changes: PassChanges,
                                  pass_id: str | None = None, *, include_queued_creations: bool = False) -> None:
    """With enforceUniqueUserProvidedId, 400 if another pass has the id (services.user_provided_ids)."""
    if changes.unique_user_provided_id and changes.user_provided_id:
        ensure_user_provided_id_free(session, organization_id, changes.user_provided_id, pass_id=pass_id,
                                     include_queued_creations=include_queued_creations)


def fetch_images(session: Session, organization_id: str, changes: PassChanges, policy: FetchPolicy,
                 style: str) -> FetchedImages:
    """Fetch the URLs and store each as an asset."""
    return fetch_image_urls(session, organization_id, changes.image_urls, policy, style)


# -- writing passes -----------------------------------------------------------------

@dataclass(frozen=True)
class Reservation:
    """What an async create answers before the pass exists."""

    pass_id: str
    serial_number: str
    download_id: str

    @classmethod
    def new(cls) -> Reservation:
        return cls(str(uuid.uuid4()), uuid.uuid4().hex, secrets.token_urlsafe(24))


def create_v3_pass(session: Session, campaign: Campaign, changes: PassChanges, images: FetchedImages,
                   reservation: Reservation) -> Pass:
    check_unique_user_provided_id(session, campaign.organization_id, changes)
    check_bundle_room(session, campaign.organization_id, bundle_id_in(changes.extra))
    values = _with_images(changes.values, images)
    values = _with_default_barcode(values, campaign, reservation.serial_number)
    values = with_nfc_key(session, campaign.organization_id, values)
    return issue_pass(session, campaign, values, serial_number=reservation.serial_number,
                      pass_id=reservation.pass_id, download_id=reservation.download_id,
                      user_provided_id=changes.user_provided_id, extra=_without_nulls(changes.extra))


def update_v3_pass(session: Session, campaign: Campaign, pass_: Pass, changes: PassChanges,
                   images: FetchedImages, *, replace: bool, mark_changed: bool = True,
                   revised_later: list[Pass] | None = None) -> bool:
    """replace (POST): the pass keeps only what the data gives; else (PATCH) the data is merged.
    True when the pass's content changed, the only case to push (services.passes.update_pass_values).
    mark_changed=False: the caller marks the passes it changed together (bulk); revised_later then
    collects the passes whose kept properties alone changed, for one record_revisions."""
    lock_pass_for_update(session, pass_)
    check_unique_user_provided_id(session, pass_.organization_id, changes, pass_.id)
    extra = extra_after_update(pass_, changes, replace=replace)
    if bundle_id_in(extra) != bundle_id_in(pass_.extra or {}):
        check_bundle_room(session, pass_.organization_id, bundle_id_in(extra), pass_.id)
    new_values = _with_images(changes.values, images)
    if not replace:
        new_values = _merged(pass_.values, new_values, changes)
    new_values = _with_default_barcode(new_values, campaign, pass_.serial_number)
    new_values = with_nfc_key(session, pass_.organization_id, new_values)
    # Marked changed below, once the kept properties are set too: the revision keeps them.
    # update_pass_values refuses content before it changes anything, so a refusal leaves the pass as it was.
    changed = update_pass_values(session, pass_, campaign, new_values, merge=False, mark_changed=False)
    properties_before = kept_properties(pass_)
    if replace or changes.sets_user_provided_id:
        pass_.user_provided_id = changes.user_provided_id
    pass_.extra = _without_nulls(extra)
    if changed and mark_changed:
        mark_passes_changed(session, [pass_])
    elif not changed and kept_properties(pass_) != properties_before:
        # The devices' pass is the same (no new tag, no push), but this is a version to go back to.
        if revised_later is None:
            record_revisions(session, [pass_])
        else:
            revised_later.append(pass_)
    record_pass_event(session, "updated", pass_)
    return changed


def _without_nulls(extra: Mapping[str, Any]) -> dict[str, Any] | None:
    return {key: value for key, value in extra.items() if value is not None} or None


def _merged(current: Mapping[str, Any], given: Mapping[str, Any], changes: PassChanges) -> dict[str, Any]:
    merged = {key: value for key, value in current.items() if key not in changes.cleared_values}
    for key, value in given.items():
        if key in MERGED_VALUES and isinstance(value, Mapping):
            value = {**(merged.get(key) or {}), **value}
        merged[key] = value
    fields = {key: value for key, value in (merged.get("fields") or {}).items()
              if key not in changes.cleared_fields}
    merged["fields"] = fields
    localized = {language: roles for language, roles in (merged.get(LOCALIZED_IMAGES) or {}).items()
                 if language not in changes.image_urls.removed_languages}
    merged.pop(LOCALIZED_IMAGES, None)
    if localized:
        merged[LOCALIZED_IMAGES] = localized
    return merged


def extra_after_update(pass_: Pass, changes: PassChanges, *, replace: bool) -> dict[str, Any]:
    return dict(changes.extra) if replace else _patched_extra(pass_.extra or {}, changes)


def _patched_extra(current: Mapping[str, Any], changes: PassChanges) -> dict[str, Any]:
    """PATCH: extras given replace the pass's; localizedBackgroundImages merge per language."""
    extra = {**current, **changes.extra}
    if changes.extra.get(LOCALIZED_BACKGROUNDS) is not None or changes.image_urls.removed_languages:
        urls = {**(current.get(LOCALIZED_BACKGROUNDS) or {}), **(changes.extra.get(LOCALIZED_BACKGROUNDS) or {})}
        extra[LOCALIZED_BACKGROUNDS] = {language: url for language, url in urls.items()
                                        if language not in changes.image_urls.removed_languages} or None
    return extra


def _with_images(values: Mapping[str, Any], images: FetchedImages) -> dict[str, Any]:
    values = dict(values)
    if images.by_role:
        values["images"] = {**(values.get("images") or {}), **images.by_role}
    if images.localized:
        values[LOCALIZED_IMAGES] = images.localized
    return values


def _with_default_barcode(values: dict[str, Any], campaign: Campaign, serial_number: str) -> dict[str, Any]:
    """Without a barcodeValue of its own or the template's, a pass's barcode is its serial."""
    if (values.get("barcode") or {}).get("message") or (campaign.design.get("barcode") or {}).get("message"):
        return values
    return {**values, "barcode": {**(values.get("barcode") or {}), "message": serial_number}}


def get_v3_pass(session: Session, organization_id: str, identifier: str) -> Pass:
    return one_or_not_found(session, select(Pass).where(
        Pass.organization_id == organization_id, Pass.id == identifier), "pass")


# -- selecting passes: identifiers, segment or query ---------------------------------

def selection_condition(session: Session, organization_id: str, *, identifiers: list[str] | None = None,
                        segment_id: str | None = None, query: PassQuery | None = None) -> ColumnElement[bool]:
    """The passes a v3 filter means, always inside the organization. No filter: all of them."""
    if identifiers is not None:
        return and_(Pass.organization_id == organization_id, Pass.id.in_(identifiers))
    if segment_id is not None:
        segment = one_or_not_found(session, select(Segment).where(
            Segment.organization_id == organization_id, Segment.id == segment_id), "segment")
        query = parse_query(segment.query)
    return compile_query(session, organization_id, query or PassQuery())


def count_selected(session: Session, condition: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(Pass).where(condition)) or 0)


# -- pages that stay put while passes are added (keyset on created_at, id) ----------

def encode_cursor(pass_: Pass) -> str:
    text = f"{pass_.created_at.astimezone(dt.timezone.utc).isoformat()}|{pass_.id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[dt.datetime, str]:
    try:
        created, _, pass_id = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().partition("|")
        if "\x00" in pass_id:  # never one of ours, and PostgreSQL text cannot hold it
            raise ValueError(pass_id)
        return dt.datetime.fromisoformat(created), pass_id
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadRequest("cursor is not one this API handed out") from None


def page_of_passes(condition: ColumnElement[bool], page_size: int, after: str | None) -> Select[tuple[Pass]]:
    """pageSize + 1 passes after the cursor: the extra one says whether a next page exists."""
    statement = select(Pass).where(condition).order_by(Pass.created_at, Pass.id).limit(page_size + 1)
    if after is not None:
        created_at, pass_id = decode_cursor(after)
        statement = statement.where(or_(Pass.created_at > created_at,
                                        and_(Pass.created_at == created_at, Pass.id > pass_id)))
    return statement

