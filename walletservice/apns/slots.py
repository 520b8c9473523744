"""Stream slots: how many requests may be in flight on one HTTP/2 connection."""

from __future__ import annotations

import asyncio
import collections


class StreamSlots:
    """A counting gate whose limit the server may change at any time (SETTINGS).

    Waiters are served in arrival order. After `fail(exc)` every waiter, and every
    later `acquire`, raises `exc`.
    """

    def __init__(self) -> None:
        self.open = 0
        self._limit = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._failure: BaseException | None = None

    def set_limit(self, limit: int) -> None:
        self._limit = limit
        self._wake()

    def try_acquire(self) -> bool:
        """Take a slot without waiting, if one is free and nobody queues before us."""
        if self.open < self._limit and not self._waiters and self._failure is None:
            self.open += 1
            return True
        return False

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        requeue = False
        while self._failure is None and (self.open >= self._limit or (self._waiters and not requeue)):
            waiter = loop.create_future()
            if requeue:
                self._waiters.appendleft(waiter)  # woken but beaten to the slot: keep our place
            else:
                self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                self._leave(waiter)
                raise
            requeue = True
        if self._failure is not None:
            raise self._failure
        self.open += 1

    def release(self) -> None:
        self.open -= 1
        if self._waiters and self.open < self._limit:
            self._wake()

    def fail(self, failure: BaseException) -> None:
        self._failure = failure
        self.open = 0
        waiters, self._waiters = self._waiters, collections.deque()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _wake(self) -> None:
        free = self._limit - self.open
        while free > 0 and self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                free -= 1

    def _leave(self, waiter: asyncio.Future[None]) -> None:
        if waiter.done() and not waiter.cancelled():
            self._wake()  # we were woken but leave: pass the turn on
        else:
            try:
                self._waiters.remove(waiter)
            except ValueError:
                pass
