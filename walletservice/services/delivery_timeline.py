"""A pass's delivery timeline and its stale devices (docs/dashboard.md, "Pass page").

The timeline merges four sources, one bounded query each (newest MAX_ENTRIES_PER_SOURCE),
each on an index that leads with the pass or its devices' tokens:
- pass_events by pass (ix_pass_events_pass_kind): created, downloaded, installed (a device
  registered), fetched, updated, uninstalled, redeemed...
- push_deliveries by the tokens of the devices registered for the pass and its pass type
  (ix_push_deliveries_token_type), kept when their push request was for this pass or its
  campaign: each push to each device and APNs's answer;
- pass_revisions by pass (the (pass_id, n) unique index): each version;
- registrations by pass: the devices registered now, with their stale flag.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from walletservice.models import Device, Pass, PassEvent, PassRevision, PushDelivery, PushRequest, Registration

MAX_ENTRIES_PER_SOURCE = 200
MAX_STALE_LISTED = 50
# The overview's stale devices look at pushes requested this many days back (its window).
STALE_LOOKBACK_DAYS = 30


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # a pass event's kind, "push" or "revision"
    summary: str
    device: str | None = None  # the end of the device's library identifier


@dataclass(frozen=True)
class RegisteredDevice:
    device: str
    registered_at: dt.datetime
    wallet: str | None
    stale: bool


def _device_label(library_identifier: str) -> str:
    return "…" + library_identifier[-6:]


# -- stale devices --------------------------------------------------------------------

def _pushed_after_change(now: dt.datetime, stale_minutes: int) -> list[Any]:
    """A delivery to the registration's device, accepted by APNs after the pass's last
    change and longer ago than the threshold, while the device held an older version."""
    deadline = now - dt.timedelta(minutes=stale_minutes)
    return [Registration.created_at < Pass.modified_at,
            PushDelivery.push_token == Device.push_token,
            PushDelivery.pass_type_identifier == Registration.pass_type_identifier,
            PushDelivery.state == "sent",
            PushDelivery.finished_at >= Pass.modified_at,
            PushDelivery.finished_at <= deadline]


def _not_fetched_since_change() -> Any:
    # Fetches are recorded per pass, not per device (services.events.record_pass_fetches).
    return or_(Pass.last_fetched_at.is_(None), Pass.last_fetched_at < Pass.modified_at)


def stale_passes(session: Session, organization_id: str, now: dt.datetime, stale_minutes: int,
                 limit: int = MAX_STALE_LISTED) -> tuple[int, list[Pass]]:
    """How many of the organization's passes are stale, and the most recently changed ones.

    Only the organization's pushes requested in the last STALE_LOOKBACK_DAYS count, and the
    search starts from them (their deliveries, the devices holding those tokens, their
    registrations, then each pass by its key): testing every pass of the organization was
    a scan of all its passes per request (docs/dashboard.md, "Speed")."""
    # The join runs once: its passes' keys, newest change first, give the count and the page.
    found = session.execute(select(Pass.id).where(Pass.id.in_(_stale_pass_ids(organization_id, now, stale_minutes)))
                            .order_by(Pass.modified_at.desc(), Pass.id)).scalars().all()
    newest = list(found[:limit])
    by_id = {pass_.id: pass_ for pass_ in session.scalars(select(Pass).where(Pass.id.in_(newest)))}
    return len(found), [by_id[pass_id] for pass_id in newest]


def _stale_pass_ids(organization_id: str, now: dt.datetime, stale_minutes: int) -> Any:
    """Ids (repeated) of the passes with a device pushed lately and not fetched since."""
    return (select(Registration.pass_id)
            .join(Device, Device.id == Registration.device_id)
            .join(PushDelivery, and_(PushDelivery.push_token == Device.push_token,
                                     PushDelivery.pass_type_identifier == Registration.pass_type_identifier))
            .join(PushRequest, PushRequest.id == PushDelivery.push_request_id)
            .join(Pass, Pass.id == Registration.pass_id)
            .where(PushRequest.organization_id == organization_id,
                   PushRequest.created_at >= now - dt.timedelta(days=STALE_LOOKBACK_DAYS),
                   Pass.organization_id == organization_id, _not_fetched_since_change(),
                   *_pushed_after_change(now, stale_minutes)))


def registered_devices(session: Session, pass_: Pass, now: dt.datetime, stale_minutes: int) -> list[RegisteredDevice]:
    pushed = (select(PushDelivery.id).where(*_pushed_after_change(now, stale_minutes))
              .correlate(Pass, Device, Registration).exists())
    stale = and_(_not_fetched_since_change(), pushed)
    rows = session.execute(
        select(Device.device_library_identifier, Registration.created_at, Registration.wallet, stale)
        .join(Device, Device.id == Registration.device_id).join(Pass, Pass.id == Registration.pass_id)
        .where(Registration.pass_id == pass_.id).order_by(Registration.created_at, Registration.id)
        .limit(MAX_ENTRIES_PER_SOURCE))
    return [RegisteredDevice(_device_label(identifier), at, wallet, bool(is_stale))
            for identifier, at, wallet, is_stale in rows]


# -- the timeline ---------------------------------------------------------------------

def delivery_timeline(session: Session, pass_: Pass) -> list[TimelineEntry]:
    """Everything that happened to the pass, oldest first (each source bounded)."""
    revisions = _revisions(session, pass_)
    entries = _events(session, pass_, revisions) + _pushes(session, pass_) + [
        TimelineEntry(revision.created_at, "revision", f"version {revision.n} ({revision.route})")
        for revision in revisions]
    return sorted(entries, key=lambda entry: entry.at)


def _revisions(session: Session, pass_: Pass) -> list[PassRevision]:
    return list(session.scalars(select(PassRevision).where(PassRevision.pass_id == pass_.id)
                                .order_by(PassRevision.n.desc()).limit(MAX_ENTRIES_PER_SOURCE)))


EVENT_SUMMARIES = {"created": "created", "downloaded": "downloaded from its link",
                   "installed": "a device registered", "fetched": "a device fetched",
                   "uninstalled": "a device unregistered", "updated": "changed"}


def _events(session: Session, pass_: Pass, revisions: list[PassRevision]) -> list[TimelineEntry]:
    events = session.scalars(select(PassEvent).where(PassEvent.pass_id == pass_.id)
                             .order_by(PassEvent.occurred_at.desc(), PassEvent.id.desc())
                             .limit(MAX_ENTRIES_PER_SOURCE))
    entries = []
    for event in events:
        summary = EVENT_SUMMARIES.get(event.kind, event.kind)
        client = " ".join(part for part in (event.wallet, event.device_os) if part)
        if client:
            summary += f" ({client})"
        if event.kind == "fetched":
            summary += f": {_version_at(revisions, event.occurred_at)}"
        entries.append(TimelineEntry(event.occurred_at, event.kind, summary))
    return entries


def _version_at(revisions: list[PassRevision], moment: dt.datetime) -> str:
    """The version a fetch received: the newest revision made before it."""
    made = [revision.n for revision in revisions if revision.created_at <= moment]
    return f"version {max(made)}" if made else "the version then current"


def _pushes(session: Session, pass_: Pass) -> list[TimelineEntry]:
    # From the pass's registrations: devices by primary key, deliveries by token (indexed).
    rows = session.execute(
        select(PushDelivery, PushRequest.campaign_id, PushRequest.pass_ids, Device.device_library_identifier)
        .select_from(Registration).join(Device, Device.id == Registration.device_id)
        .join(PushDelivery, and_(PushDelivery.push_token == Device.push_token,
                                 PushDelivery.pass_type_identifier == Registration.pass_type_identifier))
        .join(PushRequest, PushRequest.id == PushDelivery.push_request_id)
        .where(Registration.pass_id == pass_.id)
        .order_by(PushDelivery.id.desc()).limit(MAX_ENTRIES_PER_SOURCE))
    entries = []
    for delivery, campaign_id, pass_ids, library_identifier in rows:
        # A token holds every pass of its type on the device: keep the pushes meant for this one.
        if campaign_id != pass_.campaign_id and pass_.id not in (pass_ids or []):
            continue
        entries.append(TimelineEntry(delivery.finished_at or delivery.next_attempt_at, "push",
                                     _push_summary(delivery), _device_label(library_identifier)))
    return entries


def _push_summary(delivery: PushDelivery) -> str:
    if delivery.state == "pending":
        return f"push queued (attempt {delivery.attempts + 1})"
    answer = f"APNs answered {delivery.status}" if delivery.status is not None else "no answer from APNs"
    reason = f" {delivery.reason}" if delivery.reason else ""
    return f"push {delivery.state}: {answer}{reason}"
