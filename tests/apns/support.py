"""Constants and small helpers shared by the APNs tests."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Coroutine, TypeVar

PASS_TYPE_ID = "pass.com.example.test"
TEAM_ID = "TEAMID1234"
KEY_ID = "KEYID12345"

T = TypeVar("T")


def device_token(number: int) -> str:
    """A 64-hex-digit push token, distinct per number."""
    return f"{number:064x}"


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one async scenario on a fresh event loop."""
    return asyncio.run(coroutine)


class FakeClock:
    """A settable clock for ProviderTokenSigner."""

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now
