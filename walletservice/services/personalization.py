"""Rewards enrollment: POST /v1/passes/{type}/{serial}/personalize (digest 1.4.6)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.errors import BadRequest
from walletservice.models import Pass, Personalization
from walletservice.models.base import utcnow
from walletservice.passkit.signing import sign_personalization_token
from walletservice.services.certificates import Signer
from walletservice.services.update_tags import mark_passes_changed

PERSONALIZATION_INFO_KEYS = frozenset(
    {"fullName", "givenName", "familyName", "emailAddress", "postalCode", "ISOCountryCode", "phoneNumber"}
)
MAX_VALUE_CHARS = 512


def parse_personalization(payload: object) -> tuple[str, dict[str, str]]:
    if not isinstance(payload, dict):
        raise BadRequest("body must be a JSON object")
    token = payload.get("personalizationToken")
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise BadRequest("personalizationToken must be a non-empty string")
    info = payload.get("requiredPersonalizationInfo", {})
    if not isinstance(info, dict):
        raise BadRequest("requiredPersonalizationInfo must be an object")
    unknown = sorted(set(info) - PERSONALIZATION_INFO_KEYS)
    if unknown:
        raise BadRequest(f"unknown requiredPersonalizationInfo keys: {', '.join(unknown)}")
    for key, value in info.items():
        if not isinstance(value, str) or len(value) > MAX_VALUE_CHARS:
            raise BadRequest(f"{key} must be a string of at most {MAX_VALUE_CHARS} characters")
    return token, dict(info)


def personalize_pass(session: Session, pass_: Pass, payload: object, signer: Signer) -> bytes:
    """Store the enrollment data, drop personalization.json from the pass, sign the token."""
    token, info = parse_personalization(payload)
    record = session.execute(
        select(Personalization).where(Personalization.pass_id == pass_.id)
    ).scalar_one_or_none()
    if record is None:
        record = Personalization(pass_id=pass_.id, personalization_token=token, data=info)
        session.add(record)
    else:
        record.personalization_token, record.data = token, info
    pass_.personalized_at = utcnow()
    mark_passes_changed(session, [pass_])
    return sign_personalization_token(token.encode("utf-8"), signer.identity)
