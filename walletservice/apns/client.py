"""The asyncio APNs client for Wallet pass-update pushes.

Request shape (digest 3.2/3.3), chosen once here:

* `POST /3/device/<token>`, payload `{}` — Apple: "an empty JSON dictionary".
* `apns-topic: <passTypeIdentifier>` always. Required with token auth; with a Pass
  Type ID certificate it is optional, but sending it makes a wrong topic visible as
  an error instead of a silent default.
* `apns-push-type`: omitted by default. Apple publishes no push type for Wallet;
  omission is what pass-js does in certificate mode, and `background` (seen working
  with token auth, dotAPNS#99) forces priority 5, which APNs may delay or rate-limit
  (dotAPNS#115: ~30% of updates late). A pass update should reach the device promptly,
  so the default is no push type with priority 10. Callers may pass
  `push_type="background", priority=5`; `background` with another priority is refused
  here because APNs answers 400 BadPriority.
* `apns-priority: 10` by default (immediate delivery).
* `apns-expiration: now + 7 days`, rounded up to the hour, by default. APNs keeps
  only the latest push per topic per device, and a Wallet push only says "ask me what
  changed", so a long expiry costs nothing and still updates a phone that was off for
  a trip. An explicit value avoids relying on APNs' undocumented storage policy; the
  hourly rounding lets HPACK index the value once an hour instead of every second.
  Pass `expiration=0` for "deliver now or never".
* No `apns-id`: APNs generates one and returns it; saves a uuid per push.
* `:path` and `authorization` are HPACK literals that are never indexed (Apple
  advises "without indexing": they change per request or per hour and would only
  churn the header table). Headers are not Huffman-coded (see h2tuning).
* A token that is not ASCII letters and digits is not sent at all (it could not form
  a clean path, and APNs tokens are hex): it comes back as DROP_TOKEN
  "BadDeviceToken" with status None.

Failure handling:

* A stream that got no HTTP answer because the connection dropped, APNs sent GOAWAY,
  or the stream was refused is re-sent transparently ONCE on a fresh connection.
  Wallet pushes are idempotent (the device just asks what changed, and APNs
  coalesces), so a possible duplicate is harmless and far cheaper than a retry
  round-trip through the outbox. A second failure is returned as Outcome.RETRY
  with reason "ConnectionLost", "ConnectFailed", "GoAway" or "StreamReset"; a
  GOAWAY that carries a JSON reason returns that reason instead, and the client
  remembers the frame in `last_goaway`.
* A stream with no answer after `request_timeout` is reset and returned as RETRY
  "Timeout" (not re-sent: APNs is slow, piling on would not help).
* 403 ExpiredProviderToken: the JWT is renewed through the signer's rule and the
  request re-sent once.
"""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from typing import AsyncIterator, Iterable, Iterator

from hpack import NeverIndexedHeaderTuple

from .connection import ApnsConnection, GoAway, Stream, StreamFailed, tls_failure_reason
from .credentials import Credential, TokenCredential, build_ssl_context
from .responses import Outcome, PushResult, make_result, parse_error_body

PAYLOAD = b"{}"
DEFAULT_EXPIRATION_SECONDS = 7 * 24 * 3600
_CLOSE_TIMEOUT = 2.0
_PRIORITIES = {1: b"1", 5: b"5", 10: b"10"}


