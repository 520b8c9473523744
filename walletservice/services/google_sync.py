"""Which campaigns issue Google Wallet passes, and queuing their sync (docs/google-wallet.md).

A campaign turns Google on with Passworks' `gwallet_usage` (android_pay.md). Every change
of its passes (services.update_tags.mark_passes_changed, the one place all pass writes
end) and of the campaign itself queues a `google_wallet_sync` job in the same
transaction, on the durable job queue (queue.jobs); services.google_sender runs it.
Nothing here talks to Google, so the web app loads no Google client.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.db import lock_for_update, upsert_insert
from walletservice.google_wallet.mapping import google_type
from walletservice.google_wallet.save_links import save_url
from walletservice.models import Campaign, GoogleWalletClass, GoogleWalletObject, Pass
from walletservice.models.base import utcnow
from walletservice.queue.jobs import enqueue_job
from walletservice.services.google_issuers import GoogleIssuer, issuer_for
from walletservice.services.google_retirement import retire_disabled_campaign

SYNC_KIND = "google_wallet_sync"
USAGE_SETTING = "gwallet_usage"
# Signs the public URLs of images Google fetches (web.google_images).
IMAGE_SALT = "google-wallet-image"
# android_pay.md's statuses.
LOCAL, UPDATED, SYNCING, SYNC_DONE, FAILED = "local", "updated", "syncing", "sync_done", "failed"


def google_enabled(campaign: Campaign) -> bool:
    return bool((campaign.settings or {}).get(USAGE_SETTING))


def class_id(issuer_id: str, campaign_id: str) -> str:
    # Ids are <issuer id>.<suffix>; uuids use only characters Google allows in suffixes.
    return f"{issuer_id}.c-{campaign_id}"


def object_id(issuer_id: str, pass_id: str) -> str:
    return f"{issuer_id}.p-{pass_id}"


def enqueue_pass_syncs(session: Session, passes: Sequence[Pass]) -> None:
    """Queue the objects of changed passes whose campaign uses Google; one job per campaign."""
    by_campaign: dict[str, list[str]] = {}
    for pass_ in passes:
        by_campaign.setdefault(pass_.campaign_id, []).append(pass_.id)
    for campaign_id, pass_ids in by_campaign.items():
        campaign = session.get(Campaign, campaign_id)
        if campaign is not None and google_enabled(campaign):
            enqueue_job(session, campaign.organization_id, SYNC_KIND,
                        {"campaign_id": campaign_id, "pass_ids": pass_ids})


def enqueue_campaign_sync(session: Session, campaign: Campaign, *, was_enabled: bool) -> None:
    """After a campaign is created or changed (locked by the caller): its class, and when Google
    was just turned on, every pass it already has. Turned off, its objects are retired."""
    if not google_enabled(campaign):
        if was_enabled:
            retire_disabled_campaign(session, campaign)
        return
    _set_status(session, campaign.id, UPDATED if was_enabled else LOCAL)
    payload: dict[str, Any] = {"campaign_id": campaign.id, "class": True}
    if not was_enabled:
        payload["all_passes"] = True
    enqueue_job(session, campaign.organization_id, SYNC_KIND, payload)


def set_google_usage(session: Session, campaign: Campaign, enabled: bool) -> Campaign:
    """Turn Google on or off for a campaign (v3's googleWalletEnabled; v2 sets it among the campaign's
    attributes). Turning it on queues the class and every pass, as v2 does; turning it off retires
    the objects."""
    campaign = lock_for_update(campaign)
    was_enabled = google_enabled(campaign)
    if enabled != was_enabled:
        campaign.settings = {**(campaign.settings or {}), USAGE_SETTING: enabled}
        campaign.updated_at = utcnow()
        session.flush()
        enqueue_campaign_sync(session, campaign, was_enabled=was_enabled)
    return campaign


def set_sync_status(session: Session, campaign_id: str, status: str, message: str | None = None) -> None:
    _set_status(session, campaign_id, status, message)


def _set_status(session: Session, campaign_id: str, status: str, message: str | None = None) -> None:
    """One statement, so concurrent writers never lose each other's update."""
    table = GoogleWalletClass.__table__
    now = utcnow()
    values: dict[str, Any] = {"status": status, "message": message, "updated_at": now}
    if status == SYNC_DONE:
        values["synced_at"] = now
    session.execute(upsert_insert(session, table).values(campaign_id=campaign_id, **values)
                    .on_conflict_do_update(index_elements=[table.c.campaign_id], set_=values))


def sync_states(session: Session, campaign_ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
    """(gwallet_status, gwallet_message) per campaign that has a Google sync state."""
    if not campaign_ids:
        return {}
    rows = session.execute(select(GoogleWalletClass.campaign_id, GoogleWalletClass.status,
                                  GoogleWalletClass.message).where(GoogleWalletClass.campaign_id.in_(campaign_ids)))
    return {campaign_id: (status, message) for campaign_id, status, message in rows}


def save_links(session: Session, passes: Sequence[Pass], campaigns: Mapping[str, Campaign],
               settings: Mapping[str, Any]) -> dict[str, str]:
    """"Save to Google Wallet" URLs of the passes whose object exists at Google (ids only in
    the token, so the object must exist first), signed by the issuer of the pass's
    organization (services.google_issuers); passes without one are left out."""
    wanted = [pass_ for pass_ in passes if google_enabled(campaigns[pass_.campaign_id])]
    if not wanted:
        return {}
    synced = set(session.scalars(select(GoogleWalletObject.pass_id)
                                 .where(GoogleWalletObject.pass_id.in_([pass_.id for pass_ in wanted]))))
    origins = [str(settings["WALLET_PUBLIC_URL"])]
    if settings.get("WALLET_PAGES_URL"):
        origins.append(str(settings["WALLET_PAGES_URL"]))
    issuers: dict[str, GoogleIssuer | None] = {}
    links = {}
    for pass_ in wanted:
        if pass_.id not in synced:
            continue
        if pass_.organization_id not in issuers:
            issuers[pass_.organization_id] = issuer_for(session, pass_.organization_id, settings)
        issuer = issuers[pass_.organization_id]
        if issuer is not None:
            links[pass_.id] = save_url(
                issuer.account, google_type(campaigns[pass_.campaign_id].design),
                class_id(issuer.issuer_id, pass_.campaign_id), object_id(issuer.issuer_id, pass_.id), origins)
    return links
