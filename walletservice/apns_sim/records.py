"""What the simulator remembers about each request it received."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PushRecord:
    """One request as the simulator saw it, and what it answered.

    `status` is None when a fault dropped the connection instead of answering.
    `received_at` is epoch seconds.
    """

    token: str
    topic: str | None
    headers: dict[str, str]
    payload: bytes
    received_at: float
    status: int | None
    reason: str | None
    connection_id: int
    stream_id: int
