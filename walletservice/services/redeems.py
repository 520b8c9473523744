"""Redeem codes and redeeming passes (Passworks: code_type, redeem, reset_redeem, redeems).

A campaign's `code_type` decides each new pass's `redeem_code`: sequential numbers
("0000001", "0000002"...), one fixed value for all, or a code per pass. Redeeming
counts the redeem and, unless the campaign allows multiple redeems, voids the pass
in Wallet (coupon.md: reset_redeem "resets the void flag"). Both run on the pass
row locked, so two redeems at once of a single-redeem pass cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, select, update
from sqlalchemy.orm import Session

from walletservice.db import lock_until_commit
from walletservice.errors import InvalidInput, NotFound, StateConflict
from walletservice.models import Campaign, Pass, Redeem
from walletservice.models.base import utcnow
from walletservice.queue.pushes import enqueue_pass_push
from walletservice.services.collection_filters import Attribute, FilterSpec
from walletservice.services.events import record_pass_event
from walletservice.services.pass_locks import lock_pass_for_update
from walletservice.services.passworks_mapping import FIXED_CODE, PER_PASS_CODE, SEQUENTIAL, campaign_setting
from walletservice.services.update_tags import mark_passes_changed

# Passworks' codes: "0000001"; wider once a campaign passes 9,999,999 passes.
SEQUENTIAL_CODE_DIGITS = 7
RANDOM_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a till
RANDOM_CODE_LENGTH = 10

REDEEM_FILTERS = FilterSpec({
    "id": Attribute(Redeem.id, str),
    "pass_id": Attribute(Redeem.pass_id, str),
    "redeem_code": Attribute(Redeem.redeem_code, str),
    "comment": Attribute(Redeem.comment, str),
    "created_at": Attribute(Redeem.created_at, dt.datetime),
    "reset_at": Attribute(Redeem.reset_at, dt.datetime),
}, tiebreaker=Redeem.id)


@dataclass(frozen=True)
class RedeemOutcome:
    pass_: Pass
    push_id: str | None


# -- assigning codes at pass creation ---------------------------------------------------

def assign_redeem_code(session: Session, campaign: Campaign, attributes: Mapping[str, Any]) -> str:
    """The new pass's code by the campaign's code_type."""
    code_type = campaign_setting(campaign.settings, "code_type")
    if code_type == FIXED_CODE:
        return str(campaign_setting(campaign.settings, "code_fixed_value"))
    if code_type == PER_PASS_CODE:
        return _per_pass_code(session, campaign, attributes)
    return next_sequential_code(session, campaign)


def next_sequential_code(session: Session, campaign: Campaign) -> str:
    """Increment the campaign's counter in the database (the row stays locked until
    commit), so concurrent creations never share a number."""
    table = Campaign.__table__
    number = session.execute(
        update(table).where(table.c.id == campaign.id)
        # Keep updated_at: issuing a pass does not change the campaign.
        .values(last_redeem_code=table.c.last_redeem_code + 1, updated_at=table.c.updated_at)
        .returning(table.c.last_redeem_code)
    ).scalar_one()
    return f"{number:0{SEQUENTIAL_CODE_DIGITS}d}"


def _per_pass_code(session: Session, campaign: Campaign, attributes: Mapping[str, Any]) -> str:
    requested = attributes.get("redeem_code") or (attributes.get("barcode") or {}).get("message")
    if not requested:
        return "".join(secrets.choice(RANDOM_CODE_ALPHABET) for _ in range(RANDOM_CODE_LENGTH))
    # Fixed codes repeat by design, so no unique index: simultaneous creations asking
    # for one code take turns here, and the second sees the first's pass.
    lock_until_commit(session, "redeem_code", campaign.id, str(requested))
    taken = session.scalar(select(exists().where(Pass.campaign_id == campaign.id, Pass.redeem_code == requested)))
    if taken:
        raise InvalidInput("redeem_code: another pass of the campaign has this code")
    return str(requested)


def check_code_settings(settings: Mapping[str, Any]) -> None:
    if settings.get("code_type", SEQUENTIAL) == FIXED_CODE and not settings.get("code_fixed_value"):
        raise InvalidInput("code_fixed_value: required when code_type is fixed")


# -- redeeming --------------------------------------------------------------------------

def find_pass_by_code(session: Session, campaign: Campaign, redeem_code: str) -> Pass:
    found = session.scalars(
        select(Pass).where(Pass.organization_id == campaign.organization_id, Pass.campaign_id == campaign.id,
                           Pass.redeem_code == redeem_code).limit(2)
    ).all()
    if not found:
        raise NotFound("pass not found")
    if len(found) > 1:  # code_type fixed: every pass has this code
        raise StateConflict("several passes share this redeem code (code_type fixed); use the pass id")
    return found[0]


def redeem_pass(session: Session, campaign: Campaign, pass_: Pass, comment: str | None = None) -> RedeemOutcome:
    """Count a redeem; without allow_multiple_redeems the pass is voided (and pushed)."""
    pass_ = lock_pass_for_update(session, pass_)
    multiple = bool(campaign_setting(campaign.settings, "allow_multiple_redeems"))
    if pass_.redeemed_count and not multiple:
        raise StateConflict("the pass was already redeemed; reset_redeem allows a new redeem")
    if pass_.voided:
        raise StateConflict("the pass is voided; it cannot be redeemed")
    now = utcnow()
    pass_.redeemed_count += 1
    pass_.redeemed_at = now
    session.add(Redeem(organization_id=pass_.organization_id, campaign_id=pass_.campaign_id, pass_id=pass_.id,
                       redeem_code=pass_.redeem_code, comment=comment, created_at=now))
    push_id = None if multiple else _set_voided(session, pass_, True)
    record_pass_event(session, "redeemed", pass_, details={"comment": comment} if comment else None)
    session.flush()
    return RedeemOutcome(pass_, push_id)


def reset_redeem(session: Session, pass_: Pass) -> RedeemOutcome:
    """Un-void the pass and start its redeem count again; past redeems stay listed
    with `reset_at` set."""
    pass_ = lock_pass_for_update(session, pass_)
    now = utcnow()
    session.execute(
        update(Redeem).where(Redeem.pass_id == pass_.id, Redeem.reset_at.is_(None)).values(reset_at=now)
    )
    pass_.redeemed_count = 0
    pass_.redeemed_at = None
    push_id = _set_voided(session, pass_, False) if pass_.voided else None
    session.flush()
    return RedeemOutcome(pass_, push_id)


def _set_voided(session: Session, pass_: Pass, voided: bool) -> str:
    """Change only the void flag (not a merge with the campaign) and push the change."""
    pass_.values = {**pass_.values, "voided": voided}
    pass_.content = {**pass_.content, "voided": voided}
    pass_.voided = voided
    mark_passes_changed(session, [pass_])
    return enqueue_pass_push(session, pass_.organization_id, [pass_.id]).id


# -- listing ----------------------------------------------------------------------------

def redeems_of_campaign(campaign: Campaign) -> Select[tuple[Redeem]]:
    return select(Redeem).where(Redeem.organization_id == campaign.organization_id,
                                Redeem.campaign_id == campaign.id)


def redeems_of_pass(pass_: Pass) -> Select[tuple[Redeem]]:
    return select(Redeem).where(Redeem.organization_id == pass_.organization_id, Redeem.pass_id == pass_.id)
