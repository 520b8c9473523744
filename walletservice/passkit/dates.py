"""Pass dates: Apple wants W3C / ISO-8601 dates with at least hours and minutes.

Wallet reads a date without a time zone as ambiguous, so a zone is required here too;
output is always "YYYY-MM-DDTHH:MM:SS+HH:MM" (or "Z" for UTC), which every iOS version parses.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, TypeVar

_Dated = TypeVar("_Dated", dt.date, dt.datetime)

_W3C = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(Z|[+-]\d{2}:?\d{2})\Z",
    re.IGNORECASE,
)

DATE_HINT = "use an ISO-8601 date with hours, minutes and a time zone, e.g. 2025-06-01T19:30:00+02:00"

# Every date the service takes in (pass dates, report days, filters, schedules) lies in
# this range. The year of margin at both ends lets any arithmetic on an accepted date
# (a UTC offset, a month back, a year of report days) stay inside Python's years 1-9999.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(9998, 12, 31)
OUT_OF_RANGE = f"is out of range: accepted from {EARLIEST_DATE} to {LATEST_DATE}"


def in_accepted_range(value: dt.date | dt.datetime) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def check_date_in_range(value: _Dated, name: str = "", error: type[Exception] = ValueError) -> _Dated:
    """The date or time unchanged; else `error`: "<name>: the date is out of range: accepted ..."."""
    if not in_accepted_range(value):
        kind = "time" if isinstance(value, dt.datetime) else "date"
        raise error(f"{name}: the {kind} {OUT_OF_RANGE}" if name else f"the {kind} {OUT_OF_RANGE}")
    return value


def _in_range_pass_date(moment: dt.datetime) -> dt.datetime:
    if not in_accepted_range(moment):
        raise ValueError(OUT_OF_RANGE)  # callers put the value first: "'0001-01-01T00:00Z' is out of range"
    return moment


def _zone(text: str) -> dt.timezone:
    if text.upper() == "Z":
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return dt.timezone(sign * offset)


def parse_pass_date(value: Any) -> dt.datetime:
    """A timezone-aware datetime from a string or datetime; ValueError saying what is wrong."""
    if isinstance(value, dt.datetime):
        if value.utcoffset() is None:
            raise ValueError("has no time zone")
        return _in_range_pass_date(value)
    if not isinstance(value, str):
        raise ValueError(f"is not a date; {DATE_HINT}")
    match = _W3C.match(value.strip())
    if not match:
        raise ValueError(f"is not a date; {DATE_HINT}")
    year, month, day, hour, minute, second = (int(part or 0) for part in match.groups()[:6])
    try:
        moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=_zone(match.group(7)))
    except ValueError as exc:  # 2025-02-30, 25:00, a zone of 24 hours or more
        raise ValueError(f"is not a real date ({exc})") from None
    return _in_range_pass_date(moment)


def format_pass_date(moment: dt.datetime) -> str:
    """"YYYY-MM-DDTHH:MM:SS+HH:MM", or "Z" for UTC; fractions of a second are dropped."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("has no time zone")
    stamp = moment.replace(microsecond=0, tzinfo=None).isoformat(timespec="seconds")
    if not offset:
        return stamp + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{stamp}{sign}{hours:02d}:{minutes:02d}"


def normalize_pass_date(value: Any) -> str:
    """parse_pass_date, then format_pass_date."""
    return format_pass_date(parse_pass_date(value))
