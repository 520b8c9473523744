"""The `google_wallet_sync` job: bring a campaign's Google class and its passes' objects in
step with what we hold (queued by services.google_sync). Loaded by workers only.

A new push message becomes a Google message (services.google_messages), sent in the pass's
chunk after the one that PATCHes its object.

Chunks: the class first (insert when missing, else patch), then one pass per chunk, so
a pass written to Google and its recorded update tag commit together and a retried
chunk never writes a pass twice. 429, 5xx and connection errors raise: the job runner
retries the chunk with the job retry policy (queue.retry). Refusals (4xx, or a design
Google's type cannot hold) are recorded: the class's failure in gwallet_status /
gwallet_message, a pass's among the job's errors.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Mapping
from typing import Any

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from walletservice.db import upsert_insert
from walletservice.errors import ConfigurationError
from walletservice.extensions import db
from walletservice.google_wallet.accounts import ServiceAccountError
from walletservice.google_wallet.client import GoogleApiError, Resource, WalletObjectsClient
from walletservice.google_wallet.credentials import AccessTokens
from walletservice.google_wallet.mapping import (
    MappingError, PassState, class_body, google_type, object_body,
)
from walletservice.google_wallet.pacing import RequestPacer
from walletservice.models import BackgroundJob, Campaign, GoogleWalletObject, Organization, Pass
from walletservice.models.base import utcnow
from walletservice.plumbing.signed_values import sign_value
from walletservice.queue.jobs import ChunkResult, JobKind, JobSettings
from walletservice.queue.rate_slots import SharedRatePacer
from walletservice.services import google_messages, google_sync
from walletservice.services.google_issuers import GoogleIssuer, issuer_for
from walletservice.services.passworks_mapping import campaign_setting

# synced_tag of an object row claimed but not yet inserted at Google (update tags are >= 0).
NOT_AT_GOOGLE = -1
_clients: dict[tuple[Any, ...], WalletObjectsClient] = {}
_clients_lock = threading.Lock()


def wallet_client(settings: JobSettings, issuer: GoogleIssuer) -> WalletObjectsClient:
    """One client per account, configuration and process: its token, connections and pacing are shared."""
    engine = db.engine
    key = (*(settings[name] for name in ("WALLET_GOOGLE_API_URL", "WALLET_GOOGLE_CA_BUNDLE",
                                         "WALLET_GOOGLE_REQUESTS_PER_SECOND")), issuer.fingerprint, engine)
    with _clients_lock:
        if key not in _clients:
            api_url, ca_bundle, per_second = key[:3]
            verify = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True
            http = httpx.Client(verify=verify, timeout=httpx.Timeout(10.0))
            tokens = AccessTokens(issuer.account, http)
            _clients[key] = WalletObjectsClient(api_url, tokens, http, _pacer(engine, issuer.rate_slot, per_second))
        return _clients[key]


def issuer_or_error(session: Session, organization_id: str, settings: JobSettings) -> GoogleIssuer | None:
    """issuer_for, its failures raised as a GoogleApiError that is not retried."""
    try:
        return issuer_for(session, organization_id, settings)
    # A refusal to record (gwallet_message), not a crash to retry: an unreadable key file, or an
    # organization's key that WALLET_SECRET_KEY no longer decrypts.
    except (ServiceAccountError, ConfigurationError) as exc:
        raise GoogleApiError(str(exc)) from exc


def _pacer(engine: Engine, rate_slot: str, per_second: float) -> RequestPacer | SharedRatePacer:
    """On PostgreSQL every worker shares one rate through the database. SQLite has a single
    writer, and the chunk holds it while it calls Google, so a second connection could not
    take a slot: there the rate is kept per process (SQLite deployments run one)."""
    if engine.dialect.name == "postgresql":
        return SharedRatePacer(engine, rate_slot, per_second)
    return RequestPacer(per_second)


def image_url(settings: JobSettings, organization_id: str, asset_id: str) -> str:
    """A public URL of a campaign image that Google fetches (web.google_images serves it), on the
    pages origin when there is one (web.origins moves every web page there)."""
    token = sign_value(settings["WALLET_SECRET_KEY"], google_sync.IMAGE_SALT, [organization_id, asset_id])
    base = settings.get("WALLET_PAGES_URL") or settings["WALLET_PUBLIC_URL"]
    return f"{base}/google/images/{token}.png"


def sync_chunk(session: Session, job: BackgroundJob, settings: JobSettings) -> ChunkResult:
    # Shared lock on the organization, taken before its issuer is read: a change of issuer
    # (services.google_accounts locks the row) waits for this chunk and then retires what it
    # wrote, instead of this chunk writing under an issuer the organization has just left.
    session.execute(select(Organization.id).where(Organization.id == job.organization_id).with_for_update(read=True))
    try:
        issuer = issuer_or_error(session, job.organization_id, settings)
    except GoogleApiError as exc:
        issuer, unusable = None, str(exc)
    else:
        unusable = ("Google Wallet is not configured on this server (WALLET_GOOGLE_ISSUER_ID, "
                    "WALLET_GOOGLE_SERVICE_ACCOUNT_FILE) and the organization has no issuer of its own")
    if job.payload.get("removed"):
        return _retire_objects(job.payload["removed"], settings, issuer) if issuer else _nothing_to_do()
    # Shared lock: turning Google off waits for this chunk, so its retirement PATCHes after our write.
    campaign = session.scalars(select(Campaign).where(Campaign.id == job.payload["campaign_id"])
                               .with_for_update(read=True)).first()
    if campaign is None or not google_sync.google_enabled(campaign):
        return _nothing_to_do()  # deleted or turned off meanwhile
    if issuer is None:
        google_sync.set_sync_status(session, campaign.id, google_sync.FAILED, unusable)
        return _nothing_to_do()
    if job.cursor is None:
        return _sync_class(session, job, campaign, settings, issuer)
    return _sync_next_pass(session, job, campaign, settings, issuer)


def _nothing_to_do() -> ChunkResult:
    return ChunkResult(cursor=None, processed=0, done=True)


def _sync_class(session: Session, job: BackgroundJob, campaign: Campaign, settings: JobSettings,
                issuer: GoogleIssuer) -> ChunkResult:
    state = google_sync.sync_states(session, [campaign.id]).get(campaign.id)
    class_exists = state is not None and state[0] == google_sync.SYNC_DONE
    if job.payload.get("class") or not class_exists:
        organization = session.get(Organization, campaign.organization_id)
        try:
            body = class_body(campaign.design, issuer_name=organization.name if organization else campaign.name,
                              image_url=lambda asset_id: image_url(settings, campaign.organization_id, asset_id))
            wallet_client(settings, issuer).upsert(
                Resource(google_type(campaign.design), "Class", google_sync.class_id(issuer.issuer_id, campaign.id)),
                body)
        except (MappingError, GoogleApiError) as exc:
            if isinstance(exc, GoogleApiError) and exc.retryable:
                raise
            google_sync.set_sync_status(session, campaign.id, google_sync.FAILED, str(exc))
            return ChunkResult(cursor=None, processed=0, failed=1, done=True,
                               errors=[{"id": campaign.id, "error": str(exc)}])
    google_sync.set_sync_status(session, campaign.id, google_sync.SYNC_DONE)
    more = bool(job.payload.get("pass_ids") or job.payload.get("all_passes"))
    return ChunkResult(cursor="", processed=0, done=not more)


def _sync_next_pass(session: Session, job: BackgroundJob, campaign: Campaign, settings: JobSettings,
                    issuer: GoogleIssuer) -> ChunkResult:
    pass_, cursor = _next_pass(session, job, campaign)
    if pass_ is None:
        return ChunkResult(cursor=cursor, processed=0, done=True)
    synced = _claim_object_row(session, pass_.id)
    if synced.pending_message is not None:
        return _send_message(job, pass_, synced, settings, issuer, cursor)
    exists = synced.synced_tag != NOT_AT_GOOGLE
    if exists and synced.synced_tag >= pass_.update_tag:
        return ChunkResult(cursor=cursor, processed=1, done=False)  # already there (a retried or repeated job)
    message_kept = False
    try:
        _write_object(pass_, campaign, settings, issuer, exists=exists)
        if not exists:
            # A new object shows the pass's current push message among its text modules already.
            synced.message_value = google_messages.push_message_value(pass_)
        else:
            message_kept = google_messages.queue_push_message(
                pass_, campaign, synced, google_messages.claim_token(job))
        synced.synced_tag, synced.synced_at = pass_.update_tag, utcnow()
    except (MappingError, GoogleApiError) as exc:
        if isinstance(exc, GoogleApiError) and exc.retryable:
            raise
        if not exists:
            session.delete(synced)  # nothing at Google: no save link may point there
        return ChunkResult(cursor=cursor, processed=1, failed=1, done=False,
                           errors=[{"id": pass_.id, "error": str(exc)}])
    # The message goes out in the next chunk, on this same pass (the cursor stays), so retrying
    # its send never PATCHes the object again.
    return ChunkResult(cursor=job.cursor if message_kept else cursor, processed=1, done=False)


def _send_message(job: BackgroundJob, pass_: Pass, synced: GoogleWalletObject, settings: JobSettings,
                  issuer: GoogleIssuer, cursor: str) -> ChunkResult:
    """The pass's kept push message (services.google_messages), then on to the next pass, or back
    to this one when it changed since the message was decided (another job found the message)."""
    if pass_.update_tag > synced.synced_tag:
        cursor = job.cursor or ""
    resource = Resource(google_type(pass_.content), "Object", google_sync.object_id(issuer.issuer_id, pass_.id))
    try:
        google_messages.send_pending_message(wallet_client(settings, issuer), resource, synced,
                                             google_messages.claim_token(job))
    except GoogleApiError as exc:
        if exc.retryable:
            raise
        synced.pending_message = synced.message_claim = None
        return ChunkResult(cursor=cursor, processed=0, done=False, errors=[{"id": pass_.id, "error": str(exc)}])
    return ChunkResult(cursor=cursor, processed=0, done=False)


def _claim_object_row(session: Session, pass_id: str) -> GoogleWalletObject:
    """The pass's object row, created if missing and locked until the chunk commits.

    Two jobs may hold the same pass (a campaign's all-passes sync and the pass's own), and
    two workers would otherwise both insert its object at Google (one 409) and both add the
    row (one IntegrityError, retried). The second now waits here, then finds it synced.
    A new row says NOT_AT_GOOGLE until the insert succeeds."""
    table = GoogleWalletObject.__table__
    session.execute(upsert_insert(session, table).values(
        pass_id=pass_id, synced_tag=NOT_AT_GOOGLE, synced_at=utcnow(), unnotified_messages=0,
    ).on_conflict_do_nothing(index_elements=[table.c.pass_id]))
    return session.scalars(select(GoogleWalletObject).where(GoogleWalletObject.pass_id == pass_id)
                           .with_for_update().execution_options(populate_existing=True)).one()


def _retire_objects(removed: list[dict[str, str]], settings: JobSettings, issuer: GoogleIssuer) -> ChunkResult:
    """Jobs queued before services.google_retirement existed (payload "removed"): their objects
    become INACTIVE (one already gone at Google is fine)."""
    for item in removed:
        resource = Resource(item["type"], "Object", google_sync.object_id(issuer.issuer_id, item["pass_id"]))
        try:
            wallet_client(settings, issuer).patch(resource, {"state": "INACTIVE"})
        except GoogleApiError as exc:
            if exc.retryable:
                raise
            if exc.status != 404:
                return ChunkResult(cursor=None, processed=len(removed), failed=1, done=True,
                                   errors=[{"id": item["pass_id"], "error": str(exc)}])
    return ChunkResult(cursor=None, processed=len(removed), done=True)


def _next_pass(session: Session, job: BackgroundJob, campaign: Campaign) -> tuple[Pass | None, str]:
    """The next pass of the job and the cursor after it: an index into payload pass_ids, or
    for all_passes the last pass id (keyset order)."""
    if job.payload.get("all_passes"):
        after = job.cursor or ""
        pass_ = session.scalars(select(Pass).where(Pass.campaign_id == campaign.id, Pass.id > after)
                                .order_by(Pass.id).limit(1)).first()
        return pass_, (pass_.id if pass_ is not None else after)
    pass_ids: list[str] = job.payload.get("pass_ids") or []
    index = int(job.cursor or 0)
    while index < len(pass_ids):
        pass_ = session.get(Pass, pass_ids[index])
        index += 1
        if pass_ is not None:  # a pass deleted since is skipped
            return pass_, str(index)
    return None, str(index)


def _write_object(pass_: Pass, campaign: Campaign, settings: JobSettings, issuer: GoogleIssuer, *,
                  exists: bool) -> None:
    body = object_body(
        pass_.content, class_id=google_sync.class_id(issuer.issuer_id, campaign.id), serial_number=pass_.serial_number,
        state=pass_state(pass_, campaign.settings),
        image_url=lambda asset_id: image_url(settings, pass_.organization_id, asset_id))
    resource = Resource(google_type(pass_.content), "Object", google_sync.object_id(issuer.issuer_id, pass_.id))
    wallet_client(settings, issuer).upsert(resource, body, probably_exists=exists)


def pass_state(pass_: Pass, settings: Mapping[str, Any] | None) -> PassState:
    # A coupon redeemed once is used up unless the campaign allows more redeems.
    used_up = pass_.redeemed_count > 0 and not campaign_setting(settings, "allow_multiple_redeems")
    return PassState(voided=bool(pass_.voided), expired=pass_.expired_at is not None, redeemed=used_up)


SYNC_KIND = JobKind(google_sync.SYNC_KIND, sync_chunk)
