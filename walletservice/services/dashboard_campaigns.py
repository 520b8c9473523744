"""The dashboard's campaign figures and edits, for one organization (Flask-free;
docs/dashboard.md, "Campaign page").

The campaign chart reads services.reports.daily_report, the function the v2 campaign
report answers from, so the two always agree. The campaigns list's trends are one
GROUP BY over the page's campaigns through the (campaign_id, occurred_at) index. An edit
from the page becomes Passworks attributes and goes through the v2 update
(services.campaigns.update_integrator_campaign), so it is checked, stored and followed
up exactly as a PATCH is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput, NotFound, PreconditionFailed
from walletservice.models import BackgroundJob, Campaign, PassEvent
from walletservice.queue.jobs import JobProgress, job_progress
from walletservice.queue.pushes import PushProgress, push_progress
from walletservice.services.dashboard_overview import CHART_SERIES, last_days
from walletservice.services.entity_tags import entity_tag
from walletservice.services.passworks_mapping import COLOR_ATTRIBUTES, FIELD_LISTS, campaign_attributes
from walletservice.services.reports import daily_report

TREND_DAYS = 30
# The page's form: one text box per field label and value, and these colours.
EDITABLE_COLOURS = tuple(COLOR_ATTRIBUTES)  # background_color, text_color, label_color
EDITABLE_IMAGES = ("logo", "icon", "strip", "thumbnail", "background", "footer")
MAX_TEXT_CHARS = 500  # a field Wallet draws on a card; longer text is a paste gone wrong
# The form's hidden box holding the campaign's ETag as the page showed it (as If-Match does on v2).
SHOWN_VERSION_FIELD = "version"


@dataclass(frozen=True)
class Trend:
    days: list[str]
    installs: list[int]

    @property
    def total(self) -> int:
        return sum(self.installs)


def organization_campaign(session: Session, organization_id: str, campaign_id: str) -> Campaign | None:
    """The campaign if it belongs to the organization; None otherwise (the page answers 404)."""
    campaign = session.get(Campaign, campaign_id)
    return campaign if campaign is not None and campaign.organization_id == organization_id else None


def campaign_chart(session: Session, campaign_id: str, today: dt.date) -> dict[str, list[Any]]:
    """{"days": [...], "installs": [...], ...}: the overview's series for one campaign."""
    report = daily_report(session, campaign_id, last_days(today))
    return {"days": list(report),
            **{name: [day[counter] for day in report.values()] for name, counter in CHART_SERIES.items()}}


def install_trends(session: Session, campaign_ids: Sequence[str], today: dt.date) -> dict[str, Trend]:
    """Installs per day of the last TREND_DAYS days for each campaign, in one grouped query."""
    window = last_days(today, TREND_DAYS)
    days = [day.isoformat() for day in window.days]
    if not campaign_ids:
        return {}
    day = func.date(PassEvent.occurred_at)
    since = dt.datetime.combine(window.start, dt.time.min, tzinfo=dt.timezone.utc)
    rows = session.execute(
        select(PassEvent.campaign_id, day, func.sum(PassEvent.count))
        .where(PassEvent.campaign_id.in_(list(campaign_ids)), PassEvent.occurred_at >= since,
               PassEvent.kind == "installed")
        .group_by(PassEvent.campaign_id, day)).all()
    counts = {campaign_id: dict.fromkeys(days, 0) for campaign_id in campaign_ids}
    for campaign_id, bucket, total in rows:
        key = bucket if isinstance(bucket, str) else bucket.isoformat()  # SQLite's date() is text
        if key in counts[campaign_id]:
            counts[campaign_id][key] += int(total or 0)
    return {campaign_id: Trend(days, list(per_day.values())) for campaign_id, per_day in counts.items()}


def require_shown_version(campaign: Campaign, shown: str | None) -> None:
    """Refuse a form opened before the campaign last changed: it sends back every box, so the
    old values it still shows would silently undo the other change. Call with the row locked."""
    if shown is not None and shown != entity_tag(campaign):
        raise PreconditionFailed("The campaign was changed since this page was opened, so nothing was saved: "
                                 "here it is as it is now; make your edit again.", field=SHOWN_VERSION_FIELD)


def edited_attributes(campaign: Campaign, form: Mapping[str, str],
                      image_ids: Mapping[str, str]) -> dict[str, Any]:
    """The Passworks attributes a submitted campaign form changes.

    Text boxes are named `field:<key>:label` and `field:<key>:value` (keys are unique across
    the lists); a box left out leaves its attribute as it is. A dynamic field's empty value
    stays empty (its passes fill it). `image_ids` maps a role to an uploaded asset's id."""
    current = campaign_attributes(campaign.design, campaign.settings)
    changes: dict[str, Any] = {}
    for name in FIELD_LISTS:
        fields = [_edited_field(field, form) for field in current[name]]
        if fields != current[name]:
            changes[name] = fields
    for name in EDITABLE_COLOURS:
        if name in form:
            colour = _text(form, name).strip() or None
            if colour != current[name]:
                changes[name] = colour
    for role, asset_id in image_ids.items():
        changes[f"{role}_id"] = asset_id
    return changes


def _edited_field(field: Mapping[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    edited = dict(field)
    for part in ("label", "value"):
        name = f"field:{field['key']}:{part}"
        # The page shows a value as text: the same text sent back is no change (5 stays 5, not "5").
        if name in form and _text(form, name) != _shown(field.get(part)):
            edited[part] = _typed_like(field.get(part), form[name])
    return edited


def _typed_like(before: Any, text: str) -> Any:
    """A number stays a number when the new text is one, as a v2 PATCH would send it: the
    form has only text, and pass.json would otherwise turn 20 into "20"."""
    if not isinstance(before, (int, float)) or isinstance(before, bool):
        return text
    for number_type in (int, float):
        try:
            number = number_type(text.strip())
        except ValueError:
            continue
        return number if math.isfinite(number) else text
    return text


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def _text(form: Mapping[str, str], name: str) -> str:
    text = form[name]
    if "\x00" in text:
        raise InvalidInput(f"{name}: must not hold a NUL character", field=name)
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(f"{name}: at most {MAX_TEXT_CHARS} characters", field=name)
    return text


def changed_values(before: Mapping[str, Any], changes: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) of the attributes an edit changed, for the audit log."""
    return {name: before.get(name) for name in changes}, dict(changes)


@dataclass(frozen=True)
class CampaignPush:
    """A push to all passes from the dashboard: the job rewriting the passes, then the push."""
    job: JobProgress
    push: PushProgress | None

    @property
    def done(self) -> bool:
        # A failed job never releases its held push: nothing more will happen.
        if self.job.state == "failed":
            return True
        return self.job.state == "done" and (self.push is None or self.push.state == "done")

    @property
    def steps_done(self) -> int:
        """Passes rewritten plus deliveries answered: the progress bar's value."""
        return self.job.processed + (self.push.sent + self.push.failed if self.push else 0)

    @property
    def steps_total(self) -> int:
        return (self.job.total or 0) + (self.push.total if self.push else 0)


def campaign_push(session: Session, organization_id: str, campaign_id: str, job_id: str) -> CampaignPush:
    """Progress of a campaign push, read by primary key and the deliveries' push_request_id index.
    Another campaign's job is not found: the page shows only its own campaign's pushes."""
    row = session.get(BackgroundJob, job_id)
    if row is None or (row.payload or {}).get("campaign_id") != campaign_id:
        raise NotFound("job not found")
    job = job_progress(session, organization_id, job_id)
    push = push_progress(session, organization_id, job.push_request_id) if job.push_request_id else None
    return CampaignPush(job, push)
