"""The one retry policy of durable work: exponential backoff with jitter, bounded attempts."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Attempt n (counted from 1) failed: wait delay(n), unless n reached max_attempts."""

    max_attempts: int = 5
    base_delay_seconds: float = 2.0
    max_delay_seconds: float = 900.0

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        ceiling = min(self.max_delay_seconds, self.base_delay_seconds * 2 ** max(attempts - 1, 0))
        # "Equal jitter": at least half the backoff, so retries never bunch at zero.
        return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)

    def gives_up(self, attempts: int) -> bool:
        return attempts >= self.max_attempts
