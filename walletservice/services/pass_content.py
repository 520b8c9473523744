"""How a pass's own values combine with its campaign's design (pure).

A design is the campaign's pass in Apple's key names (walletservice.passkit.design)
plus keys of ours: `images` ({role: asset_id}), `localized_images`
({lang: {role: asset_id}}), `localizations` ({lang: {key: text}}) and
`personalization` (Apple's personalization.json).
Per-pass values are `{"fields": {key: value}, "barcode": {...}, "images": {...},
"extra_fields": {key: field list}, <any top-level design key>: value}`; they win over the
design. `extra_fields` places fields the design does not declare (v1 lets a pass add
one, docs/v1-compatibility.md): each goes at the end of its list, and a key the design
declares later is the design's field. `localizations` and
`localized_images` merge per language, string by string and role by role.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

FIELD_LISTS = (
    "headerFields", "primaryFields", "secondaryFields", "auxiliaryFields", "backFields", "additionalInfoFields",
    "footerFields",
)
EXTRA_FIELDS = "extra_fields"
LOCALIZED_IMAGES = "localized_images"
NON_APPLE_KEYS = ("images", LOCALIZED_IMAGES, "localizations", "personalization")
# {language: {...}} values a pass merges into its design's language by language, entry by entry.
PER_LANGUAGE = ("localizations", LOCALIZED_IMAGES)


def compose_pass_content(design: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    content = copy.deepcopy(dict(design))
    _add_extra_fields(content, values.get(EXTRA_FIELDS) or {})
    field_values = values.get("fields") or {}
    for list_name in FIELD_LISTS:
        for field in content.get(list_name) or []:
            if field.get("key") in field_values:
                _apply_field_value(field, field_values[field["key"]])
    for key, value in values.items():
        if key in ("fields", EXTRA_FIELDS):
            continue
        if key in ("barcode", "images") and isinstance(value, Mapping):
            merged = dict(content.get(key) or {})
            merged.update(value)
            content[key] = merged
        elif key in PER_LANGUAGE and isinstance(value, Mapping):
            content[key] = _merged_per_language(content.get(key) or {}, value)
        else:
            content[key] = copy.deepcopy(value)
    return content


def _add_extra_fields(content: dict[str, Any], placed: Mapping[str, str]) -> None:
    """Each undeclared key as an empty field at the end of its list; its value, label... come
    from the pass's `fields` like any other (a field without a value is left out of pass.json)."""
    declared = {field.get("key") for name in FIELD_LISTS for field in content.get(name) or []}
    for key, list_name in placed.items():
        if key not in declared and list_name in FIELD_LISTS:
            content[list_name] = [*(content.get(list_name) or []), {"key": key, "value": None}]


def _merged_per_language(design: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The pass adds to each language's strings or images; it does not replace the
    template's ones for that language (the pass's entry wins on a clash)."""
    merged = copy.deepcopy(dict(design))
    for language, entries in given.items():
        if isinstance(entries, Mapping) and isinstance(merged.get(language), Mapping):
            merged[language] = {**merged[language], **copy.deepcopy(dict(entries))}
        else:
            merged[language] = copy.deepcopy(entries)
    return merged


def _apply_field_value(field: dict[str, Any], value: Any) -> None:
    # A dict replaces several attributes at once ({"value": ..., "label": ...}).
    if isinstance(value, Mapping):
        field.update(value)
    else:
        field["value"] = value


def apple_design(content: Mapping[str, Any]) -> dict[str, Any]:
    """The part of the content that becomes pass.json."""
    return {key: value for key, value in content.items() if key not in NON_APPLE_KEYS}


def bundle_image_assets(content: Mapping[str, Any]) -> dict[str, str]:
    """{bundle image name without ".png": asset_id}: "icon", "de.lproj/background", ...

    Apple: a top-level image hides the localized ones, so a role localized for some
    language leaves the top level; its top-level image goes into the folders of the
    pass's other languages (those with pass.strings), which would otherwise show none.
    """
    images = {role: asset for role, asset in (content.get("images") or {}).items() if asset}
    localized = {language: {role: asset for role, asset in roles.items() if asset}
                 for language, roles in (content.get(LOCALIZED_IMAGES) or {}).items()}
    localized_roles = {role for roles in localized.values() for role in roles}
    names = {role: asset for role, asset in images.items() if role not in localized_roles}
    for language in sorted(set(localized) | set(content.get("localizations") or {})):
        for role in sorted(localized_roles):
            asset = localized.get(language, {}).get(role) or images.get(role)
            if asset:
                names[f"{language}.lproj/{role}"] = asset
    return names


def parse_instant(value: Any) -> dt.datetime | None:
    """An ISO 8601 time from pass content (W3C: zone required; none is read as UTC)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def has_expired(content: Mapping[str, Any], now: dt.datetime) -> bool:
    expires = parse_instant(content.get("expirationDate"))
    return expires is not None and expires <= now
