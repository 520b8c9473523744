"""Featured actions (iOS 27, every style): a top-level list of up to two buttons on the pass.

Apple's open-source Pass Builder (Pass.swift `featuredActions: [Pass.Action]?`,
Pass+Action.swift, Protobufs/PassAction.proto) models an action as exactly three keys:
`identifier` (required, unique), `type` (required, the action to perform) and `url`
("the URL the action opens, if applicable"). Apple's source keeps `type` an open string
with no list of types and no per-type value rule, so we check its shape, not its name
(docs/pass-format.md, "Featured actions").
"""

from __future__ import annotations

from typing import Any

from .poster_keys import is_https_url
from .problems import Problems, describe

KEY = "featuredActions"
ACTION_KEYS = ("identifier", "type", "url")
# "up to two action objects" (WWDC26, What's new in Wallet)
MAX_FEATURED_ACTIONS = 2


def check_featured_actions(actions: Any, problems: Problems) -> None:
    if actions is None:
        return
    if not isinstance(actions, list):
        problems.add(KEY, "must be a list of actions")
        return
    if len(actions) > MAX_FEATURED_ACTIONS:
        problems.add(KEY, f"has {len(actions)} actions; Wallet shows at most {MAX_FEATURED_ACTIONS}")
    seen: set[str] = set()
    for index, action in enumerate(actions):
        path = f"{KEY}[{index}]"
        if not isinstance(action, dict):
            problems.add(path, "must be an object with identifier, type and url")
            continue
        _check_action(action, path, problems)
        identifier = action.get("identifier")
        if isinstance(identifier, str) and identifier in seen:
            problems.add(f"{path}.identifier", f"{identifier!r} is used twice; identifiers must be unique")
        if isinstance(identifier, str):
            seen.add(identifier)


def _check_action(action: dict[str, Any], path: str, problems: Problems) -> None:
    for key in action:
        if key not in ACTION_KEYS:
            problems.unknown_key(path, str(key), ACTION_KEYS)
    for key in ("identifier", "type"):
        value = action.get(key)
        if value is None:
            problems.missing(f"{path}.{key}")
        elif not isinstance(value, str) or not value.strip() or "\x00" in value:
            problems.add(f"{path}.{key}", "must be a non-empty string")
    if "url" in action and not is_https_url(action["url"]):
        problems.add(f"{path}.url", f"{describe(action['url'])} must be an https URL")
