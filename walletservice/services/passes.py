"""Issuing and changing passes."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput
from walletservice.models import Campaign, Pass
from walletservice.passkit.design import PassIdentity, build_pass_json
from walletservice.passkit.errors import PassValidationError
from walletservice.passkit.validation import validate_pass
from walletservice.services.pass_content import apple_design, compose_pass_content
from walletservice.services.update_tags import mark_passes_changed

# Serials and tags end up in URLs: keep them short and URL-safe (Apple best practice).
SERIAL_NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9._~-]{1,64}$")
# Only for validation before the real URL is known; never shipped.
_VALIDATION_URL = "https://validation.invalid/wallet"


def new_authentication_token() -> str:
    # 32 URL-safe characters: Apple requires at least 16.
    return secrets.token_urlsafe(24)


def check_serial_number(serial_number: str) -> str:
    if not isinstance(serial_number, str) or not SERIAL_NUMBER_PATTERN.match(serial_number):
        raise InvalidInput("serial_number must be 1-64 characters of A-Z a-z 0-9 . _ ~ -")
    return serial_number


def check_content(content: Mapping[str, Any], pass_type_identifier: str, team_identifier: str) -> None:
    """Refuse content Wallet would reject, so a stored pass can always be built."""
    identity = PassIdentity(
        pass_type_identifier=pass_type_identifier, team_identifier=team_identifier,
        serial_number="validation", authentication_token="v" * 32, web_service_url=_VALIDATION_URL,
    )
    image_names = [f"{role}.png" for role, asset in (content.get("images") or {}).items() if asset]
    try:
        pass_json = build_pass_json(apple_design(content), identity)
        validate_pass(pass_json, image_names)
    except PassValidationError as exc:
        raise InvalidInput("the pass is not valid for Apple Wallet", details=exc.problems) from None


def issue_pass(
    session: Session,
    campaign: Campaign,
    values: Mapping[str, Any] | None = None,
    *,
    serial_number: str | None = None,
) -> Pass:
    values = dict(values or {})
    content = compose_pass_content(campaign.design, values)
    check_content(content, campaign.pass_type_identifier, campaign.team_identifier)
    pass_ = Pass(
        organization_id=campaign.organization_id,
        campaign_id=campaign.id,
        pass_type_identifier=campaign.pass_type_identifier,
        team_identifier=campaign.team_identifier,
        certificate_id=campaign.certificate_id,
        serial_number=check_serial_number(serial_number or uuid.uuid4().hex),
        authentication_token=new_authentication_token(),
        download_id=secrets.token_urlsafe(24),
        values=values,
        content=content,
        voided=bool(content.get("voided", False)),
    )
    session.add(pass_)
    mark_passes_changed(session, [pass_])
    return pass_


def update_pass_values(
    session: Session, pass_: Pass, campaign: Campaign, values: Mapping[str, Any], *, merge: bool = True
) -> Pass:
    """Change a pass's own values (merged with the current ones unless merge=False)."""
    new_values = {**pass_.values, **values} if merge else dict(values)
    if merge and "fields" in values:
        new_values["fields"] = {**(pass_.values.get("fields") or {}), **(values.get("fields") or {})}
    content = compose_pass_content(campaign.design, new_values)
    check_content(content, pass_.pass_type_identifier, pass_.team_identifier)
    pass_.values = new_values
    pass_.content = content
    pass_.voided = bool(content.get("voided", False))
    mark_passes_changed(session, [pass_])
    return pass_
