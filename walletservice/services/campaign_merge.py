"""Campaign merge and push (Passworks POST /v2/{type}/{id}/merge and /push), and push messages.

A merge rewrites every pass of a campaign from its current design: fixed fields,
locations and beacons come from the campaign again, while dynamic field values and
the pass's own barcode, images and dates stay (coupon.md: "dynamic fields values of
the passes will be left unchanged by the merge"). A fixed field whose campaign value is
empty keeps the pass's non-empty value unless overwrite_empty (docs/passworks-differences.md).
The campaign push is a merge too (store_card.md: the push resets the passes to the
updated campaign). A schedule's push_message without a merge writes only the message
into every pass (services.push_message). preview_campaign_merge is the dry run.

Neither happens in the request: it writes a background job and a held campaign
push, and answers their ids. The job rewrites passes in id order, CHUNK_SIZE per
call, each chunk in one transaction with one tag allocation for all of its passes
(services.update_tags, which also keeps each pass's earlier version as a revision),
and releases the push after the last chunk, so no device is told to fetch before its
pass has changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput
from walletservice.models import BackgroundJob, Campaign, Pass
from walletservice.queue.jobs import ChunkResult, JobKind, JobSettings, enqueue_job
from walletservice.queue.pushes import enqueue_campaign_push, release_held_push
from walletservice.services.events import record_event
from walletservice.services.pass_content import EXTRA_FIELDS, FIELD_LISTS, compose_pass_content
from walletservice.services.pass_locks import select_passes_for_update
from walletservice.services.passes import check_content
from walletservice.services.passworks_mapping import DYNAMIC
from walletservice.services.push_message import keep_push_message, with_push_message
from walletservice.services.update_tags import mark_passes_changed

MERGE_JOB = "campaign_merge"
MESSAGE_JOB = "campaign_push_message"
CHUNK_SIZE = 500
# Per-pass values a merge gives back to the campaign (sync_*_on_merge default true).
CAMPAIGN_OWNED_VALUES = ("fields", "locations", "beacons")

PassRewrite = Callable[[Pass], None]


def enqueue_campaign_merge(session: Session, campaign: Campaign, push_message: str | None = None, *,
                           overwrite_empty: bool = False) -> BackgroundJob:
    """Accept a merge: the job and its held push are written; the caller commits."""
    return _enqueue(session, campaign, MERGE_JOB, push_message, overwrite_empty=overwrite_empty)


def enqueue_campaign_message(session: Session, campaign: Campaign, push_message: str) -> BackgroundJob:
    """A campaign push carrying a message: write it into every pass, then push."""
    return _enqueue(session, campaign, MESSAGE_JOB, push_message)


def _enqueue(session: Session, campaign: Campaign, kind: str, push_message: str | None, *,
             overwrite_empty: bool = False) -> BackgroundJob:
    total = session.scalar(select(func.count()).select_from(Pass).where(Pass.campaign_id == campaign.id)) or 0
    push = enqueue_campaign_push(session, campaign.organization_id, campaign.id, held=True)
    payload = {"campaign_id": campaign.id, "push_id": push.id, "push_message": push_message,
               "overwrite_empty": overwrite_empty}
    job = enqueue_job(session, campaign.organization_id, kind, payload, total=total)
    job.push_request_id = push.id
    session.flush()
    return job


def merged_values(values: Mapping[str, Any], behaviours: Mapping[str, str]) -> dict[str, Any]:
    """A pass's own values after a merge: only dynamic fields keep their value (and
    take the campaign's label again); a field of the pass's own, which the campaign does
    not declare (EXTRA_FIELDS), stays whole; everything else the pass set itself stays."""
    kept = {key: value for key, value in values.items() if key not in CAMPAIGN_OWNED_VALUES}
    own = set(values.get(EXTRA_FIELDS) or {}) - set(behaviours)
    fields = {
        key: value if key in own else _value_of(value)
        for key, value in (values.get("fields") or {}).items()
        if behaviours.get(key) == DYNAMIC or key in own
    }
    if fields:
        kept["fields"] = fields
    return kept


def merged_pass(pass_: Pass, campaign: Campaign, *, overwrite_empty: bool = False) -> tuple[dict[str, Any],
                                                                                          dict[str, Any]]:
    """(values, content) the pass gets from the campaign's design now, nothing assigned.

    A fixed field whose campaign value is empty keeps the pass's non-empty value unless
    overwrite_empty: a campaign that declares a field without a value (generic.md's Toy
    Town: member, level, favorite) must not wipe what each pass holds there."""
    behaviours = (campaign.settings or {}).get("behaviours") or {}
    values = merged_values(pass_.values, behaviours)
    content = compose_pass_content(campaign.design, values)
    if not overwrite_empty:
        before = field_values(pass_.content)
        kept = {key: before[key] for key, value in field_values(content).items()
                if _empty(value) and not _empty(before.get(key))}
        if kept:
            values = {**values, "fields": {**(values.get("fields") or {}), **kept}}
            content = compose_pass_content(campaign.design, values)
    return values, keep_push_message(pass_.content, content)


def field_values(content: Mapping[str, Any]) -> dict[str, Any]:
    """{field key: value} over the five field lists of a pass's content."""
    return {field["key"]: field.get("value") for list_name in FIELD_LISTS
            for field in content.get(list_name) or [] if isinstance(field, Mapping) and "key" in field}


