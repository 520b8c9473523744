"""One long-lived HTTP/2 connection to APNs: `h2` driven directly over asyncio + TLS.

The hot path is kept lean on purpose (httpx's HTTP/2 tops out far below what APNs
accepts): a trimmed h2 (see h2tuning), requests written in batches, and one timer
per connection that expires late streams and sends idle PINGs, instead of one timer
per stream.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import ssl
from dataclasses import dataclass
from typing import Any, Sequence

import h2.errors
import h2.events
import h2.exceptions

from .batched_writes import BatchedWrites
from .h2tuning import LeanH2Connection
from .slots import StreamSlots

log = logging.getLogger(__name__)

_PING_DATA = b"walletsv"  # any 8 bytes
# Requests are written in batches: at the end of each loop turn, or every FLUSH_EVERY
# requests so the server works on the first ones while later ones are built.
FLUSH_EVERY = 64


class StreamFailed(Exception):
    """A request got no HTTP answer. `resend` says whether re-sending it is safe and useful."""

    def __init__(self, reason: str, *, resend: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.resend = resend


@dataclass(frozen=True)
class GoAway:
    """A GOAWAY frame APNs sent; `reason` comes from its JSON debug data, if any."""

    error_code: int
    last_stream_id: int
    reason: str | None


class Stream:
    """One request in flight; the future resolves to the Stream itself once answered."""

    __slots__ = ("future", "deadline", "status", "apns_id", "body")

    def __init__(self, future: asyncio.Future[Stream], deadline: float) -> None:
        self.future = future
        self.deadline = deadline
        self.status = 0
        self.apns_id: str | None = None
        self.body = b""


def tls_failure_reason(exc: BaseException | None) -> str | None:
    """Name a TLS failure that re-sending cannot fix, or None."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "UntrustedServer"  # we could not verify APNs' certificate: trust store
    if isinstance(exc, ssl.SSLError) and "ALERT" in (exc.reason or "").upper():
        return "BadCertificate"  # the server rejected our client certificate
    return None


