"""Background job progress (GET /v2/jobs/{id}): campaign merges, campaign push messages."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from walletservice.api.schemas.common import Timestamp
from walletservice.queue.jobs import JobProgress


class JobProgressResponse(BaseModel):
    id: str
    kind: str = Field(description="e.g. campaign_merge, campaign_push_message.")
    state: str = Field(description="queued, running, done or failed.")
    total: int | None = Field(description="Items to process (passes), when known.")
    processed: int
    failed: int
    errors: list[dict[str, Any]] = Field(description="The first 1,000 per-item errors: {id, error}.")
    result: dict[str, Any] | None
    push_id: str | None = Field(description="The push sent when the job is done: GET /v2/pushes/{push_id}.")
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None

    @classmethod
    def build(cls, progress: JobProgress) -> JobProgressResponse:
        return cls(
            id=progress.id, kind=progress.kind, state=progress.state, total=progress.total,
            processed=progress.processed, failed=progress.failed, errors=progress.errors, result=progress.result,
            push_id=progress.push_request_id, created_at=progress.created_at, started_at=progress.started_at,
            finished_at=progress.finished_at,
        )
