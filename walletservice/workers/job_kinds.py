"""Job kinds and their handlers."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from walletservice.models import BackgroundJob

# Modules whose import registers handlers. Imported by workers, not by the web app,
# so the API does not pay for what only workers run.
HANDLER_MODULES: tuple[str, ...] = (
    "walletservice.jobs.builtin",
    "walletservice.services.campaign_merge",
    "walletservice.services.passcreator.jobs",
)


@dataclass(frozen=True)
class ChunkResult:
    """What one call of a handler did. `cursor` is where the next call starts."""

    cursor: str | None
    processed: int
    done: bool
    failed: int = 0
    # Per-item problems, e.g. [{"id": pass_id, "error": "..."}]; the job keeps the first 1,000.
    errors: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] | None = None
    push_request_id: str | None = None
    # Known after the first chunk for jobs that count their items then.
    total: int | None = None


JobHandler = Callable[[Session, BackgroundJob], ChunkResult]
_HANDLERS: dict[str, JobHandler] = {}


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    def register(handler: JobHandler) -> JobHandler:
        if kind in _HANDLERS and _HANDLERS[kind] is not handler:
            raise RuntimeError(f"two handlers for job kind {kind!r}")
        _HANDLERS[kind] = handler
        return handler
    return register


def handler_for(kind: str) -> JobHandler | None:
    load_handlers()
    return _HANDLERS.get(kind)


def load_handlers() -> None:
    for module in HANDLER_MODULES:
        importlib.import_module(module)
