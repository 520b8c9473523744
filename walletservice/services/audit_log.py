"""The dashboard's audit log: who changed what, when, and the object before and after
(Flask-free). Written in the same transaction as the change, so neither exists alone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.models import DashboardAuditEntry, DashboardUser

RECENT_ENTRIES = 200


def record_change(session: Session, user: DashboardUser, action: str, target_type: str, target_id: str,
                  before: dict[str, Any] | None, after: dict[str, Any] | None) -> DashboardAuditEntry:
    entry = DashboardAuditEntry(organization_id=user.organization_id, user_id=user.id, user_email=user.email,
                                action=action, target_type=target_type, target_id=target_id,
                                before=before, after=after)
    session.add(entry)
    session.flush()
    return entry


def recent_changes(session: Session, organization_id: str, limit: int = RECENT_ENTRIES) -> list[DashboardAuditEntry]:
    """Newest first, read through the (organization_id, occurred_at) index."""
    return list(session.scalars(
        select(DashboardAuditEntry).where(DashboardAuditEntry.organization_id == organization_id)
        .order_by(DashboardAuditEntry.occurred_at.desc(), DashboardAuditEntry.id.desc()).limit(limit)))