def _value_of(value: Any) -> Any:
    return value.get("value") if isinstance(value, Mapping) else value


def _empty(value: Any) -> bool:
    return value is None or value == ""


def merge_pass(pass_: Pass, campaign: Campaign, push_message: str | None, *, overwrite_empty: bool = False) -> None:
    """Rebuild one pass from the campaign's design (tags are the caller's: per chunk)."""
    values, content = merged_pass(pass_, campaign, overwrite_empty=overwrite_empty)
    if push_message:
        content = with_push_message(content, push_message)
    check_content(content, pass_.pass_type_identifier, pass_.team_identifier)
    pass_.values = values
    pass_.content = content
    pass_.voided = bool(content.get("voided", False))


@dataclass(frozen=True)
class MergePreview:
    """What a merge would change: passes whose content would differ, and per field key the
    passes whose value of that field would differ."""

    passes: int
    fields: dict[str, int]


def preview_campaign_merge(session: Session, campaign: Campaign, *, overwrite_empty: bool = False) -> MergePreview:
    """A dry run of a merge over every pass of the campaign: reads only, in id-ordered pages."""
    changed, fields, cursor = 0, Counter[str](), ""
    while True:
        passes = list(session.scalars(select(Pass).where(Pass.campaign_id == campaign.id, Pass.id > cursor)
                                      .order_by(Pass.id).limit(CHUNK_SIZE)))
        for pass_ in passes:
            _values, content = merged_pass(pass_, campaign, overwrite_empty=overwrite_empty)
            if content != pass_.content:
                changed += 1
                before, after = field_values(pass_.content), field_values(content)
                fields.update(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
            session.expunge(pass_)
        if len(passes) < CHUNK_SIZE:
            return MergePreview(changed, dict(sorted(fields.items())))
        cursor = passes[-1].id


def merge_chunk(session: Session, job: BackgroundJob, _settings: JobSettings) -> ChunkResult:
    message, overwrite_empty = job.payload.get("push_message"), bool(job.payload.get("overwrite_empty"))
    return _rewrite_chunk(session, job, lambda pass_, campaign: merge_pass(
        pass_, campaign, message, overwrite_empty=overwrite_empty))


def push_message_chunk(session: Session, job: BackgroundJob, _settings: JobSettings) -> ChunkResult:
    message = job.payload["push_message"]

    def write_message(pass_: Pass, _campaign: Campaign) -> None:
        pass_.content = with_push_message(pass_.content, message)
    return _rewrite_chunk(session, job, write_message)


def _rewrite_chunk(
    session: Session, job: BackgroundJob, rewrite: Callable[[Pass, Campaign], None]
) -> ChunkResult:
    """The next CHUNK_SIZE passes after the cursor, rewritten and tagged together."""
    campaign = session.get(Campaign, job.payload["campaign_id"])
    if campaign is None or campaign.organization_id != job.organization_id:  # deleted meanwhile
        return _finished(session, job, job.cursor, processed=0, result={"campaign_deleted": True})
    # A pass updated through the API meanwhile waits, and is not overwritten with stale values.
    passes = select_passes_for_update(session, select(Pass).where(
        Pass.campaign_id == campaign.id, Pass.id > (job.cursor or "")).order_by(Pass.id).limit(CHUNK_SIZE))
    changed, errors = [], []
    for pass_ in passes:
        try:
            rewrite(pass_, campaign)
        except InvalidInput as exc:  # this pass's own values no longer fit the design
            errors.append({"id": pass_.id, "error": "; ".join([exc.message, *exc.details])[:1000]})
        else:
            changed.append(pass_)
    if changed:
        mark_passes_changed(session, changed)
        record_event(session, "updated", organization_id=campaign.organization_id, campaign_id=campaign.id,
                     pass_id=None, count=len(changed), details={"job_id": job.id, "kind": job.kind})
    cursor = passes[-1].id if passes else job.cursor
    if len(passes) < CHUNK_SIZE:
        return _finished(session, job, cursor, processed=len(changed), errors=errors)
    return ChunkResult(cursor=cursor, processed=len(changed), failed=len(errors), errors=errors, done=False)


def _finished(session: Session, job: BackgroundJob, cursor: str | None, *, processed: int,
              errors: list[dict[str, Any]] | None = None, result: dict[str, Any] | None = None) -> ChunkResult:
    """The last chunk: now the devices may be told to fetch."""
    push_id = job.payload["push_id"]
    release_held_push(session, push_id)
    errors = errors or []
    return ChunkResult(cursor=cursor, processed=processed, failed=len(errors), errors=errors, done=True,
                       result=result, push_request_id=push_id)


def release_merge_push(session: Session, job: BackgroundJob) -> None:
    """The job failed for good: the chunks committed before changed passes, so the push
    held for the end must still tell their devices."""
    release_held_push(session, job.payload["push_id"])


MERGE_KIND = JobKind(MERGE_JOB, merge_chunk, on_failure=release_merge_push)
MESSAGE_KIND = JobKind(MESSAGE_JOB, push_message_chunk, on_failure=release_merge_push)
