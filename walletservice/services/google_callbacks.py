"""Save and delete callbacks from Google Wallet as installed / uninstalled events of the
"google_wallet" wallet (reports, webhooks and the dashboard then count them per wallet).

The signature is checked before (google_wallet.callbacks); here a nonce is taken once, in
the transaction that records the event, so a replay records nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.db import upsert_insert
from walletservice.google_wallet.callbacks import CallbackEvent
from walletservice.models import GoogleCallbackNonce, GoogleIssuerAccount, Pass
from walletservice.models.base import utcnow
from walletservice.services.events import WalletClient, record_pass_event

GOOGLE_WALLET = WalletClient(device_os="android", wallet="google_wallet")
EVENT_KINDS = {"save": "installed", "del": "uninstalled"}
RECORDED, REPLAYED, UNKNOWN_PASS = "recorded", "replayed", "unknown pass"


def callback_recipient(session: Session, claimed_issuer_id: str | None, server_issuer_id: str) -> str | None:
    """The issuer id to verify a callback for: the one it names when an organization brought it
    (services.google_accounts), else the server's; None when there is neither."""
    if claimed_issuer_id and claimed_issuer_id != server_issuer_id and session.scalar(
            select(GoogleIssuerAccount.organization_id)
            .where(GoogleIssuerAccount.issuer_id == claimed_issuer_id).limit(1)) is not None:
        return claimed_issuer_id
    return server_issuer_id or None


def record_callback(session: Session, event: CallbackEvent, issuer_id: str, server_issuer_id: str) -> str:
    """What became of the callback: recorded, replayed (nonce seen before) or unknown pass. A
    pass counts only under the issuer its organization uses: one issuer cannot record events
    of another's passes."""
    table = GoogleCallbackNonce.__table__
    expires_at = dt.datetime.fromtimestamp(event.expires_ms / 1000, dt.timezone.utc)
    taken = session.execute(upsert_insert(session, table).values(nonce=event.nonce, received_at=utcnow(),
                                                                  expires_at=expires_at)
                            .on_conflict_do_nothing(index_elements=[table.c.nonce]).returning(table.c.nonce))
    if taken.first() is None:
        return REPLAYED
    prefix = f"{issuer_id}.p-"
    pass_ = session.get(Pass, event.object_id.removeprefix(prefix)) if event.object_id.startswith(prefix) else None
    if pass_ is None or _issuer_of(session, pass_, server_issuer_id) != issuer_id:
        return UNKNOWN_PASS
    record_pass_event(session, EVENT_KINDS[event.event_type], pass_, GOOGLE_WALLET,
                      {"google_object_id": event.object_id})
    return RECORDED


def _issuer_of(session: Session, pass_: Pass, server_issuer_id: str) -> str:
    own = session.get(GoogleIssuerAccount, pass_.organization_id)
    return own.issuer_id if own is not None else server_issuer_id
