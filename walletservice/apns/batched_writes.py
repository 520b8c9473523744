"""Coalesced HTTP/2 output, shared by the client and the simulator."""

from __future__ import annotations

import asyncio

import h2.connection


class BatchedWrites:
    """One transport.write per loop turn for every frame produced in it.

    Hosts set `_h2`, `_transport`, `_loop`, `_flush_pending` and `_unflushed`.
    """

    _h2: h2.connection.H2Connection
    _transport: asyncio.Transport | None
    _loop: asyncio.AbstractEventLoop
    _flush_pending: bool
    _unflushed: int

    def _schedule_flush(self) -> None:
        if not self._flush_pending:
            self._flush_pending = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        self._unflushed = 0
        data = self._h2.data_to_send()
        if data and self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)
