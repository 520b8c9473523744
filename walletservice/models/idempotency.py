"""Idempotency keys of integrator POSTs and the answers they replay (services.idempotency)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base, JSONType, new_uuid, utcnow


class IdempotencyKey(Base):
    """One row per (organization, route, key) while the key is remembered (24 hours).

    The unique constraint decides which of two concurrent requests with one key runs:
    the other's insert fails (PostgreSQL makes it wait for the first insert's commit,
    SQLite's write transactions run one at a time) and it reads the row instead.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("organization_id", "route", "key_digest"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    route: Mapped[str] = mapped_column(String(255))  # the Flask endpoint, e.g. "v2.create_pass_generics"
    # SHA-256 of the client's key: the key itself is not kept.
    key_digest: Mapped[str] = mapped_column(String(64))
    # SHA-256 of method, path, query and body: the same key with another request is refused.
    request_digest: Mapped[str] = mapped_column(String(64))
    # "running" until the answer is stored, then "done".
    state: Mapped[str] = mapped_column(String(16))
    status_code: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[dict[str, str] | None] = mapped_column(JSONType)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
