"""Campaigns: the design every pass of one kind starts from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput
from walletservice.models import Campaign, Organization, SigningCertificate
from walletservice.passkit.design import STYLES
from walletservice.services.certificates import Signer


def create_campaign(
    session: Session,
    organization: Organization,
    *,
    name: str,
    design: Mapping[str, Any],
    signer: Signer,
    certificate: SigningCertificate | None = None,
) -> Campaign:
    style = design.get("style")
    if style not in STYLES:
        raise InvalidInput(f"style must be one of {', '.join(STYLES)}")
    campaign = Campaign(
        organization_id=organization.id,
        name=name,
        style=style,
        certificate_id=certificate.id if certificate else None,
        pass_type_identifier=signer.pass_type_identifier,
        team_identifier=signer.team_identifier,
        design=dict(design),
    )
    session.add(campaign)
    session.flush()
    return campaign
