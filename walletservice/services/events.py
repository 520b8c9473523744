"""Pass events: what happened to passes, for reports and webhooks.

The one call every feature uses::

    record_event(session, kind, *, organization_id, campaign_id, pass_id,
                 device_os=None, wallet=None, count=1, details=None) -> PassEvent

- `kind` is one of KINDS ("created", "downloaded", "viewed", "installed", "fetched",
  "redeemed", "uninstalled", "pushed", "updated", "expired", "removed", "webhook_sent",
  "emailed", "texted");
  anything else is a programming error (ValueError).
- It adds a PassEvent row to the caller's session (the caller's transaction commits it,
  together with the change the event describes) and, when the organization has a
  webhook URL and `kind` is one of WEBHOOK_KINDS, a pending WebhookDelivery carrying the
  documented payload (docs/events-reports-webhooks.md). The pass must still exist then.
- `device_os` is "ios", "android", "wp" or None; `wallet` a Passworks wallet id
  ("passbook", "wallet_passes", ...): use `identify_wallet(user_agent)` for both.
- `count` is how many things the row stands for (pushes sent by one batch).
- `details` is a small JSON object; its keys are also sent in the webhook's event_extra.

Shorthands: `record_pass_event(session, kind, pass_, client=None, details=None)` for a
Pass at hand; `record_pass_fetches`, `record_pass_download`, `record_uninstalls` and
`record_push_events` for the web service, downloads and the push worker. Who records
which kind, and the webhook payload: docs/events-reports-webhooks.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from walletservice.models import Organization, Pass, PassEvent, PushRequest
from walletservice.models.base import utcnow
from walletservice.queue.webhooks import enqueue_webhook
from walletservice.services.distributions import distribution_id

KINDS = frozenset({
    "created", "downloaded", "viewed", "installed", "fetched", "redeemed", "uninstalled",
    "pushed", "updated", "expired", "removed", "webhook_sent", "emailed", "texted",
})
# The events webhooks.md says are POSTed to the organization's webhook URL.
WEBHOOK_KINDS = frozenset({"created", "downloaded", "installed", "fetched", "redeemed", "uninstalled"})
# Passworks' wallet ids -> the payload's wallet_type (webhooks.md example: passbook -> apple_wallet).
WALLET_TYPES = {"passbook": "apple_wallet", "google_wallet": "android_pay"}


@dataclass(frozen=True)
class WalletClient:
    """The wallet app and OS a device request came from (None when unknown)."""

    device_os: str | None = None
    wallet: str | None = None


# (substring of the lower-cased User-Agent, device_os, wallet), first match wins.
_USER_AGENT_RULES = (
    ("passkit", "ios", "passbook"),  # Apple Wallet: "PassKit/1.0 CFNetwork/... Darwin/..."
    ("passbook", "ios", "passbook"),  # iOS 6-8 Passbook
    ("walletpasses", "android", "wallet_passes"),
    ("wallet passes", "android", "wallet_passes"),
    ("passwallet", "android", "passwallet"),
    ("attidomobile", "android", "passwallet"),
    ("pass2u", "android", "pass2u"),
    ("passesalliance", "android", "pass2u"),
    ("passworks", "android", "passworks_wallet"),
    ("windows phone", "wp", None),
    ("android", "android", None),
    ("iphone", "ios", None),
    ("ipad", "ios", None),
    ("darwin", "ios", None),
)


def identify_wallet(user_agent: str | None) -> WalletClient:
    agent = (user_agent or "").lower()
    for needle, device_os, wallet in _USER_AGENT_RULES:
        if needle in agent:
            return WalletClient(device_os, wallet)
    return WalletClient()


def record_event(
    session: Session,
    kind: str,
    *,
    organization_id: str,
    campaign_id: str | None,
    pass_id: str | None,
    device_os: str | None = None,
    wallet: str | None = None,
    count: int = 1,
    details: Mapping[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
) -> PassEvent:
    """Add one event (and its webhook, if the organization wants it) to the session."""
    if kind not in KINDS:
        raise ValueError(f"unknown pass event kind {kind!r}")
    event = PassEvent(
        organization_id=organization_id, campaign_id=campaign_id, pass_id=pass_id, kind=kind,
        device_os=device_os, wallet=wallet, count=count, details=dict(details) if details else None,
        occurred_at=occurred_at or utcnow(),
    )
    session.add(event)
    if kind in WEBHOOK_KINDS and pass_id is not None:
        _enqueue_webhook(session, event)
    return event


def _enqueue_webhook(session: Session, event: PassEvent) -> None:
    organization = session.get(Organization, event.organization_id)
    if organization is None or not organization.webhook_url:
        return
    pass_ = session.get(Pass, event.pass_id)
    if pass_ is None:
        return
    session.flush()  # the event's id
    enqueue_webhook(session, organization.id, event.id, organization.webhook_url,
                    webhook_payload(event, pass_), event.occurred_at)


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def webhook_payload(event: PassEvent, pass_: Pass) -> dict[str, Any]:
    """The body webhooks.md documents; distribution_id is the campaign's one distribution,
    its page (services.distributions)."""
    extra: dict[str, Any] = {"pass_id": pass_.id, **(event.details or {})}
    if event.device_os:
        extra["device_os"] = event.device_os
    if event.wallet:
        extra["device_app_vendor"] = event.wallet
        extra["wallet_type"] = WALLET_TYPES.get(event.wallet, event.wallet)
    return {
        "event": event.kind,
        "context": "pass",
        "campaign_id": pass_.campaign_id,
        "distribution_id": distribution_id(pass_.campaign_id),
        "pass_id": pass_.id,
        "voided": bool(pass_.voided),
        "serial_number": pass_.serial_number,
        "redeemed_count": pass_.redeemed_count or 0,
        "redeemed_at": _iso(pass_.redeemed_at),
        "created_at": _iso(pass_.created_at),
        "updated_at": _iso(pass_.modified_at),
        "last_fetched_at": _iso(pass_.last_fetched_at),
        "event_at": _iso(event.occurred_at),
        "metadata": (pass_.extra or {}).get("metadata") or {},
        "event_extra": extra,
    }


def record_pass_event(session: Session, kind: str, pass_: Pass, client: WalletClient | None = None,
                      details: Mapping[str, Any] | None = None) -> PassEvent:
    """record_event for a pass object at hand."""
    client = client or WalletClient()
    return record_event(
        session, kind, organization_id=pass_.organization_id, campaign_id=pass_.campaign_id,
        pass_id=pass_.id, device_os=client.device_os, wallet=client.wallet, details=details,
    )


@dataclass(frozen=True)
class PassFetch:
    """A device fetched a new version of a pass (the web service's 200)."""

    pass_id: str
    organization_id: str
    campaign_id: str
    client: WalletClient
    at: dt.datetime


def record_pass_fetches(session: Session, fetches: Sequence[PassFetch]) -> None:
    """Fetches, recorded together (webservice.fetch_recorder batches them off the
    request): each pass's last_fetched_at, and one "fetched" event per fetch."""
    latest: dict[str, dt.datetime] = {}
    with_webhooks = set(session.scalars(select(Organization.id).where(
        Organization.id.in_({fetch.organization_id for fetch in fetches}), Organization.webhook_url.is_not(None))))
    plain_rows: list[dict[str, Any]] = []
    for fetch in fetches:
        latest[fetch.pass_id] = max(fetch.at, latest.get(fetch.pass_id, fetch.at))
        event = {"organization_id": fetch.organization_id, "campaign_id": fetch.campaign_id,
                 "pass_id": fetch.pass_id, "device_os": fetch.client.device_os, "wallet": fetch.client.wallet,
                 "occurred_at": fetch.at}
        if fetch.organization_id in with_webhooks:
            record_event(session, "fetched", **event)
        else:  # the common case, as one multi-row insert
            plain_rows.append({**event, "kind": "fetched", "count": 1, "details": None})
    if session.get_bind().dialect.name == "postgresql":
        _write_fetches_set_based(session, plain_rows, latest)
        return
    if plain_rows:
        session.execute(insert(PassEvent), plain_rows)
    table = Pass.__table__
    session.execute(
        update(table).where(table.c.id == bindparam("fetched_pass_id")).values(last_fetched_at=bindparam("fetched_at")),
        [{"fetched_pass_id": pass_id, "fetched_at": at} for pass_id, at in latest.items()],
    )


# PostgreSQL: a batch of fetches as one INSERT and one UPDATE over arrays (unnest),
# instead of a statement per row: about half the cost per fetch on both sides
# (docs/benchmarks.md), which the cached 200 of the Wallet fetch pays for.
_INSERT_FETCHED_EVENTS = text("""
    INSERT INTO pass_events (organization_id, campaign_id, pass_id, device_os, wallet, occurred_at, kind, count)
    SELECT organization_id, campaign_id, pass_id, device_os, wallet, occurred_at, 'fetched', 1
    FROM unnest(CAST(:organization_ids AS text[]), CAST(:campaign_ids AS text[]), CAST(:pass_ids AS text[]),
                CAST(:device_oses AS text[]), CAST(:wallets AS text[]), CAST(:occurred_ats AS timestamp[]))
         AS fetched(organization_id, campaign_id, pass_id, device_os, wallet, occurred_at)
""")
_UPDATE_LAST_FETCHED = text("""
    UPDATE passes SET last_fetched_at = fetched.at
    FROM unnest(CAST(:pass_ids AS text[]), CAST(:ats AS timestamp[])) AS fetched(id, at)
    WHERE passes.id = fetched.id
""")


def _write_fetches_set_based(session: Session, rows: list[dict[str, Any]], latest: dict[str, dt.datetime]) -> None:
    if rows:
        session.execute(_INSERT_FETCHED_EVENTS, {
            "organization_ids": [row["organization_id"] for row in rows],
            "campaign_ids": [row["campaign_id"] for row in rows],
            "pass_ids": [row["pass_id"] for row in rows],
            "device_oses": [row["device_os"] for row in rows],
            "wallets": [row["wallet"] for row in rows],
            "occurred_ats": [_naive_utc(row["occurred_at"]) for row in rows],
        })
    session.execute(_UPDATE_LAST_FETCHED, {"pass_ids": list(latest),
                                           "ats": [_naive_utc(at) for at in latest.values()]})


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    # The columns are timestamp without time zone, holding UTC.
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def record_pass_download(session: Session, pass_: Pass, client: WalletClient) -> None:
    """The customer downloaded the .pkpass from its link."""
    if pass_.first_downloaded_at is None:
        pass_.first_downloaded_at = utcnow()
    record_pass_event(session, "downloaded", pass_, client)


@dataclass(frozen=True)
class RemovedRegistration:
    """A registration that was just deleted (DELETE ... RETURNING these columns)."""

    id: int
    pass_id: str
    device_os: str | None
    wallet: str | None


def record_uninstalls(session: Session, removed: Sequence[RemovedRegistration],
                      details: Mapping[str, Any] | None = None) -> None:
    """One "uninstalled" event per removed registration (device unregistered, APNs 410)."""
    if not removed:
        return
    passes = {pass_.id: pass_ for pass_ in session.scalars(
        select(Pass).where(Pass.id.in_({row.pass_id for row in removed})))}
    for row in removed:
        pass_ = passes.get(row.pass_id)
        if pass_ is not None:
            record_pass_event(session, "uninstalled", pass_, WalletClient(row.device_os, row.wallet),
                              {"registration_id": str(row.id), **(details or {})})


def record_push_events(session: Session, sent_by_request: Mapping[str, int]) -> None:
    """One "pushed" event per push request, counting the deliveries APNs accepted.

    A request for several passes is counted in the campaign of its first pass."""
    if not sent_by_request:
        return
    requests = list(session.scalars(select(PushRequest).where(PushRequest.id.in_(sent_by_request))))
    first_passes = {request.id: (request.pass_ids or [None])[0] for request in requests}
    campaign_of = dict(session.execute(
        select(Pass.id, Pass.campaign_id).where(Pass.id.in_({p for p in first_passes.values() if p}))).all())
    for request in requests:
        single_pass = request.pass_ids[0] if request.pass_ids and len(request.pass_ids) == 1 else None
        campaign_id = request.campaign_id or campaign_of.get(first_passes[request.id])
        record_event(session, "pushed", organization_id=request.organization_id, campaign_id=campaign_id,
                     pass_id=single_pass, count=sent_by_request[request.id])
