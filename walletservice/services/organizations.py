"""Organizations and API keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput, NotAuthorized
from walletservice.models import ApiKey, Organization
from walletservice.models.base import utcnow

API_KEY_PREFIX = "wsk_"


@dataclass(frozen=True)
class IssuedKey:
    organization: Organization
    api_key: str  # shown once; only its hash is stored


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def create_organization(session: Session, name: str, parent_id: str | None = None) -> IssuedKey:
    name = (name or "").strip()
    if not name or len(name) > 255:
        raise InvalidInput("name must be 1 to 255 characters")
    organization = Organization(name=name, parent_id=parent_id)
    session.add(organization)
    session.flush()
    return issue_api_key(session, organization)


def issue_api_key(session: Session, organization: Organization) -> IssuedKey:
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(organization_id=organization.id, key_hash=hash_api_key(api_key)))
    session.flush()
    return IssuedKey(organization, api_key)


def revoke_api_keys(session: Session, organization: Organization) -> None:
    for key in organization.api_keys:
        if key.revoked_at is None:
            key.revoked_at = utcnow()
    session.flush()


def authenticate_api_key(session: Session, api_key: str, account_id: str | None = None) -> Organization:
    """The organization owning an active key; with Basic auth the account id must match too."""
    key = session.execute(
        select(ApiKey).where(ApiKey.key_hash == hash_api_key(api_key), ApiKey.revoked_at.is_(None))
    ).scalar_one_or_none()
    if key is None or (account_id is not None and key.organization_id != account_id):
        raise NotAuthorized("invalid API key")
    return key.organization


def find_organization_by_name(session: Session, name: str) -> Organization | None:
    return session.execute(
        select(Organization).where(Organization.name == name).order_by(Organization.created_at)
    ).scalars().first()
