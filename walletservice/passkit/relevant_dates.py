"""When a pass is relevant: `relevantDates` (iOS 18) and the older `relevantDate`.

Apple (WalletPasses, "Pass.RelevantDates"): each entry is either one moment, `{"date"}`,
or an interval, `{"startDate", "endDate"}`; values are complete ISO 8601 dates with
hours and minutes. iOS 18 reads `relevantDates` and ignores `relevantDate`; older iOS
reads only `relevantDate`. So when a design gives only `relevantDates`, the builder
also writes `relevantDate` as the earliest moment of the list, which is the fallback
older devices show (docs/pass-format.md, "relevantDates and relevantDate").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .dates import normalize_pass_date, parse_pass_date
from .problems import Problems, describe

RELEVANT_DATE_KEYS = ("date", "startDate", "endDate")
# One entry per visit of a season ticket is plenty; a bound keeps pass.json small.
MAX_RELEVANT_DATES = 100
_INTERVAL = ("startDate", "endDate")


# -- design ---------------------------------------------------------------------------

def design_relevant_dates(items: Any, problems: Problems) -> Any:
    """The list with known keys only and every date in Wallet's form."""
    if not isinstance(items, list):
        return items  # validation reports it
    result = []
    for index, item in enumerate(items):
        if isinstance(item, Mapping):
            item = _design_entry(item, f"relevantDates[{index}]", problems)
        result.append(item)
    return result


def _design_entry(item: Mapping[str, Any], path: str, problems: Problems) -> dict[str, Any]:
    for key in item:
        if key not in RELEVANT_DATE_KEYS:
            problems.unknown_key(path, str(key), RELEVANT_DATE_KEYS)
    entry = {}
    for key in RELEVANT_DATE_KEYS:
        if key in item:
            try:
                entry[key] = normalize_pass_date(item[key])
            except ValueError:
                entry[key] = item[key]  # validation reports it with the pass.json path
    return entry


def fallback_relevant_date(relevant_dates: Any) -> str | None:
    """The earliest moment of a valid relevantDates list, for iOS before 18; else None."""
    if not isinstance(relevant_dates, list):
        return None
    moments = []
    for entry in relevant_dates:
        text = entry.get("date", entry.get("startDate")) if isinstance(entry, Mapping) else None
        try:
            moments.append((parse_pass_date(text), text))
        except ValueError:
            return None
    return min(moments)[1] if moments else None


# -- validation -----------------------------------------------------------------------

def check_relevant_dates(pass_json: Mapping[str, Any], problems: Problems) -> None:
    items = pass_json.get("relevantDates")
    if items is None:
        return
    if not isinstance(items, list) or not items:
        problems.add("relevantDates", 'must be a non-empty list of {"date"} or {"startDate", "endDate"} objects')
        return
    if len(items) > MAX_RELEVANT_DATES:
        problems.add("relevantDates", f"at most {MAX_RELEVANT_DATES} allowed, got {len(items)}")
    for index, entry in enumerate(items):
        path = f"relevantDates[{index}]"
        if isinstance(entry, Mapping):
            _check_entry(entry, path, problems)
        else:
            problems.add(path, 'must be an object: {"date"} or {"startDate", "endDate"}')


def _check_entry(entry: Mapping[str, Any], path: str, problems: Problems) -> None:
    has_date = "date" in entry
    interval = [key for key in _INTERVAL if key in entry]
    if has_date and interval:
        problems.add(path, 'has both date and startDate/endDate; give one moment ("date") or one interval')
        return
    if not has_date and not interval:
        problems.add(path, 'needs "date", or "startDate" and "endDate"')
        return
    for key in interval:
        if len(interval) < len(_INTERVAL):
            missing = next(name for name in _INTERVAL if name not in entry)
            problems.missing(f"{path}.{missing}", f"when {key} is set (an interval has both ends)")
    moments = {key: _moment(entry[key], f"{path}.{key}", problems) for key in ("date", *interval) if key in entry}
    start, end = moments.get("startDate"), moments.get("endDate")
    if start is not None and end is not None and end <= start:
        problems.add(f"{path}.endDate", f"{describe(entry['endDate'])} must be after startDate")


def _moment(value: Any, path: str, problems: Problems) -> Any:
    try:
        return parse_pass_date(value)
    except ValueError as exc:
        problems.add(path, f"{describe(value)} {exc}")
        return None
