"""One client connection to the simulator: an h2 server protocol that answers like APNs."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import TYPE_CHECKING

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings
import hpack

from walletservice.apns.batched_writes import BatchedWrites
from walletservice.apns.h2tuning import PlainEncoder

from . import rules
from .faults import ConnectionFault
from .records import PushRecord

if TYPE_CHECKING:
    from .server import ApnsSimulator

_MAX_STREAMS = h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS
_JSON = (b"content-type", b"application/json")
_FLUSH_EVERY = 64  # answers per transport.write at most


class _SimulatorH2Connection(h2.connection.H2Connection):
    """h2 re-counts open streams by scanning all of them for every new request, which
    is quadratic in a chunk of 1000 requests; SimulatorConnection enforces its
    SETTINGS_MAX_CONCURRENT_STREAMS itself, so h2's check is switched off and its
    closed-stream purge runs once per received chunk.
    """

    def __init__(self, config: h2.config.H2Configuration) -> None:
        super().__init__(config=config)
        self.encoder = PlainEncoder()

    @property
    def open_inbound_streams(self) -> int:
        return 0

    def purge_closed_streams(self) -> None:
        self._open_streams(0)


class _Request:
    __slots__ = ("headers", "body")

    def __init__(self, headers: list[tuple[bytes, bytes]]) -> None:
        self.headers = headers
        self.body = b""


class SimulatorConnection(BatchedWrites, asyncio.Protocol):
    """Answers pushes on one TLS connection.

    Certificate auth when the client presented a certificate (APNs then ignores
    `authorization`); token auth otherwise, starting with SETTINGS_MAX_CONCURRENT_STREAMS
    = 1 and raising it after the first valid JWT (Apple: one stream until a valid token).
    """

    def __init__(self, sim: ApnsSimulator) -> None:
        self._sim = sim
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        config = h2.config.H2Configuration(
            client_side=False, header_encoding=None,
            validate_outbound_headers=False, normalize_outbound_headers=False,
            validate_inbound_headers=False, normalize_inbound_headers=False,
        )
        self._h2 = _SimulatorH2Connection(config)
        self._stream_limit = 0
        self._requests: dict[int, _Request] = {}
        self._open = 0
        self._cert_auth = False
        self._cert_topic: str | None = None
        self._accepted_token: rules.AcceptedToken | None = None
        self._flush_pending = False
        self._unflushed = 0
        self._closed = False
        self.connection_id = 0

    # -- asyncio.Protocol -----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self.connection_id = self._sim._connection_opened(self)
        ssl_object = transport.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        if der:
            self._cert_auth = True
            self._cert_topic = rules.certificate_topic(der)
        limit = self._sim.max_concurrent_streams if self._cert_auth else 1
        self._stream_limit = limit
        self._h2.local_settings = h2.settings.Settings(
            client=False,
            initial_values={_MAX_STREAMS: limit, h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE: 65536},
        )
        self._h2.initiate_connection()
        self._flush()

    def data_received(self, data: bytes) -> None:
        if self._closed:
            return
        try:
            events = self._h2.receive_data(data)
        except h2.exceptions.ProtocolError as exc:
            # e.g. more streams than SETTINGS_MAX_CONCURRENT_STREAMS: h2 queued a GOAWAY.
            self._sim._protocol_error(str(exc))
            self._close()
            return
        for event in events:
            kind = type(event)
            if kind is h2.events.RequestReceived:
                self._requests[event.stream_id] = _Request(event.headers)
                self._open += 1
                self._sim._streams_open(self._open)
                if self._open > self._stream_limit:
                    self._refuse_excess_stream()
                    return
            elif kind is h2.events.DataReceived:
                self._h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                request = self._requests.get(event.stream_id)
                if request is not None:
                    request.body += event.data
            elif kind is h2.events.StreamEnded:
                if not self._handle(event.stream_id):
                    return  # the connection was dropped or closed by a fault
            elif kind is h2.events.StreamReset:
                if self._requests.pop(event.stream_id, None) is not None:
                    self._open -= 1
            elif kind is h2.events.PingReceived:
                self._sim._ping_received()
        self._h2.purge_closed_streams()
        self._schedule_flush()

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._sim._connection_closed(self)

    def abort(self) -> None:
        """Drop the connection at once (used when the simulator stops)."""
        if self._transport is not None:
            self._closed = True
            self._transport.abort()

    # -- requests -------------------------------------------------------------------

    def _handle(self, stream_id: int) -> bool:
        """Answer one complete request; False when the connection must stop reading."""
        request = self._requests.get(stream_id)
        if request is None:
            return True
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in request.headers}
        token, verdict = rules.device_token(headers.get(":method", ""), headers.get(":path", ""))
        topic = headers.get("apns-topic")
        failure, fault = self._sim.faults.take()
        if fault.drop:
            self._sim._record(PushRecord(
                token, topic, headers, request.body, time.time(), None, "ConnectionDropped",
                self.connection_id, stream_id,
            ))
            self._flush()
            self.abort()
            return False
        if failure is not None:
            status, reason = failure
        else:
            status, reason = verdict or self._judge(token, topic, headers, request.body) or (200, None)
        apns_id = headers.get("apns-id") or str(uuid.uuid4())
        timestamp = self._sim._unregistered_at(token) if status == 410 and reason == "Unregistered" else None
        self._sim._record(PushRecord(
            token, topic, headers, request.body, time.time(), status, reason,
            self.connection_id, stream_id,
        ))
        delay = self._sim.faults.delay
        if delay > 0 and not fault.goaway:
            self._loop.call_later(delay, self._answer_later, stream_id, status, reason, apns_id, timestamp)
        else:
            self._answer(stream_id, status, reason, apns_id, timestamp)
        if fault.goaway:
            self._goaway(stream_id, fault)
            return False
        return True

    def _judge(self, token: str, topic: str | None, headers: dict[str, str], body: bytes) -> rules.Verdict:
        """Authentication, topic, headers, payload, then what the simulator knows of the token."""
        verdict = self._authenticate(headers)
        if verdict is not None:
            return verdict
        if self._cert_auth:
            verdict = rules.certificate_topic_check(self._cert_topic, topic)
            topic = topic or self._cert_topic
        elif topic is None:
            verdict = (400, "MissingTopic")  # Apple: apns-topic is required with token auth
        return (
            verdict
            or rules.request_headers(headers)
            or rules.payload(body)
            or self._sim._token_verdict(token, topic)
        )

    def _authenticate(self, headers: dict[str, str]) -> rules.Verdict:
        if self._cert_auth:
            return None  # TLS already verified the chain; APNs ignores authorization here
        verifier = self._sim._verifier
        if verifier is None:
            # No keys configured: nothing can verify, so every token is invalid.
            reason = "InvalidProviderToken" if "authorization" in headers else "MissingProviderToken"
            return 403, reason
        was_gated = self._accepted_token is None
        self._accepted_token, verdict = verifier.check(headers.get("authorization"), self._accepted_token)
        if verdict is None and was_gated:
            self._stream_limit = self._sim.max_concurrent_streams
            self._h2.update_settings({_MAX_STREAMS: self._stream_limit})
        return verdict

    def _answer_later(self, stream_id: int, status: int, reason: str | None,
                      apns_id: str, timestamp: int | None) -> None:
        if self._closed or stream_id not in self._requests:
            return  # the client reset the stream (timeout) or the connection is gone
        self._answer(stream_id, status, reason, apns_id, timestamp)
        self._schedule_flush()

    def _answer(self, stream_id: int, status: int, reason: str | None,
                apns_id: str, timestamp: int | None) -> None:
        if self._requests.pop(stream_id, None) is not None:
            self._open -= 1
        self._unflushed += 1
        if self._unflushed >= _FLUSH_EVERY:
            self._flush()  # the client can work on these while later ones are answered
        # A fresh apns-id per answer would only churn the HPACK table.
        response = [
            (b":status", str(status).encode()),
            hpack.NeverIndexedHeaderTuple(b"apns-id", apns_id.encode()),
        ]
        try:
            if status == 200:
                self._h2.send_headers(stream_id, response, end_stream=True)
                return
            document: dict[str, object] = {"reason": reason}
            if timestamp is not None:
                document["timestamp"] = timestamp
            response.append(_JSON)
            self._h2.send_headers(stream_id, response)
            self._h2.send_data(stream_id, json.dumps(document).encode(), end_stream=True)
        except h2.exceptions.StreamClosedError:
            pass  # the client gave up on this stream meanwhile

    def _refuse_excess_stream(self) -> None:
        # RFC 9113 5.1.2: more streams than SETTINGS_MAX_CONCURRENT_STREAMS is a protocol error.
        self._sim._protocol_error(f"client opened {self._open} streams, limit {self._stream_limit}")
        self._h2.close_connection(h2.errors.ErrorCodes.PROTOCOL_ERROR)
        self._close()

    def _goaway(self, last_stream_id: int, fault: ConnectionFault) -> None:
        debug = json.dumps({"reason": fault.goaway_reason}).encode() if fault.goaway_reason else None
        self._h2.close_connection(h2.errors.ErrorCodes.NO_ERROR, debug, last_stream_id=last_stream_id)
        self._close()

    # -- output ---------------------------------------------------------------------

    def _close(self) -> None:
        self._flush()
        self._closed = True
        if self._transport is not None:
            self._transport.close()
