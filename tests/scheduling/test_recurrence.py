"""Cron in a time zone (pure): crontab's weekday numbers, DST, and clear refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from walletservice.scheduling.recurrence import RecurrenceError, check_cron, next_fire_time, parse_cron, time_zone

UTC = dt.timezone.utc
MONDAY = dt.datetime(2031, 1, 6, tzinfo=UTC)


def _weekdays(expression: str, count: int = 7) -> list[str]:
    trigger, after, names = parse_cron(expression), MONDAY, []
    for _ in range(count):
        after = next_fire_time(trigger, time_zone("UTC"), after)
        names.append(after.strftime("%a"))
    return names


@pytest.mark.parametrize(("weekday", "expected"), [
    ("0", ["Sun"]), ("7", ["Sun"]), ("sun", ["Sun"]), ("1-5", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
    ("mon-fri/2", ["Mon", "Wed", "Fri"]), ("0,6", ["Sat", "Sun"]), ("*/3", ["Sun", "Wed", "Sat"]),
])
def test_weekdays_are_read_as_crontab_numbers(weekday, expected):
    assert set(_weekdays(f"0 9 * * {weekday}", 14)) == set(expected)


def test_repeated_local_time_fires_once_even_every_few_minutes():
    trigger, zone = parse_cron("*/20 1 * * *"), time_zone("America/New_York")
    after, fired = dt.datetime(2031, 11, 2, 5, 30, tzinfo=UTC), []  # 01:30 EDT, before the repeat
    for _ in range(3):
        after = next_fire_time(trigger, zone, after)
        fired.append(after.strftime("%m-%d %H:%M"))

    # 01:40 EDT, then the repeated 01:00-01:59 EST is skipped until the next day
    assert fired == ["11-02 05:40", "11-03 06:00", "11-03 06:20"]


@pytest.mark.parametrize(("expression", "zone", "says"), [
    ("0 0 * *", "UTC", "five fields"),
    ("61 0 * * *", "UTC", "cron:"),
    ("0 0 * * 8", "UTC", "bad day-of-week"),
    ("0 0 * * 5-1", "UTC", "runs backwards"),
    ("0 0 * * 1/0", "UTC", "bad day-of-week step"),
    ("0 0 13 * 5", "UTC", "not both"),
    ("0 0 30 2 *", "UTC", "never fires"),
    ("0 0 * * *", "Nowhere/City", "unknown time zone"),
    ("0 0 * * *", "../../etc/passwd", "unknown time zone"),
])
def test_unusable_expressions_say_why(expression, zone, says):
    with pytest.raises(RecurrenceError, match=says):
        check_cron(expression, zone, MONDAY)
