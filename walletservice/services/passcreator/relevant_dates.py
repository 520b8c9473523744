"""A v3 pass's `relevantDates` (iOS 18): Apple's entries with v3's date format.

Each entry is `{"date": "Y-m-d H:i"}` or `{"startDate": ..., "endDate": ...}`, UTC like
every v3 date; they become pass.json's `relevantDates` and passkit checks the rest
(an interval's end after its start, docs/pass-format.md). `""`, `null` or `[]` clears.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from walletservice.errors import BadRequest
from walletservice.passkit.relevant_dates import RELEVANT_DATE_KEYS

SHAPE = 'relevantDates must be a list of {"date"} or {"startDate", "endDate"} objects'


def read_relevant_dates(value: Any, parse_date: Any) -> list[dict[str, Any]] | None:
    """pass.json's relevantDates from a v3 body's; parse_date(text, name) reads one v3 date."""
    if value in (None, "", []):
        return None
    if not isinstance(value, list) or not all(isinstance(entry, Mapping) for entry in value):
        raise BadRequest(SHAPE)
    entries = []
    for index, entry in enumerate(value):
        unknown = sorted(str(key) for key in entry if key not in RELEVANT_DATE_KEYS)
        if unknown:
            raise BadRequest(f"relevantDates[{index}].{unknown[0]} is not a key: use date, or startDate and endDate")
        entries.append({key: parse_date(entry[key], f"relevantDates[{index}].{key}")
                        for key in RELEVANT_DATE_KEYS if key in entry})
    return entries
