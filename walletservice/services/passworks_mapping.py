"""Passworks' JSON attributes <-> our design (Apple key names) and pass values (pure).

A campaign is stored as a design (walletservice.passkit.design) plus `settings`, which
hold what pass.json has no room for: each field's `behaviour` and the download page's
og / og_description / javascript / stylesheet. `campaign_design` and
`campaign_attributes` are inverses for every attribute we accept, so a PATCH is "read
the campaign as Passworks attributes, overlay the changes, write it back".
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from walletservice.passkit.boarding_links import BOARDING_LINK_KEYS
from walletservice.passkit.poster_keys import POSTER_KEYS
from walletservice.services.push_message import PUSH_MESSAGE_KEY

# URL segment -> (JSON root, Apple style)
CAMPAIGN_TYPES: dict[str, tuple[str, str]] = {
    "coupons": ("coupon", "coupon"),
    "store_cards": ("store_card", "storeCard"),
    "event_tickets": ("event_ticket", "eventTicket"),
    "boarding_passes": ("boarding_pass", "boardingPass"),
    "generics": ("generic", "generic"),
}
FIELD_LISTS = {
    "header_fields": "headerFields",
    "primary_fields": "primaryFields",
    "secondary_fields": "secondaryFields",
    "auxiliary_fields": "auxiliaryFields",
    "back_fields": "backFields",
    "additional_info_fields": "additionalInfoFields",
    # Shown by the poster generic style only (passkit.poster_generic).
    "footer_fields": "footerFields",
}
IMAGE_ATTRIBUTES = {
    "icon_id": "icon", "logo_id": "logo", "strip_id": "strip",
    "thumbnail_id": "thumbnail", "background_id": "background", "footer_id": "footer",
    "primary_logo_id": "primaryLogo", "artwork_id": "artwork", "secondary_logo_id": "secondaryLogo",
}
COLOR_ATTRIBUTES = {"background_color": "backgroundColor", "text_color": "foregroundColor",
                    "label_color": "labelColor"}
# Copied as they are (dates are written as ISO 8601 strings first).
PLAIN_ATTRIBUTES = {
    "organization_name": "organizationName", "description": "description", "logo_text": "logoText",
    "max_distance": "maxDistance", "relevant_date": "relevantDate", "expiration_date": "expirationDate",
    "user_info": "userInfo", "associated_store_identifiers": "associatedStoreIdentifiers",
    # Apple's own spelling inside: [{"startDate", "endDate"} | {"date"}]; {tag: value}; [scheme].
    "relevant_dates": "relevantDates", "semantics": "semantics", "preferred_style_schemes": "preferredStyleSchemes",
    # [entry] in Apple's spelling; images {"headerImage": {"asset_id": ...}} (services.upcoming_images).
    "upcoming_events": "upcomingPassInformation",
    # [{"identifier", "type", "url"}] in Apple's spelling (passkit.featured_actions).
    "featured_actions": "featuredActions",
    # true: the iOS 27 poster generic face beside the campaign's own style (passkit.poster_generic).
    "poster_generic": "posterGeneric",
}
UPCOMING_EVENTS = "upcoming_events"
# Attributes that group top-level pass.json keys, in Apple's spelling inside (passkit.poster_keys,
# passkit.boarding_links): each key is stored and overridden on its own.
APPLE_KEY_GROUPS = {"poster": POSTER_KEYS, "boarding_links": BOARDING_LINK_KEYS}
SETTINGS_ATTRIBUTES = ("og", "og_description", "javascript", "stylesheet",
                       "code_type", "code_fixed_value", "allow_multiple_redeems", "download_pin_enabled",
                       "email_sendout", "sms_sendout", "valid_validation_places", "remote_form_url",
                       "render_on_short_url", "gwallet_usage")
# code_type: coupon.md spells the default "sequencial"; both spellings are read, "sequential" is written.
SEQUENTIAL, FIXED_CODE, PER_PASS_CODE = "sequential", "fixed", "per_pass"
CODE_TYPE_ALIASES = {"sequencial": SEQUENTIAL}
SETTINGS_DEFAULTS: dict[str, Any] = {
    "og": True, "og_description": "", "javascript": None, "stylesheet": None,
    "code_type": SEQUENTIAL, "code_fixed_value": None, "allow_multiple_redeems": False,
    # Passcreator's template-level PIN switch (services.download_pins.PIN_SETTING).
    "download_pin_enabled": False,
    # Passcreator's email sendout of the template (services.passcreator.pass_emails.SENDOUT_SETTING).
    "email_sendout": None,
    # Passcreator's SMS sendout of the template (services.passcreator.sendout_templates).
    "sms_sendout": None,
    # Passcreator's validValidationPlaces of the template: null accepts any eligibleValidationPlaces.
    "valid_validation_places": None,
    # advanced-features.md: the campaign page sends customers to this form (services.campaign_pages).
    "remote_form_url": None,
    # Passworks' choice between showing the page on the short link or redirecting to it; with no
    # short links here (the short URLs are the long ones), it is kept and answered only.
    "render_on_short_url": False,
    # android_pay.md: Google Wallet passes beside Apple's (services.google_sync).
    "gwallet_usage": False,
}
# Settings stored under another name before they were campaign attributes: read as the
# attribute, and replaced by it when the campaign is saved.
LEGACY_SETTING_NAMES = {"valid_validation_places": "validValidationPlaces"}
BARCODE_KEYS = {"format": "format", "message": "message", "alt_text": "altText", "encoding": "messageEncoding"}
FIELD_KEYS = {"key": "key", "label": "label", "value": "value", "change_message": "changeMessage"}
LOCATION_KEYS = {"latitude": "latitude", "longitude": "longitude", "altitude": "altitude",
                 "relevant_text": "relevantText"}
NFC_KEYS = {"message": "message", "encryption_public_key": "encryptionPublicKey",
            "requires_authentication": "requiresAuthentication"}
BEACON_KEYS = {"proximity_uuid": "proximityUUID", "major": "major", "minor": "minor",
               "relevant_text": "relevantText"}
TRANSIT_PREFIX = "PKTransitType"
# Passworks' "ean128" is GS1-128, which Apple draws as Code 128.
BARCODE_FORMAT_NAMES = {"PKBarcodeFormatQR": "qrcode", "PKBarcodeFormatPDF417": "pdf417",
                        "PKBarcodeFormatAztec": "aztec", "PKBarcodeFormatCode128": "ean128",
                        "PKBarcodeFormatEAN13": "ean13", "PKBarcodeFormatCode39": "code39",
                        "PKBarcodeFormatCodabar": "codabar", "PKBarcodeFormatI2of5": "itf"}
DEFAULT_BARCODE_FORMAT = "qrcode"
FIXED, DYNAMIC = "fixed", "dynamic"


def campaign_design(style: str, attributes: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(design, settings) from a campaign's Passworks attributes (None = absent)."""
    design: dict[str, Any] = {"style": style, **_presentation(attributes)}
    if attributes.get("transit_type") is not None:
        design["transitType"] = TRANSIT_PREFIX + str(attributes["transit_type"]).capitalize()
    barcode = {key: value for key, value in (attributes.get("barcode") or {}).items() if value != ""}
    design["barcode"] = _renamed(barcode, BARCODE_KEYS)
    design["barcode"].setdefault("format", DEFAULT_BARCODE_FORMAT)
    behaviours: dict[str, str] = {}
    for name, apple_name in FIELD_LISTS.items():
        fields = attributes.get(name) or []
        # A field without a value is a placeholder its passes fill (dropped until then).
        design[apple_name] = [{"value": None, **_renamed(field, FIELD_KEYS)} for field in fields]
        behaviours.update({field["key"]: field.get("behaviour") or FIXED for field in fields})
    images = {role: str(attributes[name]) for name, role in IMAGE_ATTRIBUTES.items()
              if attributes.get(name) is not None}
    design["images"] = images
    settings = {name: attributes[name] for name in SETTINGS_ATTRIBUTES if attributes.get(name) is not None}
    if "code_type" in settings:
        settings["code_type"] = CODE_TYPE_ALIASES.get(settings["code_type"], settings["code_type"])
    settings["behaviours"] = behaviours
    return design, settings


