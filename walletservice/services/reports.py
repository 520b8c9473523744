"""Campaign reports (v2/reports.md): pass events counted in SQL, per UTC day or in total.

Counts are read from event_day_counts, the pass events summed per campaign, UTC day,
kind and OS by a trigger in the transaction that writes each event (models.EventDayCount),
so a report reads a few hundred rows whatever the number of events; no event row is read.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput
from walletservice.models import Campaign, EventDayCount, Pass, Registration
from walletservice.services.campaign_counters import COUNTERS, counted_in_total, counted_per_day

# reports.md counter -> the event kind it counts (summing the events' count).
COUNTED_KINDS = {
    "installs_count": "installed",
    "uninstalls_count": "uninstalled",
    "redeems_count": "redeemed",
    "fetches_count": "fetched",
    "downloads_count": "downloaded",
    "views_count": "viewed",
    "creates_count": "created",
    "expires_count": "expired",
    "pushes_count": "pushed",
    "updates_count": "updated",
    "webhooks_count": "webhook_sent",
}
OS_KEYS = ("ios", "android", "wp")
MAX_REPORT_DAYS = 366


@dataclass(frozen=True)
class DateRange:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def one_month_before(day: dt.date) -> dt.date:
    """The same day of the previous month, or its last day when shorter (Mar 31 -> Feb 28)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def report_range(start: dt.date | None, end: dt.date | None, today: dt.date | None = None) -> DateRange:
    """reports.md defaults: from one month before today to today."""
    end = end or today or dt.datetime.now(dt.timezone.utc).date()
    start = start or one_month_before(end)
    if end < start:
        raise InvalidInput("end_date must not be before start_date")
    if (end - start).days + 1 > MAX_REPORT_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_REPORT_DAYS} days", field="end_date")
    return DateRange(start, end)


def _empty_counters() -> dict[str, Any]:
    counters: dict[str, Any] = {name: 0 for name in (*COUNTED_KINDS, *COUNTERS)}
    counters["i"] = {key: 0 for key in OS_KEYS}
    counters["u"] = {key: 0 for key in OS_KEYS}
    counters["active_count"] = 0
    counters["removed_count"] = 0
    return counters


_COUNTER_OF_KIND = {kind: counter for counter, kind in COUNTED_KINDS.items()}


def _add(counters: dict[str, Any], kind: str, device_os: str | None, total: int) -> None:
    if kind in _COUNTER_OF_KIND:
        counters[_COUNTER_OF_KIND[kind]] += total
    elif kind == "removed":
        counters["removed_count"] += total
    split = {"installed": "i", "uninstalled": "u"}.get(kind)
    if split and device_os in OS_KEYS:
        counters[split][device_os] += total


def _day_key(value: Any) -> str:
    # PostgreSQL's date() gives a date, SQLite's a "YYYY-MM-DD" string.
    return value if isinstance(value, str) else value.isoformat()


def daily_report(session: Session, campaign_id: str, days: DateRange) -> dict[str, dict[str, Any]]:
    """Counters per day of the range, every day present (zeros included).

    active_count: registrations alive at the end of the day (installs minus uninstalls
    up to it, the days before the range included)."""
    return _daily_counters(session, [campaign_id], days)


def organization_daily_report(session: Session, organization_id: str, days: DateRange) -> dict[str, dict[str, Any]]:
    """daily_report over all of an organization's campaigns: each counter is the sum of the
    campaigns' reports (the dashboard's overview reads this, so the two always agree).

    Without active_count, which the overview does not show."""
    campaign_ids = list(session.scalars(select(Campaign.id).where(Campaign.organization_id == organization_id)))
    return _daily_counters(session, campaign_ids, days, running_active=False)


def _daily_counters(session: Session, campaign_ids: list[str], days: DateRange,
                    running_active: bool = True) -> dict[str, dict[str, Any]]:
    """The campaigns' event counts per day, read from the daily roll-up (one row per
    campaign, day, kind and OS: at most a few hundred rows for a month)."""
    of_campaigns = (EventDayCount.campaign_id == campaign_ids[0] if len(campaign_ids) == 1
                    else EventDayCount.campaign_id.in_(campaign_ids))
    rows = session.execute(
        select(EventDayCount.day, EventDayCount.kind, EventDayCount.device_os, func.sum(EventDayCount.n))
        .where(of_campaigns, EventDayCount.day >= days.start, EventDayCount.day <= days.end)
        .group_by(EventDayCount.day, EventDayCount.kind, EventDayCount.device_os)
    ).all()
    report = {current.isoformat(): _empty_counters() for current in days.days}
    for bucket, kind, device_os, total in rows:
        _add(report[_day_key(bucket)], kind, device_os, int(total or 0))
    for day_counted, counter, total in counted_per_day(session, campaign_ids, days.start, days.end):
        report[_day_key(day_counted)][counter] += total
    if not running_active:
        for counters in report.values():
            del counters["active_count"]
        return report
    active = _net_installs_before(session, of_campaigns, days.start)
    for counters in report.values():
        active += counters["installs_count"] - counters["uninstalls_count"]
        counters["active_count"] = active
    return report


def _net_installs_before(session: Session, of_campaigns: ColumnElement[bool], before: dt.date) -> int:
    totals = dict(session.execute(
        select(EventDayCount.kind, func.sum(EventDayCount.n))
        .where(of_campaigns, EventDayCount.day < before, EventDayCount.kind.in_(("installed", "uninstalled")))
        .group_by(EventDayCount.kind)
    ).all())
    return int(totals.get("installed") or 0) - int(totals.get("uninstalled") or 0)


def totals_report(session: Session, campaign_id: str) -> dict[str, Any]:
    """Counters since the campaign began, with installs and uninstalls per platform.

    active_count: the campaign's registrations now (passes installed in a wallet)."""
    rows = session.execute(
        select(EventDayCount.kind, EventDayCount.device_os, func.sum(EventDayCount.n))
        .where(EventDayCount.campaign_id == campaign_id)
        .group_by(EventDayCount.kind, EventDayCount.device_os)
    ).all()
    counters = _empty_counters()
    for kind, device_os, total in rows:
        _add(counters, kind, device_os, int(total or 0))
    for counter, total in counted_in_total(session, campaign_id).items():
        counters[counter] += total
    installs, uninstalls = counters.pop("i"), counters.pop("u")
    counters["active_count"] = session.scalar(
        select(func.count()).select_from(Registration).join(Pass, Pass.id == Registration.pass_id)
        .where(Pass.campaign_id == campaign_id)
    ) or 0
    return {
        "apple": {"installs_count": installs["ios"], "uninstalls_count": uninstalls["ios"]},
        "android": {"installs_count": installs["android"], "uninstalls_count": uninstalls["android"]},
        **counters,
    }

