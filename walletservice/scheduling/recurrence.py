"""When a recurring schedule fires: 5-field cron in an IANA time zone (pure).

APScheduler's CronTrigger parses and matches the fields, but it is run on the
*wall clock* (local times written as if they were UTC) and each match is placed
in the zone here, for two reasons:
- APScheduler 3.x fires twice in the hour that repeats when clocks go back;
  RFC 5545 (3.3.5) says an ambiguous local time means its first occurrence.
- A local time skipped when clocks go forward is read with the offset before
  the gap (RFC 5545, and what zoneinfo does with fold=0): 02:00 on the spring-
  forward day in Berlin fires at 03:00 CEST, the moment the clock jumps.
APScheduler 3.x also numbers weekdays from Monday = 0; crontab's 0 (and 7) is
Sunday, so numeric weekdays are translated to names first.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

UTC = dt.timezone.utc
# crontab numbering: 0 and 7 are Sunday.
_WEEKDAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_WEEKDAY_NUMBERS = {name: number for number, name in enumerate(_WEEKDAY_NAMES)}
_WEEKDAY_TOKEN = re.compile(r"^(?P<range>\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/(?P<step>\d+))?$")
# Matches skipped because their wall time repeats (at most an hour of minutes).
_MAX_REPEATED_MATCHES = 24 * 60


class RecurrenceError(ValueError):
    """The expression or time zone cannot be used; the message says why."""


def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RecurrenceError(f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)") from None


def parse_cron(expression: str) -> CronTrigger:
    """A trigger matching the expression on the wall clock (see the module docstring)."""
    fields = expression.split()
    if len(fields) != 5:
        raise RecurrenceError("cron: five fields expected (minute hour day-of-month month day-of-week)")
    minute, hour, day, month, weekday = fields
    if day not in ("*", "?") and weekday not in ("*", "?"):
        # crontab runs when either matches, APScheduler when both do: refuse the ambiguity.
        raise RecurrenceError("cron: restrict day-of-month or day-of-week, not both")
    day_of_week = _weekday_field(weekday)
    try:
        return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, timezone=UTC)
    except ValueError as exc:
        raise RecurrenceError(f"cron: {exc}") from None


def next_fire_time(trigger: CronTrigger, zone: ZoneInfo, after: dt.datetime) -> dt.datetime | None:
    """The first instant strictly after `after` (aware) at which the cron fires in `zone`."""
    wall = after.astimezone(zone).replace(tzinfo=UTC)
    for _ in range(_MAX_REPEATED_MATCHES):
        match = trigger.get_next_fire_time(None, wall)
        if match is None:
            return None
        instant = match.replace(tzinfo=zone, fold=0).astimezone(UTC)
        if instant > after:
            return instant
        # The wall time came round again after clocks went back: already fired.
        wall = match + dt.timedelta(minutes=1)
    return None


def check_cron(expression: str, zone_name: str, now: dt.datetime) -> dt.datetime:
    """The first run of a valid expression, or RecurrenceError."""
    zone = time_zone(zone_name)
    first = next_fire_time(parse_cron(expression), zone, now)
    if first is None:
        raise RecurrenceError("cron: the expression never fires (e.g. 31 February)")
    return first


def _weekday_field(field: str) -> str:
    """crontab weekdays (0-7, names, ranges, steps) as APScheduler names."""
    days: set[int] = set()
    for token in field.lower().split(","):
        match = _WEEKDAY_TOKEN.match(token)
        if match is None:
            raise RecurrenceError(f"cron: bad day-of-week {token!r}")
        if match["range"] == "*" and match["step"] is None:
            return "*"
        first, last = _weekday_range(match["range"])
        step = int(match["step"] or 1)
        if step < 1:
            raise RecurrenceError(f"cron: bad day-of-week step in {token!r}")
        days.update(day % 7 for day in range(first, last + 1, step))
    if not days:
        raise RecurrenceError(f"cron: bad day-of-week {field!r}")
    return ",".join(_WEEKDAY_NAMES[day] for day in sorted(days))


def _weekday_range(text: str) -> tuple[int, int]:
    if text == "*":
        return 0, 6
    bounds = [_weekday_number(part) for part in text.split("-")]
    first, last = bounds[0], bounds[-1]
    if last < first:
        raise RecurrenceError(f"cron: day-of-week range {text!r} runs backwards")
    return first, last


def _weekday_number(text: str) -> int:
    if text.isdigit() and int(text) <= 7:
        return int(text)
    if text in _WEEKDAY_NUMBERS:
        return _WEEKDAY_NUMBERS[text]
    raise RecurrenceError(f"cron: bad day-of-week {text!r}")
