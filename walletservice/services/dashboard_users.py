"""People who sign in to the operator dashboard: creating them, their passwords and
signing in (Flask-free; docs/dashboard.md).

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second
recommended setting). Attempts are counted and locked per e-mail address typed and per
client address (so one machine cannot try a few passwords on each of many e-mail
addresses), by the same mechanism as download PINs (services.attempt_limits).

A sign-in is three steps, so that no database transaction or connection is held while a
password is hashed (64 MiB and ~0.1 s each, and anyone may ask for one): count the
attempt (committed, and the lock taken before the last allowed comparison), compare
with no transaction open and at most HASHING_AT_ONCE comparisons per process, then
forget the count on success.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import threading
from dataclasses import dataclass, replace
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput, NotFound
from walletservice.models import DashboardSignInAddressAttempts, DashboardSignInAttempts, DashboardUser, Organization
from walletservice.models.dashboard import ROLES
from walletservice.services.attempt_limits import (
    AttemptPolicy,
    count_attempt,
    forget_attempts,
    lock_after_failure,
)

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024  # argon2 takes any length; a megabyte "password" is only a cost
MAX_EMAIL_CHARS = 320
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_hasher = PasswordHasher()
# Compared against when the address is unknown, so an unknown address costs the same time.
_UNKNOWN_USER_HASH = _hasher.hash("no user has this password")
# Each comparison takes 64 MiB: a flood of sign-ins waits for these rather than the memory.
HASHING_AT_ONCE = 2
HASHING_WAIT_SECONDS = 10
_hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)


@dataclass(frozen=True)
class SignIn:
    """What one submitted e-mail and password led to ("busy": too many sign-ins at once)."""

    outcome: Literal["signed_in", "wrong", "locked", "busy"]
    user: DashboardUser | None = None
    retry_after: int = 0


@dataclass(frozen=True)
class CountedSignIn:
    """Step 1's answer: the attempt is counted; compare against `password_hash` unless locked."""

    email: str
    user_id: str | None = None
    password_hash: str = _UNKNOWN_USER_HASH
    locked_for: int = 0  # locked before this attempt: refuse without comparing
    locks_on_failure: int = 0  # this was the last allowed attempt: the lock already taken, if wrong
    address: str | None = None  # the client address counted, as address_key made it
    address_locked_now: bool = False  # this attempt took the client address's lock


@dataclass(frozen=True)
class AddressLimit:
    """The client's address (request_client_address) and its allowance."""

    address: str
    policy: AttemptPolicy


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
    user.session_epoch = (user.session_epoch or 0) + 1  # sessions begun with the old password end
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


def count_sign_in(session: Session, email: str, policy: AttemptPolicy, now: dt.datetime,
                  client: AddressLimit | None = None) -> CountedSignIn:
    """Step 1, in its own transaction: count the attempt; the caller commits.

    Counted for the client address first, then for the e-mail address typed (always in
    this order, so two sign-ins never wait on each other's rows the other way round). An
    address locked refuses before the e-mail is counted. The attempt that uses up an
    allowance takes the lock here, before its comparison, so concurrent attempts after it
    are refused even while it is being compared; a right password lifts it in step 3."""
    email = email.strip().lower()[:MAX_EMAIL_CHARS]
    if client is None:
        return _count_for_email(session, email, policy, now)
    address = address_key(client.address)
    table = DashboardSignInAddressAttempts.__table__
    counted = count_attempt(session, table, address, now)
    if counted.seconds_locked(now):
        return CountedSignIn(email, locked_for=counted.seconds_locked(now))
    address_lock = lock_after_failure(session, table, address, counted, client.policy, now)
    found = _count_for_email(session, email, policy, now)
    return replace(found, locks_on_failure=max(found.locks_on_failure, address_lock), address=address,
                   address_locked_now=address_lock > 0)


def _count_for_email(session: Session, email: str, policy: AttemptPolicy, now: dt.datetime) -> CountedSignIn:
    if _CONTROL.search(email):
        return CountedSignIn(email)  # no address holds one, and PostgreSQL text cannot hold NUL
    table = DashboardSignInAttempts.__table__
    counted = count_attempt(session, table, email, now)
    if counted.seconds_locked(now):
        return CountedSignIn(email, locked_for=counted.seconds_locked(now))
    locks_on_failure = lock_after_failure(session, table, email, counted, policy, now)
    user = session.scalar(select(DashboardUser).where(DashboardUser.email == email))
    if user is None or user.disabled_at is not None:
        return CountedSignIn(email, locks_on_failure=locks_on_failure)
    return CountedSignIn(email, user.id, user.password_hash, locks_on_failure=locks_on_failure)


def address_key(address: str) -> str:
    """What a client is counted by: its IPv4 address, or its IPv6 /64 (one subscriber's
    network holds 2**64 addresses, each of which would otherwise start a new count)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def compare_password(counted: CountedSignIn, password: str) -> SignIn:
    """Step 2, with no transaction open: the comparison (a dummy one for unknown addresses)."""
    if counted.locked_for:
        return SignIn("locked", retry_after=counted.locked_for)
    if not _hashing.acquire(timeout=HASHING_WAIT_SECONDS):
        return SignIn("busy", retry_after=1)
    try:
        matched = _password_matches(counted.password_hash, password) and counted.user_id is not None
    finally:
        _hashing.release()
    if matched:
        return SignIn("signed_in")
    if counted.locks_on_failure:
        return SignIn("locked", retry_after=counted.locks_on_failure)
    return SignIn("wrong")


def finish_sign_in(session: Session, counted: CountedSignIn, compared: SignIn) -> SignIn:
    """Step 3, in its own transaction: after a right password, the e-mail's count starts
    again, the client address's attempt is taken back, and the user is read once more
    (disabled meanwhile: no sign-in)."""
    if compared.outcome != "signed_in" or counted.user_id is None:
        return compared
    if counted.address is not None:  # the address's row first, as in step 1
        _take_back_address_attempt(session, counted.address, counted.address_locked_now)
    forget_attempts(session, DashboardSignInAttempts.__table__, counted.email)
    user = active_user(session, counted.user_id)
    return SignIn("signed_in", user) if user is not None else SignIn("wrong")


def _take_back_address_attempt(session: Session, address: str, took_the_lock: bool) -> None:
    """A right password un-counts its own attempt, and only that: clearing the address's
    count would let anyone holding one account reset it between guesses at others."""
    table = DashboardSignInAddressAttempts
    values: dict[str, object] = {"failures": case((table.failures > 0, table.failures - 1), else_=0)}
    if took_the_lock:
        values.update(locked_until=None, lockouts=case((table.lockouts > 0, table.lockouts - 1), else_=0))
    session.execute(update(table).where(table.address == address).values(values))


def end_sessions(session: Session, user_id: str) -> None:
    """Every session of the user ends (signing out, a new password): their epoch moves on."""
    session.execute(update(DashboardUser).where(DashboardUser.id == user_id)
                    .values(session_epoch=DashboardUser.session_epoch + 1))


def _password_matches(password_hash: str, password: str) -> bool:
    """A dummy hash stands in when there is no such user (or it is disabled), so the
    answer takes as long as for a wrong password."""
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
