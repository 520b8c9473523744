"""Rewards enrollment: POST /v1/passes/{type}/{serial}/personalize.

Apple's "Personalize a pass" flow: Wallet shows the signup form of a pass that carries
personalization.json, then posts {"personalizationToken", "requiredPersonalizationInfo"};
the server stores the data and answers with the token signed by the Pass Type ID key.
Apple documents no Authorization on this call, so the endpoint is open to anyone who
knows a serial; what keeps it from being a signing oracle (docs/security.md, "Signers"):
- only a pass that carries personalization.json and is not personalized yet accepts it,
  once (the pass row is locked, so of two concurrent calls one wins);
- the token must look like a device token (a short run of base64/url-safe characters),
  so it can never be a manifest.json, a pass.json or any JSON document.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.errors import BadRequest, StateConflict
from walletservice.models import Pass, Personalization
from walletservice.models.base import utcnow
from walletservice.passkit.signing import sign_personalization_token
from walletservice.services.certificates import Signer
from walletservice.services.pass_locks import lock_pass_for_update
from walletservice.services.update_tags import mark_passes_changed

PERSONALIZATION_INFO_KEYS = frozenset(
    {"fullName", "givenName", "familyName", "emailAddress", "postalCode", "ISOCountryCode", "phoneNumber"}
)
MAX_VALUE_CHARS = 512
# Base64 / base64url / hex and the separators opaque tokens use; no braces, quotes,
# whitespace, commas or colons-with-values a JSON document needs.
DEVICE_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9+/=_.-]{8,1024}")


def awaits_personalization(pass_: Pass) -> bool:
    """The pass ships personalization.json: set through the APIs and not yet used."""
    return bool(pass_.content.get("personalization")) and pass_.personalized_at is None


def parse_personalization(payload: object) -> tuple[str, dict[str, str]]:
    if not isinstance(payload, dict):
        raise BadRequest("body must be a JSON object")
    token = check_device_token(payload.get("personalizationToken"))
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


def check_device_token(token: object) -> str:
    """The token, if it can only be a device's opaque token; BadRequest otherwise."""
    if not isinstance(token, str) or DEVICE_TOKEN_PATTERN.fullmatch(token) is None:
        raise BadRequest("personalizationToken must be 8 to 1024 characters of A-Z a-z 0-9 + / = _ . -")
    if _parses_as_json(token):  # digits only, "Infinity": harmless, but a JSON value is never a device token
        raise BadRequest("personalizationToken must not be a JSON value")
    return token


def _parses_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def personalize_pass(session: Session, pass_: Pass, payload: object, signer: Signer) -> bytes:
    """Store the enrollment data, drop personalization.json from the pass, sign the token.

    StateConflict (nothing changes) when the pass has no personalization.json or was
    personalized already, so a second or late call can neither overwrite the stored
    data nor move the update tag.
    """
    token, info = parse_personalization(payload)
    pass_ = lock_pass_for_update(session, pass_)
    if not pass_.content.get("personalization"):
        raise StateConflict("this pass has no personalization.json")
    if pass_.personalized_at is not None or _has_enrollment(session, pass_):
        raise StateConflict("this pass is personalized already")
    session.add(Personalization(pass_id=pass_.id, personalization_token=token, data=info))
    pass_.personalized_at = utcnow()
    mark_passes_changed(session, [pass_])
    return sign_personalization_token(token.encode("ascii"), signer.identity)


def _has_enrollment(session: Session, pass_: Pass) -> bool:
    return session.execute(
        select(Personalization.id).where(Personalization.pass_id == pass_.id)
    ).first() is not None
