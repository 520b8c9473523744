"""Push messages as Google object messages (addMessage), sent at most once each.

A new push message (services.push_message) is decided in the chunk that PATCHes the object:
with notification while the object's 3 per 24 hours last (Google's limit), later ones
without and counted. It is then kept in `google_wallet_objects.pending_message` and sent by
the pass's next chunk, so a retried send never PATCHes the object again. Google does not
deduplicate messages by id. So the chunk that decides a message also records its job claim
(`message_claim`, committed before the send), and a send under any other claim (a retry, a
worker that took the job over after the sender died mid-send, another job of the pass) may
follow an attempt that reached Google: it first reads the object and skips a message whose id
is already there. Only the first send under the deciding claim goes without that read.
"""

from __future__ import annotations

import time
from typing import Any

from walletservice.google_wallet.client import Resource, WalletObjectsClient
from walletservice.google_wallet.mapping import message_body
from walletservice.models import BackgroundJob, Campaign, GoogleWalletObject, Pass
from walletservice.services.push_message import push_message_field, push_message_text

# Google: at most 3 messages with notification per object per 24 hours.
NOTIFICATIONS_PER_WINDOW = 3
NOTIFICATION_WINDOW_SECONDS = 24 * 3600


def push_message_value(pass_: Pass) -> str | None:
    field = push_message_field(pass_.content)
    return str(field["value"]) if field and field.get("value") else None


def claim_token(job: BackgroundJob) -> str:
    """This claim of the job; a later claim of the same job (claim_job counts them) differs."""
    return f"{job.id}:{job.claims}"


def queue_push_message(pass_: Pass, campaign: Campaign, synced: GoogleWalletObject, claim: str,
                       now: float | None = None) -> bool:
    """Decide the pass's new push message, if it has one, and keep it for `claim` to send; True if it did."""
    value = push_message_value(pass_)
    if value is None or value == synced.message_value:
        return False
    now = time.time() if now is None else now
    recent = [at for at in (synced.notified_at or []) if at > now - NOTIFICATION_WINDOW_SECONDS]
    notify = len(recent) < NOTIFICATIONS_PER_WINDOW
    header = str(pass_.content.get("organizationName") or campaign.name)
    # The id names the pass version that brought the message: the same message on every retry.
    synced.pending_message = message_body(
        push_message_text(value), header=header, message_id=f"push-{pass_.update_tag}", notify=notify,
        strings=pass_.content.get("localizations"))
    synced.message_value, synced.message_claim = value, claim
    synced.notified_at = [*recent, now] if notify else recent
    if not notify:
        synced.unnotified_messages += 1
    return True


def send_pending_message(wallet: WalletObjectsClient, resource: Resource, synced: GoogleWalletObject,
                         claim: str) -> None:
    """Send the kept message (raises GoogleApiError), unless an attempt under another claim got it there."""
    body: dict[str, Any] = synced.pending_message or {}
    retried = claim != synced.message_claim
    if not (retried and _already_sent(wallet, resource, str(body.get("message", {}).get("id")))):
        wallet.add_message(resource, body)
    synced.pending_message = synced.message_claim = None


def _already_sent(wallet: WalletObjectsClient, resource: Resource, message_id: str) -> bool:
    stored = wallet.get(resource) or {}
    return any(isinstance(message, dict) and message.get("id") == message_id
               for message in stored.get("messages") or [])
