"""Public page views and downloads: recorded at most once per (pass, kind, client address)
per window (docs/security.md, "Public pages and registrations").

Anyone with a link can load /p/<id>, /download/<id>.pkpass and /b/<token> in a loop;
each recorded event is a row, maybe a webhook delivery, and a count in the reports.
So only the first of a window is recorded; the page or file is served every time.
The windows are rows, written by one upsert, so every web process agrees; the
repeats they count are the counter `walletservice_public_events_deduplicated_total`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from walletservice.db import upsert_insert
from walletservice.models import PublicEventRepeats, PublicEventWindow

# "issued": a pass issued from a campaign's page (services.campaign_pages), keyed by the campaign.
KINDS = ("viewed", "downloaded", "issued")


@dataclass(frozen=True)
class PublicVisit:
    """Who loaded a public page or file, and how long its events are merged."""

    client_address: str
    user_agent: str | None
    window_seconds: int  # 0: every event is recorded
    at: dt.datetime


def first_in_window(session: Session, pass_id: str, kind: str, visit: PublicVisit) -> bool:
    """True for the first `kind` event of this pass from this address in the current
    window (record it); else counts a repeat. One upsert: concurrent calls from any
    process wait for the row and count in turn."""
    if visit.window_seconds <= 0:
        return True
    now = int(visit.at.timestamp())
    table = PublicEventWindow.__table__
    repeats = session.execute(
        upsert_insert(session, table)
        .values(pass_id=pass_id, kind=kind, client_hash=_client_hash(visit.client_address),
                window_start=now - now % visit.window_seconds, repeats=0)
        .on_conflict_do_update(index_elements=list(table.primary_key.columns),
                               set_={"repeats": table.c.repeats + 1})
        .returning(table.c.repeats)
    ).scalar_one()
    return repeats == 0


def _client_hash(client_address: str) -> str:
    # The rows only tell clients apart: no address is stored.
    return hashlib.sha256(client_address.encode("utf-8")).hexdigest()


def prune_event_windows(session: Session, now: dt.datetime, window_seconds: int) -> int:
    """Delete windows that have ended (housekeeping), keeping their repeats in the totals."""
    cutoff = int(now.timestamp()) - max(window_seconds, 0)
    table = PublicEventWindow.__table__
    ended = session.execute(
        delete(table).where(table.c.window_start <= cutoff).returning(table.c.kind, table.c.repeats)).all()
    repeats: dict[str, int] = {}
    for kind, count in ended:
        repeats[kind] = repeats.get(kind, 0) + count
    totals = PublicEventRepeats.__table__
    for kind, count in repeats.items():
        if count:
            session.execute(
                upsert_insert(session, totals).values(kind=kind, events=count)
                .on_conflict_do_update(index_elements=[totals.c.kind], set_={"events": totals.c.events + count}))
    return len(ended)


def deduplicated_events(session: Session) -> dict[str, int]:
    """Events not recorded so far, per kind: the pruned windows' and the live ones'."""
    counts = dict.fromkeys(KINDS, 0)
    for kind, events in session.execute(select(PublicEventRepeats.kind, PublicEventRepeats.events)):
        counts[kind] = counts.get(kind, 0) + int(events)
    live = select(PublicEventWindow.kind, func.sum(PublicEventWindow.repeats)).group_by(PublicEventWindow.kind)
    for kind, events in session.execute(live):
        counts[kind] = counts.get(kind, 0) + int(events or 0)
    return counts