class ApnsClient:
    """Pushes to APNs over one long-lived HTTP/2 connection with many streams.

    Use it from one event loop. `max_concurrency` bounds `send_many`; the server's
    SETTINGS_MAX_CONCURRENT_STREAMS bounds the streams actually in flight.
    """

    def __init__(
        self,
        base_url: str,
        credential: Credential,
        *,
        ca_file: str | None = None,
        max_concurrency: int = 1000,
        request_timeout: float = 10.0,
        idle_ping_after: float = 3600.0,
        expiration_seconds: int = DEFAULT_EXPIRATION_SECONDS,
    ) -> None:
        url = urllib.parse.urlsplit(base_url)
        if url.scheme != "https" or not url.hostname:
            raise ValueError(f"APNs base URL must be https://host[:port], got {base_url!r}")
        self._host = url.hostname
        self._port = url.port or 443
        authority = url.netloc.encode("ascii")
        self._static_headers = ((b":method", b"POST"), (b":scheme", b"https"), (b":authority", authority))
        self._ssl = build_ssl_context(credential, ca_file=ca_file)
        self._signer = credential.signer if isinstance(credential, TokenCredential) else None
        self._max_concurrency = max_concurrency
        self._timeout = request_timeout
        self._idle_ping_after = idle_ping_after
        self._expiration_seconds = expiration_seconds
        self._expiration_cache = (0, b"")
        self._auth_cache: tuple[str, NeverIndexedHeaderTuple] | None = None
        self._connection: ApnsConnection | None = None
        self._connecting: asyncio.Future[ApnsConnection] | None = None
        self._open_connections: set[ApnsConnection] = set()  # until their transport is gone
        self._closed = False
        self._last_goaway: GoAway | None = None
        self.connections_opened = 0

    async def send(
        self,
        token: str,
        topic: str,
        *,
        priority: int = 10,
        expiration: int | None = None,
        push_type: str | None = None,
    ) -> PushResult:
        """Push one pass update to one device token; never raises for APNs errors."""
        if self._closed:
            raise RuntimeError("ApnsClient is closed")
        if push_type == "background" and priority != 5:
            raise ValueError("apns-push-type background requires priority 5 (Apple)")
        if not (token.isascii() and token.isalnum()):
            # Cannot even form a path; APNs would say BadDeviceToken for any such token.
            return PushResult(token, topic, None, "BadDeviceToken", None, None, Outcome.DROP_TOKEN)
        headers = [
            *self._static_headers,
            NeverIndexedHeaderTuple(b":path", b"/3/device/" + token.encode("ascii")),
            (b"apns-topic", topic.encode("ascii")),
            (b"apns-priority", _PRIORITIES.get(priority) or str(priority).encode()),
            (b"apns-expiration", self._expiration_value(expiration)),
        ]
        if push_type is not None:
            headers.append((b"apns-push-type", push_type.encode("ascii")))
        return await self._deliver(token, topic, headers, PAYLOAD)

    async def send_many(self, items: Iterable[tuple[str, str]]) -> AsyncIterator[PushResult]:
        """Push (token, topic) pairs with bounded concurrency; yield results as they complete."""
        async for _, result in self._send_indexed(items):
            yield result

    @property
    def last_goaway(self) -> GoAway | None:
        """The most recent GOAWAY APNs sent to this client, if any (logged as well)."""
        connection = self._connection
        if connection is not None and connection.goaway is not None:
            return connection.goaway
        return self._last_goaway

    async def close(self) -> None:
        """Close the connection; later sends raise RuntimeError."""
        self._closed = True
        if self._connecting is not None:
            # Let a connect in progress finish so its waiters get a result, not a cancel.
            await asyncio.wait([self._connecting], timeout=_CLOSE_TIMEOUT)
        self._connection = None
        connections = list(self._open_connections)
        for connection in connections:
            connection.close()
        for connection in connections:
            await connection.wait_closed(_CLOSE_TIMEOUT)

    # -- delivery ------------------------------------------------------------------

    async def _deliver(self, token: str, topic: str, headers: list, body: bytes) -> PushResult:
        jwt = self._signer.current() if self._signer is not None else None
        resent = refreshed = False
        while True:
            request_headers = headers if jwt is None else [*headers, self._auth_header(jwt)]
            try:
                connection = await self._connect()
                stream = await connection.request(request_headers, body)
            except StreamFailed as failure:
                if failure.resend and not resent:
                    resent = True
                    continue
                result = make_result(token, topic, None, failure.reason)
            else:
                result = _result_from_stream(token, topic, stream)
            if result.outcome is Outcome.REFRESH_TOKEN and jwt is not None and not refreshed:
                refreshed = True
                assert self._signer is not None
                renewed = self._signer.renew_after_expired(jwt)
                if renewed != jwt:
                    jwt = renewed
                    continue
            return result

    def _auth_header(self, jwt: str) -> NeverIndexedHeaderTuple:
        cached = self._auth_cache
        if cached is None or cached[0] is not jwt:
            cached = (jwt, NeverIndexedHeaderTuple(b"authorization", b"bearer " + jwt.encode("ascii")))
            self._auth_cache = cached
        return cached[1]

    def _expiration_value(self, expiration: int | None) -> bytes:
        if expiration is not None:
            return str(int(expiration)).encode()
        # Rounded up to the hour: the value then changes hourly, so HPACK indexes it
        # once (Apple's advice) instead of adding a table entry every second.
        hour = int(time.time()) // 3600
        cached_hour, value = self._expiration_cache
        if cached_hour != hour:
            value = str((hour + 1) * 3600 + self._expiration_seconds).encode()
            self._expiration_cache = (hour, value)
        return value

    # -- the connection --------------------------------------------------------------

    async def _connect(self) -> ApnsConnection:
        connection = self._connection
        if connection is not None and connection.accepting:
            return connection
        if connection is not None:
            self._last_goaway = connection.goaway or self._last_goaway
            self._connection = None
        if self._closed:
            raise StreamFailed("ConnectionLost", resend=False)
        if self._connecting is None:
            # Every waiter shares one attempt, so a dead server costs one connect, not N.
            self._connecting = asyncio.ensure_future(self._open_connection())
            self._connecting.add_done_callback(self._connected)
        return await asyncio.shield(self._connecting)

    def _connected(self, future: asyncio.Future[ApnsConnection]) -> None:
        self._connecting = None
        if not future.cancelled() and future.exception() is None:
            self._connection = future.result()

    async def _open_connection(self) -> ApnsConnection:
        loop = asyncio.get_running_loop()

        def factory() -> ApnsConnection:
            return ApnsConnection(
                token_auth=self._signer is not None,
                client_certificate=self._signer is None,
                request_timeout=self._timeout,
                idle_ping_after=self._idle_ping_after,
            )

        try:
            _, connection = await asyncio.wait_for(
                loop.create_connection(factory, self._host, self._port, ssl=self._ssl),
                self._timeout,
            )
        except (OSError, asyncio.TimeoutError) as exc:  # ssl.SSLError is an OSError
            reason = tls_failure_reason(exc)
            raise StreamFailed(reason or "ConnectFailed", resend=reason is None) from exc
        self._open_connections.add(connection)
        connection.closed.add_done_callback(lambda _: self._open_connections.discard(connection))
        await connection.wait_ready()
        self.connections_opened += 1
        return connection

    # -- batches ---------------------------------------------------------------------

    async def _send_indexed(self, items: Iterable[tuple[str, str]]) -> AsyncIterator[tuple[int, PushResult]]:
        numbered = enumerate(items)
        queue: asyncio.Queue[tuple[int, PushResult] | None] = asyncio.Queue()
        size = len(items) if hasattr(items, "__len__") else self._max_concurrency  # type: ignore[arg-type]
        workers = [
            asyncio.ensure_future(self._batch_worker(numbered, queue))
            for _ in range(max(1, min(self._max_concurrency, size)))
        ]
        running = len(workers)
        try:
            while running:
                item = await queue.get()
                if item is None:
                    running -= 1
                    continue
                yield item
            for worker in workers:
                worker.result()  # surface a bug in a worker instead of hiding it
        finally:
            for worker in workers:
                worker.cancel()

    async def _batch_worker(
        self,
        numbered: Iterator[tuple[int, tuple[str, str]]],
        queue: asyncio.Queue[tuple[int, PushResult] | None],
    ) -> None:
        try:
            for index, (token, topic) in numbered:  # one shared iterator: no pre-split
                queue.put_nowait((index, await self.send(token, topic)))
        finally:
            queue.put_nowait(None)


def _result_from_stream(token: str, topic: str, stream: Stream) -> PushResult:
    if stream.status == 200:
        return PushResult(token, topic, 200, None, stream.apns_id, None, Outcome.DELIVERED)
    reason, timestamp = parse_error_body(stream.body)
    return make_result(token, topic, stream.status, reason, stream.apns_id, timestamp)
