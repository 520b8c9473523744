"""The operator dashboard's people, their guessed passwords and what they changed
(services.dashboard_users, services.audit_log)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base, BigIntegerKey, new_uuid, utcnow

ROLES = ("owner", "editor", "viewer")


class DashboardUser(Base):
    """A person who signs in at /dashboard, in one organization with one role."""

    __tablename__ = "dashboard_users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    # Stored folded to lower case: the sign-in form finds the user by it.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id, with its parameters and salt
    role: Mapped[str] = mapped_column(String(16))
    disabled_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Sessions carry the epoch they began in; signing out or a new password moves it on,
    # which ends every session of the user, copied cookies included (dashboard.access).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DashboardSignInAttempts(Base):
    """Wrong passwords per e-mail address since the last right one (services.attempt_limits).

    Keyed by the address typed, whether or not a user has it, so the answer and the
    lock never tell which addresses exist."""

    __tablename__ = "dashboard_sign_in_attempts"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None]
    lockouts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Anyone may type any address, so rows are pruned a day after their last attempt
    # (scheduling.housekeeping.prune_sign_in_attempts); indexed for that delete.
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(index=True)


class DashboardSignInAddressAttempts(Base):
    """Sign-in attempts per client address (services.dashboard_users): the per-e-mail count
    alone lets one machine try a few passwords on each of many addresses. Same columns
    and mechanism as DashboardSignInAttempts; an IPv6 client is counted by its /64."""

    __tablename__ = "dashboard_sign_in_address_attempts"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None]
    lockouts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Pruned a day after the last attempt, as the per-address-typed counts.
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(index=True)


class DashboardAuditEntry(Base):
    """One change made in the dashboard: who, what, when, the object before and after."""

    __tablename__ = "dashboard_audit_entries"
    __table_args__ = (Index("ix_dashboard_audit_entries_organization_at", "organization_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE")
    )
    # The user's address is copied: the entry keeps saying who after the user is gone.
    user_id: Mapped[str | None] = mapped_column(String(36))
    user_email: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


__all__ = ["DashboardAuditEntry", "DashboardSignInAttempts", "DashboardUser", "ROLES"]
