"""The APNs simulator: a real HTTP/2 + TLS server on loopback that answers like APNs.

It runs its own event loop in one background thread, so tests and benchmarks talk
to it over real sockets exactly as they would to api.push.apple.com.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import ssl
import threading
from pathlib import Path
from typing import Any

from walletservice.apns.credentials import load_pem_cert_chain

from .faults import Faults
from .protocol import SimulatorConnection
from .records import PushRecord
from .rules import ProviderTokenVerifier, Verdict

log = logging.getLogger("walletservice.apns_sim")


class ApnsSimulator:
    """Answers `POST /3/device/<token>` like APNs, with token state and fault injection.

    Certificate auth: clients whose certificate chains to `client_ca_pem` may push to
    the pass type id in the certificate's UID. Token auth: `jwt_keys` maps a key id to
    (team id, public key PEM). Use as a context manager or call start()/stop().
    """

    def __init__(
        self,
        server_cert_pem: bytes,
        server_key_pem: bytes,
        *,
        client_ca_pem: bytes | None = None,
        jwt_keys: dict[str, tuple[str, bytes]] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        max_concurrent_streams: int = 1000,
        log_pushes: bool = False,
        keep_records: bool = True,
    ) -> None:
        self._ssl = _server_context(server_cert_pem, server_key_pem, client_ca_pem)
        self._verifier = ProviderTokenVerifier(jwt_keys) if jwt_keys else None
        self._host = host
        self._port = port
        self.max_concurrent_streams = max_concurrent_streams
        self.faults = Faults()
        self._log_pushes = log_pushes
        self._keep_records = keep_records
        self._lock = threading.Lock()
        self._records: list[PushRecord] = []
        self._token_states: dict[str, tuple[int, str, int | None]] = {}
        self._token_topics: dict[str, str] = {}
        self._connections: set[SimulatorConnection] = set()
        self._next_connection_id = 0
        self.requests_received = 0
        self.max_concurrent_streams_seen = 0
        self.pings_received = 0
        self.connections_accepted = 0
        self.protocol_errors: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._started = threading.Event()
        self._startup_error: BaseException | None = None

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> ApnsSimulator:
        """Start serving in a background thread; returns once the port is bound."""
        if self._thread is not None:
            raise RuntimeError("simulator already started")
        self._thread = threading.Thread(target=self._run, name="apns-sim", daemon=True)
        self._thread.start()
        self._started.wait()
        if self._startup_error is not None:
            raise self._startup_error
        return self

    def stop(self) -> None:
        """Abort every connection, stop the loop and join the thread. Idempotent."""
        if self._thread is None or self._loop is None:
            return
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._shutdown)
        self._thread.join()
        self._thread = None

    def __enter__(self) -> ApnsSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"https://{self._host}:{self._port}"

    # -- what it saw ----------------------------------------------------------------

    @property
    def received(self) -> list[PushRecord]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._records)

    def clear_received(self) -> None:
        with self._lock:
            self._records.clear()
            self.requests_received = 0

    # -- token state ----------------------------------------------------------------

    def mark_unregistered(self, token: str, at: dt.datetime) -> None:
        """Answer 410 Unregistered with `timestamp` = `at` in epoch milliseconds."""
        self._set_state(token, (410, "Unregistered", int(at.timestamp() * 1000)))

    def mark_bad(self, token: str) -> None:
        """Answer 400 BadDeviceToken."""
        self._set_state(token, (400, "BadDeviceToken", None))

    def mark_expired(self, token: str) -> None:
        """Answer 410 ExpiredToken."""
        self._set_state(token, (410, "ExpiredToken", None))

    def mark_for_topic(self, token: str, topic: str) -> None:
        """The token belongs to `topic`: pushes with another topic get 400 DeviceTokenNotForTopic."""
        with self._lock:
            self._token_topics[token] = topic

    def reset_token(self, token: str) -> None:
        """Forget any state set for the token."""
        with self._lock:
            self._token_states.pop(token, None)
            self._token_topics.pop(token, None)

    def _set_state(self, token: str, state: tuple[int, str, int | None]) -> None:
        with self._lock:
            self._token_states[token] = state

    # -- called from the loop thread by SimulatorConnection ---------------------------

    def _token_verdict(self, token: str, topic: str | None) -> Verdict:
        state = self._token_states.get(token)  # dict reads are atomic; writes hold the lock
        if state is not None:
            return state[0], state[1]
        bound = self._token_topics.get(token)
        if bound is not None and bound != topic:
            return 400, "DeviceTokenNotForTopic"
        return None

    def _unregistered_at(self, token: str) -> int | None:
        state = self._token_states.get(token)
        return state[2] if state is not None else None

    def _record(self, record: PushRecord) -> None:
        with self._lock:
            self.requests_received += 1
            if self._keep_records:
                self._records.append(record)
        if self._log_pushes:
            log.info(
                "push conn=%d stream=%d token=%s topic=%s -> %s %s",
                record.connection_id, record.stream_id, record.token, record.topic,
                record.status if record.status is not None else "dropped", record.reason or "",
            )

    def _connection_opened(self, connection: SimulatorConnection) -> int:
        self._connections.add(connection)
        self.connections_accepted += 1
        self._next_connection_id += 1
        return self._next_connection_id

    def _connection_closed(self, connection: SimulatorConnection) -> None:
        self._connections.discard(connection)

    def _streams_open(self, count: int) -> None:
        if count > self.max_concurrent_streams_seen:
            self.max_concurrent_streams_seen = count

    def _ping_received(self) -> None:
        self.pings_received += 1

    def _protocol_error(self, message: str) -> None:
        log.warning("client protocol error: %s", message)
        self.protocol_errors.append(message)

    # -- the loop thread ------------------------------------------------------------

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        loop.set_exception_handler(_quiet_tls_errors)
        self._loop = loop
        try:
            self._server = loop.run_until_complete(loop.create_server(
                lambda: SimulatorConnection(self), self._host, self._port, ssl=self._ssl, backlog=512,
            ))
            self._port = self._server.sockets[0].getsockname()[1]
        except BaseException as exc:  # reported to start() in the caller's thread
            self._startup_error = exc
            self._started.set()
            loop.close()
            return
        self._started.set()
        try:
            loop.run_forever()
            loop.run_until_complete(self._drain())
        finally:
            loop.close()

    async def _drain(self) -> None:
        # Aborted transports report connection_lost a few loop turns later.
        for _ in range(200):
            if not self._connections:
                break
            await asyncio.sleep(0.01)
        assert self._server is not None
        await self._server.wait_closed()

    def _shutdown(self) -> None:
        assert self._server is not None and self._loop is not None
        self._server.close()
        for connection in list(self._connections):
            connection.abort()
        self._loop.stop()


def _server_context(cert_pem: bytes, key_pem: bytes, client_ca_pem: bytes | None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["h2"])
    load_pem_cert_chain(context, cert_pem, key_pem)
    if client_ca_pem is not None:
        # Optional: without a certificate the client must use token auth.
        context.verify_mode = ssl.CERT_OPTIONAL
        context.load_verify_locations(cadata=client_ca_pem.decode("ascii"))
    return context


def _quiet_tls_errors(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    # A rejected client certificate is an expected outcome here, not a server error.
    if isinstance(context.get("exception"), (ssl.SSLError, ConnectionError)):
        log.debug("TLS/connection error: %s", context.get("message"))
        return
    loop.default_exception_handler(context)


def serve_forever(
    host: str,
    port: int,
    cert_file: str | Path,
    key_file: str | Path,
    *,
    client_ca_file: str | Path | None = None,
    jwt_keys: dict[str, tuple[str, bytes]] | None = None,
    max_concurrent_streams: int = 1000,
    log_pushes: bool = True,
) -> None:
    """Run a simulator until Ctrl-C, logging one line per push (for `flask wallet apns-sim`).

    Records are not kept in memory, so it can run a long benchmark.
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    simulator = ApnsSimulator(
        Path(cert_file).read_bytes(),
        Path(key_file).read_bytes(),
        client_ca_pem=Path(client_ca_file).read_bytes() if client_ca_file else None,
        jwt_keys=jwt_keys,
        host=host,
        port=port,
        max_concurrent_streams=max_concurrent_streams,
        log_pushes=log_pushes,
        keep_records=False,
    )
    with simulator:
        log.info("APNs simulator listening on %s", simulator.url)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            log.info("stopping; %d pushes received", simulator.requests_received)