class ApnsConnection(BatchedWrites, asyncio.Protocol):
    """An HTTP/2 client connection that multiplexes pushes as concurrent streams.

    Stream slots follow the server's SETTINGS_MAX_CONCURRENT_STREAMS; with token
    auth only one stream is used until APNs has answered something other than 403
    (Apple: "only one stream until a valid token is presented").
    """

    def __init__(
        self,
        *,
        token_auth: bool,
        client_certificate: bool,
        request_timeout: float,
        idle_ping_after: float,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._h2 = LeanH2Connection()
        self._transport: asyncio.Transport | None = None
        self._timeout = request_timeout
        self._idle_ping_after = idle_ping_after
        self._streams: dict[int, Stream] = {}  # insertion order == deadline order
        self._blocked: collections.deque[tuple[int, bytes]] = collections.deque()
        self._slots = StreamSlots()  # limit 0: nothing is sent before the server's SETTINGS
        self._remote_limit = 0
        self._gated = token_auth
        self._client_certificate = client_certificate
        self._flush_pending = False
        self._unflushed = 0
        self._failure: StreamFailed | None = None
        self._ready: asyncio.Future[None] = self._loop.create_future()
        self.closed: asyncio.Future[None] = self._loop.create_future()
        self._sent_count = 0
        self._seen_count = -1
        self._idle_since = self._loop.time()
        self._ping_sent_at: float | None = None
        self._sweeper: asyncio.TimerHandle | None = None
        self.goaway: GoAway | None = None
        self.pings_sent = 0

    # -- public surface used by the client ---------------------------------------

    @property
    def accepting(self) -> bool:
        """True while new requests may be started on this connection."""
        return self._failure is None

    async def wait_ready(self) -> None:
        """Wait for the server's first SETTINGS frame (or the failure that prevents it)."""
        try:
            await asyncio.wait_for(asyncio.shield(self._ready), self._timeout)
        except asyncio.TimeoutError:
            self._fail_all(StreamFailed("ConnectFailed", resend=True))
            self.abort()
            raise StreamFailed("ConnectFailed", resend=True) from None
        except StreamFailed:
            self.abort()
            raise

    async def request(self, headers: Sequence[Any], body: bytes) -> Stream:
        """Send one request and wait for its complete answer; raises StreamFailed."""
        if self._failure is not None:
            raise self._failure
        slots = self._slots
        if not slots.try_acquire():
            await slots.acquire()
        self._h2.open_outbound_count = slots.open - 1  # streams open before this one
        self._sent_count += 1
        stream_id = self._h2.get_next_available_stream_id()
        stream = Stream(self._loop.create_future(), self._loop.time() + self._timeout)
        self._streams[stream_id] = stream
        self._h2.send_headers(stream_id, headers)
        self._send_body(stream_id, body)
        self._unflushed += 1
        if self._unflushed >= FLUSH_EVERY:
            self._flush()  # let APNs start on these while we build the rest
        else:
            self._schedule_flush()
        return await stream.future

    async def wait_closed(self, timeout: float) -> None:
        """Wait until the transport is gone (TLS close done); abort it after `timeout`."""
        try:
            await asyncio.wait_for(asyncio.shield(self.closed), timeout)
        except asyncio.TimeoutError:
            self.abort()
            await self.closed

    def abort(self) -> None:
        """Drop the transport at once."""
        if self._transport is not None:
            self._transport.abort()

    def close(self) -> None:
        """Say GOAWAY and close; pending requests fail with resend=True."""
        if self._transport is None or self._transport.is_closing():
            return
        self._fail_all(StreamFailed("ConnectionLost", resend=True))
        try:
            self._h2.close_connection()
        except h2.exceptions.ProtocolError:
            pass  # the peer already said GOAWAY
        self._flush()
        self._transport.close()

    # -- asyncio.Protocol ----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is not None and ssl_object.selected_alpn_protocol() != "h2":
            # Apple: APNs speaks HTTP/2 only.
            self._fail_all(StreamFailed("NoHTTP2", resend=False))
            transport.abort()
            return
        self._h2.initiate_connection()
        self._flush()
        self._sweeper = self._loop.call_later(self._sweep_interval(), self._sweep)

    def data_received(self, data: bytes) -> None:
        if self.goaway is not None:
            return  # h2 takes no frame after GOAWAY; the transport is closing
        try:
            events = self._h2.receive_data(data)
        except h2.exceptions.ProtocolError as exc:
            log.warning("APNs connection protocol error: %s", exc)
            self._fail_all(StreamFailed("ConnectionLost", resend=True))
            self._flush()
            if self._transport is not None:
                self._transport.close()
            return
        for event in events:
            kind = type(event)
            if kind is h2.events.ResponseReceived:
                self._on_headers(event)
            elif kind is h2.events.DataReceived:
                self._on_data(event)
            elif kind is h2.events.StreamEnded:
                self._on_stream_ended(event.stream_id)
            elif kind is h2.events.StreamReset:
                self._on_reset(event)
            elif kind is h2.events.RemoteSettingsChanged:
                self._on_settings()
            elif kind is h2.events.WindowUpdated:
                self._unblock()
            elif kind is h2.events.PingAckReceived:
                self._ping_sent_at = None
                self._idle_since = self._loop.time()
            elif kind is h2.events.ConnectionTerminated:
                self._on_goaway(event)
                return
        self._schedule_flush()

    def connection_lost(self, exc: Exception | None) -> None:
        reason = tls_failure_reason(exc)
        if reason is not None:
            self._fail_all(StreamFailed(reason, resend=False))
        elif self._client_certificate and not self._ready.done():
            # TLS 1.3 checks the client certificate after the client's handshake ends,
            # and a server may close without an alert: an immediate close before the
            # first SETTINGS is how a refused certificate looks. Re-sent once on a new
            # connection, so a one-off network blip still succeeds.
            self._fail_all(StreamFailed("BadCertificate", resend=True))
        else:
            self._fail_all(StreamFailed("ConnectionLost", resend=True))
        if self._sweeper is not None:
            self._sweeper.cancel()
        self._transport = None
        if not self.closed.done():
            self.closed.set_result(None)

    # -- frames in -------------------------------------------------------------------

    def _on_headers(self, event: h2.events.ResponseReceived) -> None:
        stream = self._streams.get(event.stream_id)
        if stream is None:
            return
        for name, value in event.headers:
            if name == b":status":
                stream.status = int(value)
            elif name == b"apns-id":
                stream.apns_id = value.decode("ascii", "replace")
        # Any answer but 403 means the provider token was accepted (Apple, 3.7).
        if self._gated and stream.status != 403:
            self._gated = False
            self._update_limit()

    def _on_data(self, event: h2.events.DataReceived) -> None:
        # Error bodies are tiny; give the window back at once or the connection stalls.
        self._h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        stream = self._streams.get(event.stream_id)
        if stream is not None:
            stream.body += event.data

    def _on_stream_ended(self, stream_id: int) -> None:
        stream = self._streams.pop(stream_id, None)
        if stream is None:
            return
        self._slots.release()
        if not stream.future.done():
            stream.future.set_result(stream)

    def _on_reset(self, event: h2.events.StreamReset) -> None:
        stream = self._streams.pop(event.stream_id, None)
        if stream is None:
            return
        self._slots.release()
        if not stream.future.done():
            # REFUSED_STREAM: the server did not process it, so re-sending is safe.
            stream.future.set_exception(StreamFailed("StreamReset", resend=True))

    def _on_settings(self) -> None:
        self._remote_limit = self._h2.remote_settings.max_concurrent_streams
        self._update_limit()
        if not self._ready.done():
            self._ready.set_result(None)

    def _on_goaway(self, event: h2.events.ConnectionTerminated) -> None:
        reason = None
        if event.additional_data:
            try:
                reason = json.loads(event.additional_data).get("reason")
            except (ValueError, AttributeError):
                reason = None
        last = event.last_stream_id or 0
        self.goaway = GoAway(int(event.error_code or 0), last, reason)
        log.warning("APNs sent GOAWAY: %s", self.goaway)
        # h2 accepts no frame after GOAWAY, so streams not yet answered are lost here:
        # above last_stream_id APNs did not process them; at or below, it may have.
        if reason is not None:
            fatal = StreamFailed(reason, resend=reason not in _NO_RESEND_GOAWAY_REASONS)
            self._fail_all(fatal)
        else:
            self._fail_all(StreamFailed("GoAway", resend=True))
        self._flush()
        if self._transport is not None:
            self._transport.close()

    # -- frames out ------------------------------------------------------------------

    def _send_body(self, stream_id: int, body: bytes) -> None:
        if self._blocked or self._h2.local_flow_control_window(stream_id) < len(body):
            self._blocked.append((stream_id, body))  # wait for WINDOW_UPDATE
            return
        self._h2.send_data(stream_id, body, end_stream=True)

    def _unblock(self) -> None:
        while self._blocked:
            stream_id, body = self._blocked[0]
            if stream_id not in self._streams:
                self._blocked.popleft()  # answered or timed out meanwhile: close it in h2 too
                self._reset(stream_id)
                continue
            if self._h2.local_flow_control_window(stream_id) < len(body):
                return
            self._blocked.popleft()
            self._h2.send_data(stream_id, body, end_stream=True)

    # -- stream slots ----------------------------------------------------------------

    def _update_limit(self) -> None:
        # Apple: with token auth, one stream until a valid token is presented.
        self._slots.set_limit(min(self._remote_limit, 1) if self._gated else self._remote_limit)

    # -- timeouts, idle PING, failure ------------------------------------------------

    def _sweep_interval(self) -> float:
        return max(0.01, min(1.0, self._timeout / 4, self._idle_ping_after / 4))

    def _sweep(self) -> None:
        now = self._loop.time()
        expired = []
        for stream_id, stream in self._streams.items():
            if stream.deadline > now:
                break
            expired.append(stream_id)
        for stream_id in expired:
            self._expire(stream_id)
        self._h2.purge_closed_streams()
        self._check_idle(now)
        self._schedule_flush()
        self._sweeper = self._loop.call_later(self._sweep_interval(), self._sweep)

    def _expire(self, stream_id: int) -> None:
        stream = self._streams.pop(stream_id)
        self._reset(stream_id)
        self._slots.release()
        if not stream.future.done():
            stream.future.set_exception(StreamFailed("Timeout", resend=False))

    def _reset(self, stream_id: int) -> None:
        try:
            self._h2.reset_stream(stream_id, h2.errors.ErrorCodes.CANCEL)
        except h2.exceptions.H2Error:
            pass  # already closed on the h2 side

    def _check_idle(self, now: float) -> None:
        if self._sent_count != self._seen_count or self._streams:
            self._seen_count = self._sent_count
            self._idle_since = now
            return
        if self._ping_sent_at is not None:
            if now - self._ping_sent_at > self._timeout and self._transport is not None:
                log.warning("APNs did not answer PING; dropping the connection")
                self._transport.abort()
            return
        if now - self._idle_since >= self._idle_ping_after:
            # Apple: reuse connections; send a PING after a long idle period (3.7).
            self._h2.ping(_PING_DATA)
            self._ping_sent_at = now
            self.pings_sent += 1

    def _fail_all(self, failure: StreamFailed) -> None:
        if self._failure is None:
            self._failure = failure
        streams, self._streams = self._streams, {}
        self._blocked.clear()
        for stream in streams.values():
            if not stream.future.done():
                stream.future.set_exception(failure)
        self._slots.fail(self._failure)
        if not self._ready.done():
            self._ready.set_exception(failure)
            self._ready.exception()  # retrieved by wait_ready or nobody; no warning


# A GOAWAY naming one of these is a configuration problem: re-sending cannot help.
_NO_RESEND_GOAWAY_REASONS = frozenset({
    "BadCertificate", "BadCertificateEnvironment", "Forbidden", "InvalidProviderToken",
    "MissingProviderToken", "UnrelatedKeyIdInToken", "BadEnvironmentKeyIdInToken",
    "TooManyProviderTokenUpdates", "TopicDisallowed", "BadTopic",
})
