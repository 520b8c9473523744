"""Durable background jobs: work an API call accepted but must not do in the request
(campaign merge, Passcreator async creation and bulk updates).

A job is written in the transaction that accepts it. Workers lease it, process it
in chunks from `cursor` on, and commit progress with each chunk, so a crashed
worker's job is picked up where it stopped. Passcreator's /process/{id} is a job.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from walletservice.models.base import Base, JSONType, new_uuid, utcnow


class BackgroundJob(Base):
    __tablename__ = "background_jobs"
    __table_args__ = (Index("ix_background_jobs_state_lease", "state", "lease_expires_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    organization_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    # The handler's name, e.g. "campaign_merge" (walletservice/workers/job_kinds.py).
    kind: Mapped[str] = mapped_column(String(48))
    payload: Mapped[dict[str, Any]]
    # queued -> running -> done | failed
    state: Mapped[str] = mapped_column(String(16), default="queued")
    # Where the next chunk starts (handler-defined, e.g. the last pass id done).
    cursor: Mapped[str | None]
    total: Mapped[int | None] = mapped_column(Integer)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # Per-item errors, bounded by the handler: [{"id": ..., "error": ...}].
    errors: Mapped[list[Any] | None] = mapped_column(JSONType)
    # What the job produced: e.g. {"pass_id": ...}, or the push it queued.
    result: Mapped[dict[str, Any] | None]
    push_request_id: Mapped[str | None] = mapped_column(String(36))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # How many times a worker has claimed the job (a retry, a takeover after a crash, a hand-back):
    # work started under one claim can tell when another claim continues it (services.google_messages).
    claims: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
