"""A v3 pass's own `semantics`, `preferredStyleSchemes`, `nfc`, `upcomingPassInformation`,
`featuredActions` and `posterGeneric` (issue 18), in Apple's spelling.

Passcreator has none of these keys; they follow v3's camelCase, which is Apple's too. Each
replaces its template's value as a whole (v2 `semantics`, `preferred_style_schemes`, `nfc`),
and `""` or `null` gives the template's back. Only the shape is read here: the rules Apple
documents (the semantic tags a poster event ticket or semantic boarding pass needs, schemes
per style, the NFC message's length) are passkit's, checked on the composed pass when it
is written (services.passes.check_content).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, MutableSet
from typing import Any

from sqlalchemy.orm import Session

from walletservice.errors import BadRequest
from walletservice.passkit.boarding_links import BOARDING_LINK_KEYS
from walletservice.passkit.featured_actions import KEY as FEATURED_ACTIONS_KEY
from walletservice.passkit.nfc import NFC_KEYS
from walletservice.passkit.poster_generic import KEY as POSTER_GENERIC_KEY
from walletservice.passkit.poster_keys import POSTER_KEYS
from walletservice.passkit.upcoming_events import KEY as UPCOMING_KEY
from walletservice.services.assets import check_owned_upcoming_images
from walletservice.services.nfc_keys import required_nfc_public_key

WALLET_FEATURE_KEYS = ("semantics", "preferredStyleSchemes", "nfc", UPCOMING_KEY, FEATURED_ACTIONS_KEY,
                       POSTER_GENERIC_KEY)
# Objects grouping top-level pass.json keys (v2 `poster` and `boarding_links`): each key given
# replaces the template's on its own; null clears the pass's own keys of the group.
WALLET_KEY_GROUPS = {"poster": POSTER_KEYS, "boardingLinks": BOARDING_LINK_KEYS}
NFC_PUBLIC_KEY = "encryptionPublicKey"


def read_wallet_features(data: Mapping[str, Any], values: MutableMapping[str, Any],
                         cleared: MutableSet[str]) -> None:
    """Copy the keys the data gives into the pass's values; an empty one into `cleared`.
    The message's size and requiresAuthentication's type are passkit's (passkit.nfc.check_nfc)."""
    readers = {"semantics": _semantics, "preferredStyleSchemes": _style_schemes, "nfc": _nfc,
               UPCOMING_KEY: _upcoming_events, FEATURED_ACTIONS_KEY: _featured_actions,
               POSTER_GENERIC_KEY: _poster_generic}
    for name, read in readers.items():
        if name not in data:
            continue
        value = read(data[name])
        if value is None:
            cleared.add(name)
        else:
            values[name] = value
    for group, keys in WALLET_KEY_GROUPS.items():
        if group in data:
            given = _key_group(group, data[group], keys)
            if given is None:
                cleared.update(keys)
            else:
                values.update(given)


def key_group_views(content: Mapping[str, Any]) -> dict[str, Any]:
    """The pass view's `poster` and `boardingLinks`: the keys the built pass carries."""
    return {group: {key: content[key] for key in keys if key in content} or None
            for group, keys in WALLET_KEY_GROUPS.items()}


def with_nfc_key(session: Session, organization_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """An `nfc` without encryptionPublicKey gets the organization's newest, copied now so the pass
    keeps the key its readers were given after a new one is created (as v2 does)."""
    nfc = values.get("nfc")
    if not isinstance(nfc, Mapping) or nfc.get(NFC_PUBLIC_KEY):
        return dict(values)
    public_key = required_nfc_public_key(session, organization_id, f"nfc.{NFC_PUBLIC_KEY}")
    return {**values, "nfc": {**nfc, NFC_PUBLIC_KEY: public_key}}


def check_wallet_feature_references(session: Session, organization_id: str, values: Mapping[str, Any]) -> None:
    """In the request, so an async create or update is refused before it is queued: with_nfc_key's
    refusal, and upcoming events' images that name no asset of the organization."""
    with_nfc_key(session, organization_id, values)
    check_owned_upcoming_images(session, organization_id, values.get(UPCOMING_KEY), UPCOMING_KEY)


def _semantics(value: Any) -> dict[str, Any] | None:
    if value in (None, "", {}):
        return None
    if not isinstance(value, Mapping):
        raise BadRequest("semantics must be an object of Apple's semantic tags, e.g. {\"venueName\": \"Arena\"}")
    return dict(value)


def _style_schemes(value: Any) -> list[str] | None:
    if value in (None, "", []):
        return None
    if not isinstance(value, list) or not all(isinstance(scheme, str) for scheme in value):
        raise BadRequest('preferredStyleSchemes must be a list of scheme names, e.g. ["posterEventTicket"]')
    return list(value)


def _upcoming_events(value: Any) -> list[Any] | None:
    if value in (None, "", []):
        return None
    if not isinstance(value, list) or not all(isinstance(entry, Mapping) for entry in value):
        raise BadRequest('upcomingPassInformation must be a list of entries, e.g. '
                         '[{"identifier": "match-2", "name": "Match 2", "type": "event"}]')
    return [dict(entry) for entry in value]


def _featured_actions(value: Any) -> list[Any] | None:
    if value in (None, "", []):
        return None
    if not isinstance(value, list) or not all(isinstance(action, Mapping) for action in value):
        raise BadRequest('featuredActions must be a list of actions, e.g. '
                         '[{"identifier": "benefits", "type": "membershipBenefits", "url": "https://..."}]')
    return [dict(action) for action in value]


def _poster_generic(value: Any) -> bool | None:
    # false is a value of its own: it turns off the template's poster face for this pass.
    if value in (None, ""):
        return None
    if not isinstance(value, bool):
        raise BadRequest("posterGeneric must be true or false (null: the template's)")
    return value


def _key_group(group: str, value: Any, keys: tuple[str, ...]) -> dict[str, Any] | None:
    if value in (None, "", {}):
        return None
    if not isinstance(value, Mapping):
        raise BadRequest(f"{group} must be an object of Apple's keys, e.g. {{\"{keys[0]}\": ...}}")
    unknown = sorted(str(key) for key in value if key not in keys)
    if unknown:
        raise BadRequest(f"{group}.{unknown[0]} is not a key: use {', '.join(keys)}")
    return {key: value[key] for key in keys if value.get(key) is not None}


def _nfc(value: Any) -> dict[str, Any] | None:
    if value in (None, "", {}):
        return None
    if not isinstance(value, Mapping):
        raise BadRequest("nfc must be an object with message and requiresAuthentication")
    unknown = sorted(str(key) for key in value if key not in NFC_KEYS)
    if unknown:
        raise BadRequest(f"nfc.{unknown[0]} is not a key: use {', '.join(NFC_KEYS)}")
    return {key: value[key] for key in NFC_KEYS if value.get(key) is not None}
