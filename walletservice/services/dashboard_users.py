"""People who sign in to the operator dashboard: creating them, their passwords and
signing in (Flask-free; docs/dashboard.md).

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second
recommended setting). Wrong passwords are counted and locked per address typed, by the
same mechanism as download PINs (services.attempt_limits).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput, NotFound
from walletservice.models import DashboardSignInAttempts, DashboardUser, Organization
from walletservice.models.dashboard import ROLES
from walletservice.services.attempt_limits import AttemptPolicy, count_attempt, forget_attempts, lock_after_failure

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024  # argon2 takes any length; a megabyte "password" is only a cost
MAX_EMAIL_CHARS = 320
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_hasher = PasswordHasher()
# Compared against when the address is unknown, so an unknown address costs the same time.
_UNKNOWN_USER_HASH = _hasher.hash("no user has this password")


@dataclass(frozen=True)
class SignIn:
    """What one submitted e-mail and password led to."""

    outcome: Literal["signed_in", "wrong", "locked"]
    user: DashboardUser | None = None
    retry_after: int = 0


def normalized_email(email: str) -> str:
    email = email.strip().lower()
    if not email or "@" not in email or len(email) > MAX_EMAIL_CHARS or _CONTROL.search(email):
        raise InvalidInput("email: expected an e-mail address")
    return email


def create_user(session: Session, email: str, organization_id: str, role: str, password: str) -> DashboardUser:
    email = normalized_email(email)
    if role not in ROLES:
        raise InvalidInput(f"role: expected one of {', '.join(ROLES)}")
    _check_password(password)
    if session.get(Organization, organization_id) is None:
        raise NotFound("organization not found")
    if find_user(session, email) is not None:
        raise InvalidInput("email: a dashboard user has this address already")
    user = DashboardUser(email=email, organization_id=organization_id, role=role,
                         password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: DashboardUser, password: str) -> None:
    _check_password(password)
    user.password_hash = _hasher.hash(password)
    session.flush()


def _check_password(password: str) -> None:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise InvalidInput(f"password: {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters")


def find_user(session: Session, email: str) -> DashboardUser | None:
    return session.scalar(select(DashboardUser).where(DashboardUser.email == normalized_email(email)))


def list_users(session: Session, organization_id: str | None = None) -> list[DashboardUser]:
    query = select(DashboardUser).order_by(DashboardUser.organization_id, DashboardUser.email)
    if organization_id is not None:
        query = query.where(DashboardUser.organization_id == organization_id)
    return list(session.scalars(query))


def disable_user(session: Session, email: str, now: dt.datetime) -> DashboardUser:
    """Signs the user out everywhere too: a session is honoured only while its user is enabled."""
    user = session.scalar(select(DashboardUser).where(DashboardUser.email == normalized_email(email))
                          .with_for_update())  # the single-writer transaction on SQLite
    if user is None:
        raise NotFound("dashboard user not found")
    if user.disabled_at is None:
        user.disabled_at = now
    return user


def active_user(session: Session, user_id: str) -> DashboardUser | None:
    """The user a session names, while that user may still sign in."""
    user = session.get(DashboardUser, user_id)
    return user if user is not None and user.disabled_at is None else None


def sign_in(session: Session, email: str, password: str, policy: AttemptPolicy, now: dt.datetime) -> SignIn:
    """Count the attempt, then compare; the caller commits (the count must outlive a wrong answer)."""
    email = email.strip().lower()[:MAX_EMAIL_CHARS]
    if _CONTROL.search(email):
        return SignIn("wrong")  # no address holds one, and PostgreSQL text cannot hold NUL
    table = DashboardSignInAttempts.__table__
    counted = count_attempt(session, table, email, now)
    if counted.seconds_locked(now):
        return SignIn("locked", retry_after=counted.seconds_locked(now))
    user = session.scalar(select(DashboardUser).where(DashboardUser.email == email))
    enabled = user if user is not None and user.disabled_at is None else None
    if _password_matches(enabled, password) and enabled is not None:
        forget_attempts(session, table, email)
        return SignIn("signed_in", enabled)
    locked_for = lock_after_failure(session, table, email, counted, policy, now)
    return SignIn("locked", retry_after=locked_for) if locked_for else SignIn("wrong")


def _password_matches(user: DashboardUser | None, password: str) -> bool:
    """Compared against a dummy hash when there is no such user (or it is disabled), so
    the answer takes as long as for a wrong password."""
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        return _hasher.verify(user.password_hash if user else _UNKNOWN_USER_HASH, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False
