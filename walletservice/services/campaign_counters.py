"""Report counters that are not pass events: API calls and distribution updates.

Each is raised by one `INSERT ... ON CONFLICT DO UPDATE SET n = n + 1` on the row of
(campaign, UTC day, counter), so concurrent requests never lose an increment (no row is
read and written back) and the table grows by campaign-days, not by calls. Reports
(services.reports) add these rows to the pass events' counters.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from walletservice.db import upsert_insert
from walletservice.models import Campaign, CampaignDayCounter

API_CALLS = "api_calls_count"
DISTRIBUTION_UPDATES = "distribution_updates_count"
COUNTERS = (API_CALLS, DISTRIBUTION_UPDATES)


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def count_distribution_update(session: Session, campaign_id: str, day: dt.date | None = None) -> None:
    """The campaign's download page changed: created, its design or page settings, its state."""
    table = CampaignDayCounter.__table__
    statement = upsert_insert(session, table).values(
        campaign_id=campaign_id, day=day or _today(), counter=DISTRIBUTION_UPDATES, n=1)
    session.execute(statement.on_conflict_do_update(
        index_elements=list(table.primary_key.columns), set_={"n": table.c.n + 1}))


def count_api_call(session: Session, organization_id: str, campaign_id: str, day: dt.date | None = None) -> None:
    """One API call on the campaign or its passes. The row is only written when the campaign
    is the caller's (INSERT ... SELECT), so no one raises another organization's counter."""
    table = CampaignDayCounter.__table__
    owned = select(Campaign.id, literal(day or _today()), literal(API_CALLS), literal(1)).where(
        Campaign.id == campaign_id, Campaign.organization_id == organization_id)
    statement = upsert_insert(session, table).from_select(["campaign_id", "day", "counter", "n"], owned)
    session.execute(statement.on_conflict_do_update(
        index_elements=list(table.primary_key.columns), set_={"n": table.c.n + 1}))


def counted_per_day(session: Session, campaign_ids: list[str], start: dt.date,
                    end: dt.date) -> list[tuple[dt.date, str, int]]:
    """Each campaign's counts per day of the range (one row per campaign, day and counter)."""
    if not campaign_ids:
        return []
    rows = session.execute(
        select(CampaignDayCounter.day, CampaignDayCounter.counter, CampaignDayCounter.n)
        .where(CampaignDayCounter.campaign_id.in_(campaign_ids),
               CampaignDayCounter.day >= start, CampaignDayCounter.day <= end)).all()
    return [(day, counter, int(n)) for day, counter, n in rows]


def counted_in_total(session: Session, campaign_id: str) -> dict[str, int]:
    rows = session.execute(
        select(CampaignDayCounter.counter, func.sum(CampaignDayCounter.n))
        .where(CampaignDayCounter.campaign_id == campaign_id).group_by(CampaignDayCounter.counter)).all()
    return {counter: int(total or 0) for counter, total in rows}
