"""Collecting validation problems so one error can report all of them."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from typing import Any

from .errors import PassValidationError


class Problems:
    """An ordered list of problems, each remembered with the JSON path it is about."""

    def __init__(self) -> None:
        self._entries: list[tuple[str, str]] = []

    def add(self, path: str, detail: str) -> None:
        """Record "path: detail"."""
        self._entries.append((path, f"{path}: {detail}"))

    def missing(self, path: str, context: str = "") -> None:
        """Record "path is required[ context]"."""
        suffix = f" {context}" if context else ""
        self._entries.append((path, f"{path} is required{suffix}"))

    def unknown_key(self, path: str, key: str, known: Iterable[str]) -> None:
        """Reject a key nobody reads, so that a typo does not silently vanish."""
        guess = _closest(key, list(known))
        hint = f"; did you mean {guess}?" if guess else ""
        self.add(f"{path}.{key}" if path else key, f"unknown key{hint}")

    def any_under(self, prefix: str) -> bool:
        """Whether a problem was already reported about prefix or something inside it."""
        return any(_is_under(path, prefix) for path, _ in self._entries)

    @property
    def paths(self) -> set[str]:
        return {path for path, _ in self._entries}

    @property
    def messages(self) -> list[str]:
        # The same finding can be reached twice (e.g. per list and per pass); say it once.
        return list(dict.fromkeys(message for _, message in self._entries))

    def merge(self, other: Problems, *, except_under: Iterable[str] = ()) -> None:
        """Take over other's problems, except those about paths already reported."""
        skipped = tuple(except_under)
        for path, message in other._entries:
            if not any(_is_under(path, prefix) for prefix in skipped):
                self._entries.append((path, message))

    def __bool__(self) -> bool:
        return bool(self._entries)

    def raise_if_any(self) -> None:
        if self._entries:
            raise PassValidationError(self.messages)


def _closest(key: str, known: list[str]) -> str | None:
    """The known key a typo most likely meant: same letters in another case, a prefix, or a near spelling."""
    lowered = key.lower()
    for candidate in known:
        if candidate.lower() == lowered:
            return candidate
    if len(key) >= 3:
        for candidate in known:
            if candidate.lower().startswith(lowered):
                return candidate
    close = difflib.get_close_matches(key, known, n=1)
    return close[0] if close else None


def _is_under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


def is_number(value: Any) -> bool:
    """A JSON number: bool is an int in Python but true/false in JSON, and NaN is not JSON."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond a double (1e400 written out): Wallet could not read it either
        return False


def describe(value: Any) -> str:
    """A short rendering of a bad value for a problem sentence."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
