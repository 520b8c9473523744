"""Retiring Google objects whose Apple side went away (docs/google-wallet.md, "Retired objects").

Google has no DELETE for classes or objects. A deleted pass's object, the objects of a
deleted campaign's passes or of a campaign that turned Google off, and every object an
organization made under an issuer it left are therefore set INACTIVE ("hidden from view" in Google Wallet). Classes hold no
state and cannot be deleted, so they stay as they are; with no active object, no one
sees them.

What to retire is written here in the transaction of the change, with the issuer pinned
(an organization may change issuer before the job runs), and a `google_wallet_retire`
job is queued beside it; services.google_retirer runs it. Nothing here talks to Google.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, delete, insert, select
from sqlalchemy.orm import Session

from walletservice.google_wallet.mapping import MappingError, google_type
from walletservice.models import (
    Campaign, GoogleIssuerAccount, GoogleWalletObject, GoogleWalletRetiredObject, GoogleWalletRetirement, Pass,
)
from walletservice.queue.jobs import enqueue_job

RETIRE_KIND = "google_wallet_retire"
DELETED, ISSUER_REPLACED, DISABLED = "deleted", "issuer_replaced", "disabled"
# A pass whose stored design names no Google type was never sent; generic is a harmless guess.
FALLBACK_TYPE = "generic"


def retire_deleted_pass(session: Session, pass_: Pass) -> None:
    """Before a pass is deleted (it is locked, so no sync is writing its object row)."""
    if session.get(GoogleWalletObject, pass_.id) is None:
        return
    _record(session, pass_.organization_id, DELETED, _current_account(session, pass_.organization_id),
            [(_type_of(pass_.content), pass_.id)])


def retire_deleted_campaign(session: Session, campaign: Campaign) -> None:
    """Before a campaign's passes are deleted: the objects Google holds for them."""
    pass_ids = [row.id for row in _lock_passes(session, Pass.campaign_id == campaign.id)]
    retired = _forget_objects(session, pass_ids)
    _record(session, campaign.organization_id, DELETED, _current_account(session, campaign.organization_id),
            [(_type_of(campaign.design), pass_id) for pass_id in retired])


def retire_disabled_campaign(session: Session, campaign: Campaign) -> None:
    """The campaign turned gwallet_usage off (it is locked, so a second toggle waits for this one).
    Its object rows are forgotten, so turning Google on again creates them anew and the
    objects become ACTIVE through the ordinary sync (services.google_retirer skips an object
    whose campaign is on again by the time it runs)."""
    pass_ids = [row.id for row in _lock_passes(session, Pass.campaign_id == campaign.id)]
    account = _current_account(session, campaign.organization_id)
    retired = set(_forget_objects(session, pass_ids)) - _pending_retirements(session, campaign.id, account)
    _record(session, campaign.organization_id, DISABLED, account,
            [(_type_of(campaign.design), pass_id) for pass_id in sorted(retired)], campaign_id=campaign.id)


def retire_previous_issuer(session: Session, organization_id: str,
                           previous: GoogleIssuerAccount | None) -> None:
    """The organization moves to another issuer (its own key set, replaced or removed):
    every object it made under the previous one (`previous`: its own account as it was,
    None for the server's). The objects' rows are forgotten, so the new issuer's sync
    creates them anew."""
    rows = _lock_passes(session, Pass.organization_id == organization_id)
    campaign_of = {row.id: row.campaign_id for row in rows}
    retired = _forget_objects(session, list(campaign_of))
    designs = dict(session.execute(select(Campaign.id, Campaign.design).where(
        Campaign.id.in_({campaign_of[pass_id] for pass_id in retired}))).all()) if retired else {}
    account = (previous.issuer_id, previous.service_account_encrypted) if previous is not None else None
    _record(session, organization_id, ISSUER_REPLACED, account,
            [(_type_of(designs.get(campaign_of[pass_id]) or {}), pass_id) for pass_id in retired])


def _lock_passes(session: Session, condition: ColumnElement[bool]) -> Sequence[Row[Any]]:
    """Waits for a sync chunk that is inserting one of these passes' object rows (it holds a key
    lock on the pass until it commits), so the rows read next include it."""
    return session.execute(select(Pass.id, Pass.campaign_id).where(condition).with_for_update()).all()


def _forget_objects(session: Session, pass_ids: list[str]) -> list[str]:
    """Delete the passes' object rows; the pass ids whose object Google held."""
    if not pass_ids:
        return []
    return list(session.scalars(delete(GoogleWalletObject).where(GoogleWalletObject.pass_id.in_(pass_ids))
                                .returning(GoogleWalletObject.pass_id)))


def _pending_retirements(session: Session, campaign_id: str, account: tuple[str, str] | None) -> set[str]:
    """Pass ids an earlier turning off of this campaign, under the same issuer, still has to set
    INACTIVE (off, on and off again before the first retirement ran): one PATCH is enough. Work
    pinned to another issuer hides that issuer's object, not the current one; an issuer_replaced
    retirement skips objects that are the organization's own again."""
    issuer_id = account[0] if account is not None else None
    return set(session.scalars(select(GoogleWalletRetiredObject.pass_id).join(
        GoogleWalletRetirement, GoogleWalletRetirement.id == GoogleWalletRetiredObject.retirement_id)
        .where(GoogleWalletRetirement.reason == DISABLED, GoogleWalletRetirement.campaign_id == campaign_id,
               GoogleWalletRetirement.issuer_id.is_(None) if issuer_id is None
               else GoogleWalletRetirement.issuer_id == issuer_id)))


def _current_account(session: Session, organization_id: str) -> tuple[str, str] | None:
    own = session.get(GoogleIssuerAccount, organization_id)
    return (own.issuer_id, own.service_account_encrypted) if own is not None else None


def _type_of(design: Mapping[str, Any]) -> str:
    try:
        return google_type(design)
    except MappingError:
        return FALLBACK_TYPE


def _record(session: Session, organization_id: str, reason: str, account: tuple[str, str] | None,
            objects: Iterable[tuple[str, str]], campaign_id: str | None = None) -> None:
    rows = list(objects)
    if not rows:
        return
    issuer_id, key = account if account is not None else (None, None)
    retirement = GoogleWalletRetirement(organization_id=organization_id, reason=reason, issuer_id=issuer_id,
                                        service_account_encrypted=key, campaign_id=campaign_id)
    session.add(retirement)
    session.flush()
    session.execute(insert(GoogleWalletRetiredObject), [
        {"retirement_id": retirement.id, "google_type": type_, "pass_id": pass_id} for type_, pass_id in rows])
    enqueue_job(session, organization_id, RETIRE_KIND, {"retirement_id": retirement.id})
