"""The `google_wallet_retire` job: set the objects listed by services.google_retirement
INACTIVE at Google, one per chunk, through the same client, shared rate limit and job
retry policy as the sync (429, 5xx and connection errors raise and the chunk is retried).

A job takes any of its organization's pending objects that are due, oldest first. A retryable
failure (429, 5xx, no connection) counts against that object alone and puts off its next try
with the job backoff, so one object Google keeps refusing does not hold up the others; after
WALLET_GOOGLE_RETIRE_OBJECT_MAX_ATTEMPTS it is recorded among the job's errors and dropped.
When every object left waits, the job is let go until the first is due. An object Google does
not know (404) is done; any other refusal is recorded among the job's errors and dropped.
A job that still gives up (its chunk keeps raising) leaves its objects to housekeeping
(services.google_retirement_sweep), which queues a job again or gives up on them for good.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import Session

from walletservice.errors import ConfigurationError
from walletservice.google_wallet.accounts import ServiceAccountError, parse_service_account
from walletservice.google_wallet.client import GoogleApiError, Resource
from walletservice.models import (
    BackgroundJob, Campaign, GoogleIssuerAccount, GoogleWalletRetiredObject, GoogleWalletRetirement,
)
from walletservice.models.base import utcnow
from walletservice.queue.jobs import ChunkResult, JobKind, JobSettings
from walletservice.queue.retry import RetryPolicy
from walletservice.services import google_retirement, google_sync
from walletservice.services.google_issuers import SERVER_RATE_SLOT, GoogleIssuer, server_issuer
from walletservice.services.google_sender import wallet_client
from walletservice.services.key_encryption import decrypt_private_key

RETIRED_STATE = "INACTIVE"


def retire_chunk(session: Session, job: BackgroundJob, settings: JobSettings) -> ChunkResult:
    now = utcnow()
    found = session.execute(
        select(GoogleWalletRetiredObject, GoogleWalletRetirement)
        .join(GoogleWalletRetirement, GoogleWalletRetirement.id == GoogleWalletRetiredObject.retirement_id)
        .where(GoogleWalletRetirement.organization_id == job.organization_id,
               or_(GoogleWalletRetiredObject.next_try_at.is_(None), GoogleWalletRetiredObject.next_try_at <= now))
        .order_by(GoogleWalletRetiredObject.id).limit(1)
        # Two jobs of one organization run side by side on different objects.
        .with_for_update(skip_locked=True, of=GoogleWalletRetiredObject)).first()
    if found is None:
        return _nothing_ready(session, job, now)
    item, retirement = found
    errors = []
    try:
        _retire(session, item, retirement, settings)
    except GoogleApiError as exc:
        if exc.retryable and not _gives_up(item, settings, now):
            return ChunkResult(cursor=job.cursor, processed=0, done=False)
        errors = [{"id": item.pass_id, "error": _failure(exc, item)}]
    session.delete(item)
    return ChunkResult(cursor=str(item.id), processed=1, failed=len(errors), errors=errors, done=False)


def _gives_up(item: GoogleWalletRetiredObject, settings: JobSettings, now: dt.datetime) -> bool:
    """Count a retryable failure against this object alone and set its next try (the job's
    backoff): the organization's other objects go on meanwhile. True once it has no try left."""
    policy = RetryPolicy(max_attempts=settings["WALLET_GOOGLE_RETIRE_OBJECT_MAX_ATTEMPTS"],
                         base_delay_seconds=settings["WALLET_JOB_RETRY_BASE_SECONDS"])
    item.attempts += 1
    if policy.gives_up(item.attempts):
        return True
    item.next_try_at = now + dt.timedelta(seconds=policy.delay(item.attempts))
    return False


def _failure(exc: GoogleApiError, item: GoogleWalletRetiredObject) -> str:
    return f"gave up after {item.attempts} attempts: {exc}" if exc.retryable else str(exc)


