"""What the v1 routes do, in one place for the five types and /v1/loyalty: the same
service calls the v2 routes make, with v1's reading of a field sent without a value."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from walletservice.api.preconditions import current
from walletservice.api.v1.schemas import V1CampaignCreate, V1PassBody
from walletservice.models import Campaign, Organization, Pass, PushRequest
from walletservice.queue.pushes import enqueue_pass_push
from walletservice.runtime import runtime
from walletservice.services import campaigns as campaign_service
from walletservice.services import passes as pass_service
from walletservice.services.push_message import set_push_message

# Read apart from the pass's attributes.
_PASS_FLAGS = {"merge", "push", "push_message"}


def create_campaign(session: Session, organization_id: str, style: str, body: V1CampaignCreate) -> Campaign:
    organization = session.get(Organization, organization_id)
    return campaign_service.create_integrator_campaign(
        session, organization, style, body.model_dump(exclude_unset=True), runtime().certificates)


def campaign_and_pass(session: Session, organization_id: str, style: str, campaign_id: str,
                      pass_id: str) -> tuple[Campaign, Pass]:
    campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
    return campaign, current(session, pass_service.get_campaign_pass(session, campaign, pass_id))


def issue_pass(session: Session, campaign: Campaign, body: V1PassBody) -> Pass:
    # v1 keeps a field key the campaign lacks as the pass's own field (docs/v1-compatibility.md).
    return pass_service.create_integrator_pass(session, campaign, _attributes(body), extra_fields=True)


def update_pass(session: Session, organization_id: str, campaign: Campaign, pass_: Pass,
                body: V1PassBody) -> PushRequest | None:
    """Change the pass; push it unless `push: false` (v1: both flags inside "pass")."""
    # A field sent without "value" keeps its value (v1 store_card.md sends only a new
    # label for `balance`): services.passworks_mapping.pass_values changes only what is sent.
    changed = pass_service.update_integrator_pass(session, campaign, pass_, _attributes(body),
                                                  merge=body.pass_.merge is not False,
                                                  push_message=body.pass_.push_message, extra_fields=True)
    wanted = body.pass_.push is not False and changed  # nothing changed: nothing to push
    return enqueue_pass_push(session, organization_id, [pass_.id]) if wanted else None


def push_pass(session: Session, organization_id: str, pass_: Pass, message: str | None) -> PushRequest:
    if message:
        set_push_message(session, [pass_], message)
    return enqueue_pass_push(session, organization_id, [pass_.id])


def _attributes(body: V1PassBody) -> dict[str, Any]:
    return body.pass_.model_dump(exclude_unset=True, exclude=_PASS_FLAGS)
