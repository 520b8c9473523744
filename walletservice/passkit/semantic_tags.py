"""Semantic tag names in a design: the ones Apple's "SemanticTags" reference lists (pass_format)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .pass_format import SEMANTIC_TAGS
from .problems import Problems

_KNOWN = sorted(SEMANTIC_TAGS)


def reject_unknown_semantic_tags(semantics: Any, path: str, problems: Problems) -> None:
    """A misspelt tag would silently cost the pass its poster layout or live updates."""
    if isinstance(semantics, Mapping):
        for tag in semantics:
            if tag not in SEMANTIC_TAGS:
                problems.unknown_key(path, str(tag), _KNOWN)
