"""A synchronous facade over ApnsClient for worker threads."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Iterable

from .client import ApnsClient
from .credentials import Credential
from .responses import PushResult


class BlockingApnsClient:
    """Runs an ApnsClient on its own event loop in a background thread.

    Any number of threads may call `send_batch` at once; their pushes share the
    client's one HTTP/2 connection.
    """

    def __init__(self, base_url: str, credential: Credential, **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._client = ApnsClient(base_url, credential, **options)
        self._thread = threading.Thread(target=self._loop.run_forever, name="apns-client", daemon=True)
        self._thread.start()
        self._closed = False

    @property
    def client(self) -> ApnsClient:
        """The underlying asyncio client (only touch it on this facade's loop)."""
        return self._client

    def send_batch(self, items: Iterable[tuple[str, str]]) -> list[PushResult]:
        """Push (token, topic) pairs; results come back in the order of `items`."""
        if self._closed:
            raise RuntimeError("BlockingApnsClient is closed")
        pairs = list(items)
        return asyncio.run_coroutine_threadsafe(self._collect(pairs), self._loop).result()

    def close(self) -> None:
        """Close the connection and stop the loop thread. Idempotent."""
        if self._closed:
            return
        self._closed = True
        asyncio.run_coroutine_threadsafe(self._client.close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> BlockingApnsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def _collect(self, pairs: list[tuple[str, str]]) -> list[PushResult]:
        results: list[PushResult | None] = [None] * len(pairs)
        async for index, result in self._client._send_indexed(pairs):
            results[index] = result
        return results  # type: ignore[return-value]  # every index is filled
