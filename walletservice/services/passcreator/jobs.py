"""Background jobs of the v3 API: async creation and (bulk) updates, in chunks, and the
mails and text messages of the sendouts (services.passcreator.sendouts).

A job's payload holds the v3 data as sent; it is validated again when the job runs
(the template may have changed since), and image URLs are fetched here, never in the
request. Handlers read the image fetch policy from the app config: the job worker
runs them inside the app context.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.errors import DomainError
from walletservice.mail import MailSettings, mail_configured
from walletservice.sms import SmsSettings, sms_configured
from walletservice.models import BackgroundJob, Campaign, Pass
from walletservice.queue.jobs import ChunkResult, JobKind, JobSettings, enqueue_job
from walletservice.queue.pushes import enqueue_pass_push
from walletservice.services.passcreator.image_fetch import FetchPolicy
from walletservice.services.passcreator.pass_emails import EMAIL_KIND, send_pass_email
from walletservice.services.passcreator.pass_sms import SMS_KIND, send_pass_sms
from walletservice.services.passcreator.sendouts import Recipients, enqueue_sendouts, requested_recipients
from walletservice.services.pass_locks import select_passes_for_update
from walletservice.services.pass_revisions import record_revisions
from walletservice.services.passcreator.pass_query import parse_query
from walletservice.services.update_tags import mark_passes_changed
from walletservice.services.passcreator.images import FetchedImages
from walletservice.services.passcreator.passes import (
    PassChanges,
    Reservation,
    create_v3_pass,
    fetch_images,
    get_template,
    read_changes,
    selection_condition,
    update_v3_pass,
)

CREATE_KIND = "v3_create_pass"
UPDATE_KIND = "v3_update_passes"
CHUNK_SIZE = 500
SENDOUT_LINK = "sendout_link"


def enqueue_create(session: Session, organization_id: str, data: dict[str, Any], reservation: Reservation,
                   user_provided_id: str | None = None, sendout_link: str | None = None) -> BackgroundJob:
    """sendout_link: the pass's downloadPage when it is to be sent to its emailRecipient or
    phoneRecipient (the worker has no request to build it from)."""
    # user_provided_id (normalized) lets services.user_provided_ids find this pending creation.
    payload = {"data": data, "pass_id": reservation.pass_id, "serial_number": reservation.serial_number,
               "download_id": reservation.download_id, "user_provided_id": user_provided_id,
               SENDOUT_LINK: sendout_link}
    return enqueue_job(session, organization_id, CREATE_KIND, payload, total=1)


def enqueue_update(session: Session, organization_id: str, data: dict[str, Any], *, replace: bool,
                   selection: dict[str, Any], total: int, sendout_link: str | None = None) -> BackgroundJob:
    """selection: {"identifiers": [...]} or {"query": {...}} (a segment's query, copied now).
    sendout_link: for one pass's update that is sent to its recipients once it is applied."""
    payload = {"data": data, "replace": replace, "selection": selection, SENDOUT_LINK: sendout_link}
    return enqueue_job(session, organization_id, UPDATE_KIND, payload, total=total)


def _recipients(campaign: Campaign, payload: dict[str, Any], settings: JobSettings) -> Recipients:
    """Checked again when the job runs: the template or the server's mail and SMS settings may have changed."""
    if not payload.get(SENDOUT_LINK):
        return Recipients()
    return requested_recipients(campaign, payload["data"], mail_configured=mail_configured(settings),
                                sms_configured=sms_configured(settings))


def create_pass(session: Session, job: BackgroundJob, settings: JobSettings) -> ChunkResult:
    payload = job.payload
    reservation = Reservation(payload["pass_id"], payload["serial_number"], payload["download_id"])
    try:
        with session.begin_nested():  # nothing of a failed creation stays (image assets included)
            campaign = get_template(session, job.organization_id, payload["data"].get("templateId"))
            policy = FetchPolicy.from_config(settings)
            changes = read_changes(campaign, payload["data"], policy)
            recipients = _recipients(campaign, payload, settings)
            images = fetch_images(session, job.organization_id, changes, policy, campaign.style)
            pass_ = create_v3_pass(session, campaign, changes, images, reservation)
            enqueue_sendouts(session, campaign, pass_, recipients, payload.get(SENDOUT_LINK))
    except DomainError as exc:
        return ChunkResult(cursor=None, processed=1, failed=1, done=True,
                           errors=[{"id": reservation.pass_id, "error": exc.message}])
    return ChunkResult(cursor=None, processed=1, done=True, result={"identifier": reservation.pass_id})


def update_passes(session: Session, job: BackgroundJob, settings: JobSettings) -> ChunkResult:
    """CHUNK_SIZE passes in id order after the cursor; each failing pass is an error, not a crash."""
    selection = job.payload["selection"]
    query = parse_query(selection["query"]) if "query" in selection else None
    condition = selection_condition(session, job.organization_id, identifiers=selection.get("identifiers"),
                                    query=query)
    statement = select(Pass).where(condition).order_by(Pass.id).limit(CHUNK_SIZE)
    if job.cursor:
        statement = statement.where(Pass.id > job.cursor)
    passes = select_passes_for_update(session, statement)
    errors = _missing_identifiers(session, job) if job.cursor is None else []
    updated = _update_each(session, job, passes, errors, settings)
    push_id = enqueue_pass_push(session, job.organization_id, updated).id if updated else None
    return ChunkResult(
        cursor=passes[-1].id if passes else job.cursor, processed=len(passes), failed=len(errors),
        errors=errors, done=len(passes) < CHUNK_SIZE, push_request_id=push_id,
    )


def _update_each(session: Session, job: BackgroundJob, passes: list[Pass], errors: list[dict[str, Any]],
                 settings: JobSettings) -> list[str]:
    prepared: dict[str, tuple[Campaign, PassChanges, FetchedImages] | DomainError] = {}
    updated: list[Pass] = []
    revised_only: list[Pass] = []  # only storedValue, userProvidedId... changed: a revision, no new tag
    for pass_ in passes:
        if pass_.campaign_id not in prepared:
            prepared[pass_.campaign_id] = _prepare(session, job, pass_.campaign_id, FetchPolicy.from_config(settings))
        ready = prepared[pass_.campaign_id]
        try:
            if isinstance(ready, DomainError):
                raise ready
            campaign, changes, images = ready
            # Before the update: a refused address or number leaves the pass as it was.
            recipients = _recipients(campaign, job.payload, settings)
            changed = update_v3_pass(session, campaign, pass_, changes, images, replace=bool(job.payload["replace"]),
                                     mark_changed=False, revised_later=revised_only)
            enqueue_sendouts(session, campaign, pass_, recipients, job.payload.get(SENDOUT_LINK))
            if changed:  # the others keep their tag and get no push
                updated.append(pass_)
        except DomainError as exc:
            errors.append({"id": pass_.id, "error": exc.message})
    mark_passes_changed(session, updated)  # one tag allocation per chunk, not per pass
    record_revisions(session, revised_only)
    return [pass_.id for pass_ in updated]


def _prepare(session: Session, job: BackgroundJob, campaign_id: str, policy: FetchPolicy
             ) -> tuple[Campaign, PassChanges, FetchedImages] | DomainError:
    """The data read against one template, images fetched once for the chunk."""
    try:
        with session.begin_nested():  # a failed fetch leaves none of the images fetched before it
            campaign = get_template(session, job.organization_id, campaign_id)
            changes = read_changes(campaign, job.payload["data"], policy)
            images = fetch_images(session, job.organization_id, changes, policy, campaign.style)
        return campaign, changes, images
    except DomainError as exc:
        return exc


def _missing_identifiers(session: Session, job: BackgroundJob) -> list[dict[str, Any]]:
    identifiers = job.payload["selection"].get("identifiers")
    if not identifiers:
        return []
    found = set(session.scalars(select(Pass.id).where(
        Pass.organization_id == job.organization_id, Pass.id.in_(identifiers))))
    return [{"id": identifier, "error": "Object not found"} for identifier in identifiers if identifier not in found]


def email_pass(session: Session, job: BackgroundJob, settings: JobSettings) -> ChunkResult:
    return send_pass_email(session, job, MailSettings.from_config(settings))


def text_pass(session: Session, job: BackgroundJob, settings: JobSettings) -> ChunkResult:
    return send_pass_sms(session, job, SmsSettings.from_config(settings))


JOB_KINDS = (JobKind(CREATE_KIND, create_pass), JobKind(UPDATE_KIND, update_passes), JobKind(EMAIL_KIND, email_pass),
             JobKind(SMS_KIND, text_pass))
