"""Campaign reports (v2/reports.md)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema

from walletservice.passkit.dates import check_date_in_range

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: object) -> dt.date:
    # reports.md: "Any other format (or an invalid date) is going to raise an error".
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("use the format YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a valid date") from None
    return check_date_in_range(day)


IsoDate = Annotated[
    dt.date, BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2016-06-01"]}),
]


class ReportQuery(BaseModel):
    start_date: IsoDate | None = Field(None, description="First day (UTC), YYYY-MM-DD. Default: one month "
                                                         "before end_date.")
    end_date: IsoDate | None = Field(None, description="Last day (UTC), YYYY-MM-DD, at most 366 days after "
                                                       "start_date. Default: today.")


class OsCounts(BaseModel):
    ios: int = 0
    android: int = 0
    wp: int = 0


class PlatformCounts(BaseModel):
    installs_count: int = 0
    uninstalls_count: int = 0


class Counters(BaseModel):
    installs_count: int
    uninstalls_count: int
    redeems_count: int
    fetches_count: int
    downloads_count: int
    views_count: int
    creates_count: int
    expires_count: int
    pushes_count: int = Field(description="Push notifications APNs accepted.")
    updates_count: int
    webhooks_count: int = Field(description="Webhooks the receiver answered with 2xx.")
    api_calls_count: int = Field(
        description="v1/v2 API calls on the campaign or its passes by its organization that were answered "
                    "(a call refused with an error does not count).")
    distribution_updates_count: int = Field(
        description="Changes of the campaign's download page (its distribution): created, updated, "
                    "paused, resumed or archived.")
    removed_count: int = Field(description="Passes deleted.")


class DayCounters(Counters):
    i: OsCounts = Field(description="Installs per OS.")
    u: OsCounts = Field(description="Uninstalls per OS.")
    active_count: int = Field(description="Registrations alive at the end of the day.")


class TotalCounters(Counters):
    apple: PlatformCounts
    android: PlatformCounts
    active_count: int = Field(description="Registrations (installed passes) now.")


class PeriodReport(BaseModel):
    campaign_id: str
    start_date: dt.date
    end_date: dt.date
    report: dict[str, DayCounters] = Field(description="One entry per day, YYYY-MM-DD (UTC).")


class TotalsReport(BaseModel):
    campaign_id: str
    report: TotalCounters
