"""Organizations and API keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Select, func, select, or_
from sqlalchemy.orm import Session

from walletservice.db import lock_for_update
from walletservice.errors import InvalidInput, NotAuthorized, StateConflict
from walletservice.models import ApiKey, Organization
from walletservice.models.base import utcnow
from walletservice.services.collection_filters import Attribute, FilterSpec
from walletservice.services.lookups import one_or_not_found

API_KEY_PREFIX = "wsk_"
# Passworks' initial limit of child organizations per organization (organizations.md).
MAX_CHILD_ORGANIZATIONS = 10

ORGANIZATION_FILTERS = FilterSpec({
    "id": Attribute(Organization.id, str),
    "name": Attribute(Organization.name, str),
    "created_at": Attribute(Organization.created_at, dt.datetime),
    "updated_at": Attribute(Organization.updated_at, dt.datetime),
}, tiebreaker=Organization.id)


@dataclass(frozen=True)
class IssuedKey:
    organization: Organization
    api_key: str  # shown once; only its hash is stored
    key_id: str | None = None  # the stored key's row, for an audit entry that never holds the key


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def create_organization(session: Session, name: str, parent_id: str | None = None) -> IssuedKey:
    name = (name or "").strip()
    if not name or len(name) > 255 or "\x00" in name:
        raise InvalidInput("name must be 1 to 255 characters, without NUL")
    organization = Organization(name=name, parent_id=parent_id)
    session.add(organization)
    session.flush()
    return issue_api_key(session, organization)


def issue_api_key(session: Session, organization: Organization) -> IssuedKey:
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(organization_id=organization.id, key_hash=hash_api_key(api_key))
    session.add(key)
    session.flush()
    return IssuedKey(organization, api_key, key.id)


def revoke_api_keys(session: Session, organization: Organization) -> None:
    for key in organization.api_keys:
        if key.revoked_at is None:
            key.revoked_at = utcnow()
    session.flush()


def organization_api_keys(session: Session, organization_id: str) -> list[ApiKey]:
    """Every key of the organization, revoked ones too, newest first (hashes only)."""
    return list(session.scalars(select(ApiKey).where(ApiKey.organization_id == organization_id)
                                .order_by(ApiKey.created_at.desc(), ApiKey.id)))


def revoke_api_key(session: Session, organization_id: str, key_id: str) -> ApiKey | None:
    """Revoke one key of the organization; None when it holds no such key, StateConflict
    when it is revoked already. The row is locked before it is read, so two revocations
    at once record one time."""
    key = session.scalars(select(ApiKey).where(ApiKey.id == key_id, ApiKey.organization_id == organization_id)
                          .with_for_update()).one_or_none()
    if key is None:
        return None
    if key.revoked_at is not None:
        raise StateConflict("this API key is revoked already")
    key.revoked_at = utcnow()
    session.flush()
    return key


def authenticate_api_key(session: Session, api_key: str, account_id: str | None = None) -> Organization:
    """The organization owning an active key; with Basic auth the account id must match too."""
    return authenticated_key(session, api_key, account_id).organization


def authenticated_key(session: Session, api_key: str, account_id: str | None = None) -> ApiKey:
    """The active key `api_key` is; with Basic auth its organization must be `account_id`."""
    key = session.execute(
        select(ApiKey).where(ApiKey.key_hash == hash_api_key(api_key), ApiKey.revoked_at.is_(None))
    ).scalar_one_or_none()
    if key is None or (account_id is not None and key.organization_id != account_id):
        raise NotAuthorized("invalid API key")
    return key


def find_organization_by_name(session: Session, name: str) -> Organization | None:
    return session.execute(
        select(Organization).where(Organization.name == name).order_by(Organization.created_at)
    ).scalars().first()


def children_of(parent_id: str) -> Select[tuple[Organization]]:
    return select(Organization).where(Organization.parent_id == parent_id)


def create_child_organization(session: Session, parent_id: str, name: str) -> IssuedKey:
    """A new organization under the caller, with its first API key (shown once)."""
    # Locking the parent serializes concurrent creations, so the limit holds.
    session.execute(select(Organization.id).where(Organization.id == parent_id).with_for_update())
    count = session.scalar(select(func.count()).select_from(children_of(parent_id).subquery()))
    if (count or 0) >= MAX_CHILD_ORGANIZATIONS:
        raise StateConflict(f"an organization may have at most {MAX_CHILD_ORGANIZATIONS} child organizations")
    return create_organization(session, name, parent_id=parent_id)


def refresh_child_api_key(session: Session, parent_id: str, child_id: str) -> IssuedKey:
    """Revoke every key of a child organization and issue a new one."""
    child = one_or_not_found(session, children_of(parent_id).where(Organization.id == child_id), "organization")
    # Two refreshes at once: the second waits, then revokes the first's new key (one key works).
    child = lock_for_update(child)
    revoke_api_keys(session, child)
    child.updated_at = utcnow()
    return issue_api_key(session, child)


def organization_in_reach(session: Session, caller_id: str, organization_id: str) -> Organization:
    """The caller itself or one of its child organizations; anything else is not found."""
    statement = select(Organization).where(Organization.id == organization_id, or_(
        Organization.id == caller_id, Organization.parent_id == caller_id))
    return one_or_not_found(session, statement, "organization")