def with_foreign_field_keys(design: dict[str, Any], previous: Mapping[str, Any] | None) -> dict[str, Any]:
    """The design with each field's pass.json keys the Passworks attributes do not describe
    (currencyCode, numberStyle, dateStyle, textAlignment, semantics...) kept from the previous
    design's field of the same key: an update rebuilds the fields from attributes, which
    cannot carry them, and would silently drop them (the demo card's currency, say)."""
    described = set(FIELD_KEYS.values())
    foreign = {field["key"]: {key: value for key, value in field.items() if key not in described}
               for apple_name in FIELD_LISTS.values() for field in (previous or {}).get(apple_name) or []
               if isinstance(field, Mapping) and "key" in field}
    for apple_name in FIELD_LISTS.values():
        design[apple_name] = [{**foreign.get(field["key"], {}), **field} for field in design.get(apple_name) or []]
    return design


def _presentation(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Colors, texts, dates and relevance: the attributes campaigns and passes share."""
    design: dict[str, Any] = {}
    for name, apple_name in {**COLOR_ATTRIBUTES, **PLAIN_ATTRIBUTES}.items():
        if attributes.get(name) not in (None, {}, []):
            design[apple_name] = _iso(attributes[name])
    if attributes.get("locations"):
        design["locations"] = [_renamed(item, LOCATION_KEYS) for item in attributes["locations"]]
    if attributes.get("beacons"):
        design["beacons"] = [_renamed(item, BEACON_KEYS) for item in attributes["beacons"]]
    if attributes.get("nfc"):
        design["nfc"] = _renamed(attributes["nfc"], NFC_KEYS)
    for name in APPLE_KEY_GROUPS:
        design.update({key: value for key, value in (attributes.get(name) or {}).items() if value is not None})
    return design


def campaign_attributes(design: Mapping[str, Any], settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """A campaign's Passworks attributes, every documented key present (null when unset)."""
    settings = settings or {}
    behaviours = settings.get("behaviours") or {}
    attributes: dict[str, Any] = {
        **_presentation_attributes(design),
        "transit_type": _short_transit_type(design.get("transitType")),
        "barcode": barcode_attributes(design.get("barcode")),
        **field_list_attributes(design, behaviours),
        **{name: (design.get("images") or {}).get(role) for name, role in IMAGE_ATTRIBUTES.items()},
        **{name: campaign_setting(settings, name) for name in SETTINGS_ATTRIBUTES},
    }
    return attributes


def foreign_settings(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """The settings that campaign_design does not produce, so a v2 update must keep them."""
    return {key: value for key, value in (settings or {}).items()
            if key not in SETTINGS_ATTRIBUTES and key != "behaviours" and key not in LEGACY_SETTING_NAMES.values()}


def campaign_setting(settings: Mapping[str, Any] | None, name: str) -> Any:
    """One of SETTINGS_ATTRIBUTES, its default when never set."""
    settings = settings or {}
    if name not in settings and LEGACY_SETTING_NAMES.get(name) in settings:
        return settings[LEGACY_SETTING_NAMES[name]]
    return settings.get(name, SETTINGS_DEFAULTS[name])


def _presentation_attributes(design: Mapping[str, Any]) -> dict[str, Any]:
    attributes = {name: design.get(apple_name)
                  for name, apple_name in {**COLOR_ATTRIBUTES, **PLAIN_ATTRIBUTES}.items()}
    attributes["user_info"] = design.get("userInfo") or {}
    attributes["locations"] = [_renamed(item, _inverse(LOCATION_KEYS)) for item in design.get("locations") or []]
    attributes["beacons"] = [_renamed(item, _inverse(BEACON_KEYS)) for item in design.get("beacons") or []]
    attributes["nfc"] = _renamed(design["nfc"], _inverse(NFC_KEYS)) if design.get("nfc") else None
    for name, keys in APPLE_KEY_GROUPS.items():
        attributes[name] = {key: design[key] for key in keys if key in design} or None
    return attributes


def barcode_attributes(barcode: Mapping[str, Any] | None) -> dict[str, Any]:
    found = _renamed(barcode or {}, _inverse(BARCODE_KEYS))
    found["format"] = BARCODE_FORMAT_NAMES.get(found.get("format", ""), found.get("format") or DEFAULT_BARCODE_FORMAT)
    return {"format": found["format"], "message": found.get("message") or "",
            "alt_text": found.get("alt_text") or "", "encoding": found.get("encoding")}


def field_list_attributes(design: Mapping[str, Any], behaviours: Mapping[str, str]) -> dict[str, Any]:
    """The field lists as Passworks shows them: without the back field that carries our push
    message to the lock screen (services.push_message), which no integrator wrote."""
    lists = {}
    for name, apple_name in FIELD_LISTS.items():
        lists[name] = [
            {"key": field.get("key"), "value": field.get("value"), "label": field.get("label"),
             "change_message": field.get("changeMessage"), "behaviour": behaviours.get(field.get("key"), FIXED)}
            for field in design.get(apple_name) or [] if field.get("key") != PUSH_MESSAGE_KEY
        ]
    return lists


def pass_values(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """A pass's own values (services.pass_content) from its Passworks attributes."""
    values: dict[str, Any] = _presentation(attributes)
    fields: dict[str, Any] = {}
    for name in FIELD_LISTS:
        for field in attributes.get(name) or []:
            extra = _renamed({k: v for k, v in field.items() if k not in ("key", "value")}, FIELD_KEYS)
            # Only what was sent changes: a label without a value keeps the current value.
            sent = {"value": field["value"], **extra} if "value" in field else extra
            if sent:
                fields[field["key"]] = sent if extra else sent["value"]
    if fields:
        values["fields"] = fields
    if attributes.get("barcode") is not None:
        values["barcode"] = _renamed(attributes["barcode"], BARCODE_KEYS)
    images = {role: str(attributes[name]) for name, role in IMAGE_ATTRIBUTES.items()
              if attributes.get(name) is not None}
    if images:
        values["images"] = images
    if attributes.get("voided") is not None:
        values["voided"] = attributes["voided"]
    return values


def pass_field_keys(attributes: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(attribute path, key) of every field value a pass body sets."""
    return [(f"{name}[{index}].key", field["key"])
            for name in FIELD_LISTS for index, field in enumerate(attributes.get(name) or [])]


def undeclared_field_lists(attributes: Mapping[str, Any], declared: set[str]) -> dict[str, str]:
    """{key: Apple list name} of each field a pass body sets that the campaign does not declare."""
    return {field["key"]: apple_name for name, apple_name in FIELD_LISTS.items()
            for field in attributes.get(name) or [] if field["key"] not in declared}


def pass_attributes(content: Mapping[str, Any], behaviours: Mapping[str, str]) -> dict[str, Any]:
    """The Passworks view of a pass from its composed content."""
    return {
        **_presentation_attributes(content),
        "voided": bool(content.get("voided", False)),
        "barcode": barcode_attributes(content.get("barcode")),
        **field_list_attributes(content, behaviours),
        **{name: (content.get("images") or {}).get(role) for name, role in IMAGE_ATTRIBUTES.items()},
    }


def design_field_keys(design: Mapping[str, Any]) -> set[str]:
    return {field.get("key") for apple_name in FIELD_LISTS.values() for field in design.get(apple_name) or []}


def _renamed(item: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    return {names[key]: _iso(value) for key, value in item.items() if key in names and value is not None}


def _inverse(names: Mapping[str, str]) -> dict[str, str]:
    return {apple: ours for ours, apple in names.items()}


def _iso(value: Any) -> Any:
    """JSON-ready: datetimes as ISO 8601 UTC, UUIDs as text."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # Passworks: dates are UTC
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _short_transit_type(value: Any) -> str | None:
    return value.removeprefix(TRANSIT_PREFIX).lower() if isinstance(value, str) else None
