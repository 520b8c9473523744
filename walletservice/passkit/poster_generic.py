"""The poster generic style (iOS 27): a poster face for memberships, loyalty cards, coupons
and gift cards.

Apple's Pass Builder models it as a style of its own (PassStyle.swift `posterGeneric`;
Pass.swift `posterGeneric: Pass.Fields?` beside `generic`), not as a preferredStyleSchemes
value. Its face shows the background image, the primary logo, header fields, primary fields,
one footer field and the barcode (WWDC26, What's new in Wallet). Older iOS does not know the
key, so Apple recommends keeping a classic style beside it: a pass carries `posterGeneric`
AND its own generic, storeCard or coupon dictionary (docs/pass-format.md, "Poster generic").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .fields import FIELD_LISTS, check_field_list, check_style_fields, design_field_list
from .problems import Problems

KEY = "posterGeneric"
FOOTER_FIELDS = "footerFields"
FALLBACK_STYLES = ("coupon", "generic", "storeCard")
# The classic lists the poster face (and its details) reads; secondary and auxiliary fields it does not show.
COPIED_LISTS = ("headerFields", "primaryFields", "backFields", "additionalInfoFields")
POSTER_LISTS = (*FIELD_LISTS, FOOTER_FIELDS)
# "only the first footer field is shown" (WWDC26, What's new in Wallet)
MAX_FOOTER_FIELDS = 1


def design_poster_generic(design: Mapping[str, Any], style: str | None, classic: Mapping[str, Any],
                          problems: Problems) -> dict[str, Any] | None:
    """posterGeneric's fields: the classic style's shown lists plus the design's footerFields."""
    footer = design.get(FOOTER_FIELDS)
    if design.get(KEY) is not True:
        if design.get(KEY) not in (None, False):
            problems.add(KEY, "must be true or false")
        elif design.get(KEY) is None and footer not in (None, []):
            # Unset: the footer would vanish unseen. An explicit false (a pass turning its campaign's
            # poster face off) leaves the face out with its footer.
            problems.add(FOOTER_FIELDS, "only the poster generic style shows footer fields; set posterGeneric")
        return None
    if style is not None and style not in FALLBACK_STYLES:
        problems.add(KEY, f"is for {', '.join(FALLBACK_STYLES)} passes, not {style}")
        return None
    poster = {name: classic[name] for name in COPIED_LISTS if name in classic}
    if footer is not None:
        footer = design_field_list(footer, f"{KEY}.{FOOTER_FIELDS}", problems)
        if footer != []:
            poster[FOOTER_FIELDS] = footer
    return poster


def check_poster_generic(pass_json: Mapping[str, Any], style: str | None, problems: Problems) -> None:
    if KEY not in pass_json:
        return
    poster = pass_json[KEY]
    if not isinstance(poster, Mapping):
        problems.add(KEY, "must be an object holding the field lists")
        return
    if style is not None and style not in FALLBACK_STYLES:
        problems.add(KEY, f"needs a generic, storeCard or coupon dictionary beside it for iOS 26 and earlier, "
                          f"not {style}")
    for key in poster:
        if key not in POSTER_LISTS:
            problems.unknown_key(KEY, str(key), POSTER_LISTS)
    check_style_fields({name: poster[name] for name in FIELD_LISTS if name in poster}, KEY, False, problems)
    footer = poster.get(FOOTER_FIELDS)
    seen = {field.get("key"): f"{KEY}.{name}" for name in FIELD_LISTS for field in poster.get(name) or []
            if isinstance(field, Mapping) and isinstance(field.get("key"), str)}
    check_field_list(footer, f"{KEY}.{FOOTER_FIELDS}", FOOTER_FIELDS, seen, problems)
    if isinstance(footer, list) and len(footer) > MAX_FOOTER_FIELDS:
        problems.add(f"{KEY}.{FOOTER_FIELDS}", f"has {len(footer)} fields; Wallet shows only the first, give one")
