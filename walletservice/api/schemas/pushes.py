"""Push progress (GET /v2/pushes/{id}), like Passcreator's process tracking."""

from __future__ import annotations

from pydantic import BaseModel, Field

from walletservice.api.schemas.common import Timestamp
from walletservice.queue.pushes import PushProgress


class PushProgressResponse(BaseModel):
    id: str
    state: str = Field(description="expanding (finding the devices), sending, or done.")
    total: int = Field(description="Deliveries: one per device push token and pass type.")
    sent: int
    failed: int
    pending: int
    failed_by_reason: dict[str, int] = Field(description="Failed deliveries per APNs reason.")
    created_at: Timestamp | None
    started_at: Timestamp | None
    finished_at: Timestamp | None

    @classmethod
    def build(cls, progress: PushProgress) -> PushProgressResponse:
        return cls(
            id=progress.id, state=progress.state, total=progress.total, sent=progress.sent,
            failed=progress.failed, pending=progress.pending, failed_by_reason=progress.failed_by_reason,
            created_at=progress.created_at, started_at=progress.started_at, finished_at=progress.finished_at,
        )
