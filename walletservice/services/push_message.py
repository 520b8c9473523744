"""push_message: text shown on the lock screen when an update reaches the device.

APNs pushes for Wallet carry no text: the device only learns that a pass changed,
fetches it, and shows a notification when a field with a `changeMessage` changed
its value (Apple: changeMessage must contain %@, replaced by the new value). So a
push message is written into the pass itself, as a back field of ours:

    {"key": "ws_push_message", "value": "<the message>", "changeMessage": "%@"}

The lock screen then shows exactly the message. The field stays on the pass (the
back of the pass shows the latest message) and is carried over when the pass is
rebuilt, so the next message is a change of value that Wallet announces.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from walletservice.models import Pass
from walletservice.services.pass_locks import lock_passes_for_update
from walletservice.services.update_tags import mark_passes_changed

PUSH_MESSAGE_KEY = "ws_push_message"
CHANGE_MESSAGE = "%@"
# Wallet announces a change of value only: the same text twice in a row gets an
# invisible zero-width space appended (or removed) so it is still a change.
_REPEAT_MARK = "\u200b"


def push_message_field(content: Mapping[str, Any]) -> dict[str, Any] | None:
    for field in content.get("backFields") or []:
        if field.get("key") == PUSH_MESSAGE_KEY:
            return dict(field)
    return None


def push_message_text(value: str) -> str:
    """The message as people should read it (without the mark that makes a repeat a change)."""
    return value.removesuffix(_REPEAT_MARK)


def with_push_message(content: Mapping[str, Any], message: str) -> dict[str, Any]:
    """The content with the message field set to `message`, always a new value."""
    previous = push_message_field(content)
    value = message
    if previous is not None and previous.get("value") == value:
        value = message + _REPEAT_MARK
    field = {"key": PUSH_MESSAGE_KEY, "value": value, "changeMessage": CHANGE_MESSAGE}
    return _with_field(content, field)


def keep_push_message(previous: Mapping[str, Any], content: Mapping[str, Any]) -> dict[str, Any]:
    """`content` rebuilt from the campaign, with the message field `previous` had."""
    field = push_message_field(previous)
    if field is None or push_message_field(content) is not None:
        return dict(content)
    return _with_field(content, field)


def _with_field(content: Mapping[str, Any], field: dict[str, Any]) -> dict[str, Any]:
    # A new top-level dict and list; nested values are shared, never changed in place.
    updated = dict(content)
    others = [item for item in updated.get("backFields") or [] if item.get("key") != PUSH_MESSAGE_KEY]
    # First on the back of the pass: the latest news reads first.
    updated["backFields"] = [field, *others]
    return updated


def set_push_message(session: Session, passes: list[Pass], message: str) -> None:
    """Write the message into each pass and give them new tags, so the push that
    follows makes Wallet fetch them and announce the message."""
    lock_passes_for_update(session, passes)
    for pass_ in passes:
        pass_.content = with_push_message(pass_.content, message)
    mark_passes_changed(session, passes)
