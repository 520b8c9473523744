"""Entity tags (ETag) of passes, campaigns and templates, and If-Match against them.

A tag is a digest of the row's version: for a pass its update tag (which every change
of its content moves, services.update_tags) with the columns that change without one
(values, redeem counts, voided, extras); for a campaign its updated_at with its design,
settings and state; a template never changes but by deletion. So a tag changes with
every change, is the same whichever API reads the object, and is strong (RFC 9110,
8.8.3): equal tags mean equal objects. Flask-free: the API layer reads the headers.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from walletservice.errors import BadRequest, PreconditionFailed
from walletservice.models import Campaign, Pass, Template

_ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e]*)"\s*(?:,|$)')


def entity_tag(row: Pass | Campaign | Template) -> str:
    """The row's strong ETag, quoted as the header carries it."""
    version = json.dumps(_version(row), default=str, sort_keys=True, separators=(",", ":"))
    return '"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"'


def _version(row: Pass | Campaign | Template) -> list[Any]:
    if isinstance(row, Pass):
        return ["pass", row.id, row.update_tag, row.modified_at, row.values, row.extra, row.voided,
                row.redeemed_count, row.redeemed_at, row.expired_at, row.personalized_at, row.user_provided_id]
    if isinstance(row, Campaign):
        return ["campaign", row.id, row.updated_at, row.name, row.state, row.design, row.settings,
                row.certificate_id, row.template_id]
    return ["template", row.id, row.name, row.description, row.style, row.attributes]


def require_match(if_match: str, current: str, what: str) -> None:
    """Go on when If-Match is `*` or names `current`; PreconditionFailed (412) otherwise.
    Weak tags never match (If-Match compares strongly, RFC 9110, 13.1.1)."""
    if if_match.strip() == "*":
        return
    if current not in _strong_tags(if_match):
        raise PreconditionFailed(f"the {what} has changed since the ETag sent in If-Match "
                                 f"(now {current}): read it again and retry with the new ETag")


def _strong_tags(header: str) -> set[str]:
    tags, position = set(), 0
    while position < len(header):
        match = _ENTITY_TAG.match(header, position)
        if match is None or match.end() == position:
            raise BadRequest('If-Match must be * or a list of quoted entity tags, e.g. If-Match: "3f2a..."')
        if not match.group(1):
            tags.add(f'"{match.group(2)}"')
        position = match.end()
    return tags