def _nothing_ready(session: Session, job: BackgroundJob, now: dt.datetime) -> ChunkResult:
    """Every object left waits for its next try (the job comes back then), is another job's
    right now, or none is left: then the finished retirements are forgotten."""
    next_try = session.scalar(
        select(func.min(GoogleWalletRetiredObject.next_try_at))
        .join(GoogleWalletRetirement, GoogleWalletRetirement.id == GoogleWalletRetiredObject.retirement_id)
        .where(GoogleWalletRetirement.organization_id == job.organization_id,
               GoogleWalletRetiredObject.next_try_at > now))
    if next_try is not None:
        return ChunkResult(cursor=job.cursor, processed=0, done=False, wait_until=next_try)
    forget_finished_retirements(session, job.organization_id)
    return ChunkResult(cursor=job.cursor, processed=0, done=True)


def _retire(session: Session, item: GoogleWalletRetiredObject, retirement: GoogleWalletRetirement,
            settings: JobSettings) -> None:
    issuer = _pinned_issuer(retirement, settings)
    # Under another issuer now, the pinned issuer's objects are no longer the organization's, whatever happened since.
    pinned_is_current = _current_issuer_id(session, retirement.organization_id, settings) == issuer.issuer_id
    if (retirement.reason == google_retirement.DISABLED and pinned_is_current
            and _turned_on_again(session, retirement.campaign_id)):
        return  # the sync queued when it was turned on makes the object ACTIVE again
    if retirement.reason == google_retirement.ISSUER_REPLACED and pinned_is_current:
        return  # the organization came back to this issuer (or only rotated its key): the objects are its own again
    resource = Resource(item.google_type, "Object", google_sync.object_id(issuer.issuer_id, item.pass_id))
    try:
        wallet_client(settings, issuer).patch(resource, {"state": RETIRED_STATE})
    except GoogleApiError as exc:
        if exc.status != 404:  # never created, or already gone: nothing to hide
            raise


def _current_issuer_id(session: Session, organization_id: str, settings: JobSettings) -> str | None:
    """The id of the issuer the organization uses now; its key is not read (only the id names objects)."""
    own = session.get(GoogleIssuerAccount, organization_id)
    if own is not None:
        return own.issuer_id
    return str(settings["WALLET_GOOGLE_ISSUER_ID"]) if settings["WALLET_GOOGLE_SERVICE_ACCOUNT_FILE"] else None


def _turned_on_again(session: Session, campaign_id: str | None) -> bool:
    """Whether the campaign uses Google again. The share lock makes a toggle wait until this object
    is PATCHed, so its sync (queued by the toggle) comes after."""
    campaign = session.scalars(select(Campaign).where(Campaign.id == campaign_id).with_for_update(read=True)).first()
    return campaign is not None and google_sync.google_enabled(campaign)


def _pinned_issuer(retirement: GoogleWalletRetirement, settings: JobSettings) -> GoogleIssuer:
    """The issuer the objects were made under: the organization's account as it was when the
    retirement was recorded, or the server's."""
    if retirement.issuer_id is None or retirement.service_account_encrypted is None:
        try:
            server = server_issuer(settings)
        except ServiceAccountError as exc:
            raise GoogleApiError(str(exc)) from exc
        if server is None:
            raise GoogleApiError("Google Wallet is no longer configured on this server: the objects cannot be retired")
        return server
    try:
        info = json.loads(decrypt_private_key(settings["WALLET_SECRET_KEY"], retirement.service_account_encrypted))
        account = parse_service_account(info)
    except (ValueError, ConfigurationError) as exc:  # ServiceAccountError is a ValueError
        raise GoogleApiError(f"the previous issuer's key cannot be read: {exc}") from exc
    return GoogleIssuer(retirement.issuer_id, account, f"{SERVER_RATE_SLOT}:{retirement.organization_id}")


def forget_finished_retirements(session: Session, organization_id: str) -> None:
    """Retirements with no object left, and with them the copies of old keys."""
    session.execute(delete(GoogleWalletRetirement).where(
        GoogleWalletRetirement.organization_id == organization_id,
        ~exists().where(GoogleWalletRetiredObject.retirement_id == GoogleWalletRetirement.id)))


RETIRE_KIND = JobKind(google_retirement.RETIRE_KIND, retire_chunk)
