"""The stand-in server: Google's OAuth token endpoint and the walletobjects v1 subset we use,
over TLS on loopback, one thread per connection (http.server).

* `POST /token`: a service-account JWT assertion (RFC 7523), verified against the public
  key of a known account, with aud = this endpoint and the Wallet scope; answers a bearer token.
* `GET|PATCH /walletobjects/v1/<type>Class|Object/<id>`, `POST /walletobjects/v1/<type>Class|Object`:
  bearer token checked, bodies checked against Google's required fields (schemas.py),
  409 on a duplicate insert, 404 on an unknown id or an object of an unknown class.
* `POST /walletobjects/v1/<type>Object/<id>/addMessage`: a 4th TEXT_AND_NOTIFY message within
  24 hours is refused (429), as Google's quota does.
* `faults.fail_next(n, status)` answers the next n REST requests with that status (429, 500).
* `fail_next_write(n, status, action=, applied=)` answers the next n writes (insert, patch,
  addMessage; with `action="addMessage"` only those) with that status. `applied=True` applies
  them first: a reply lost after Google acted, which a retry must not repeat.
* `fail_writes_to(resource_id, status)` answers every write to that one resource with that status
  (an object Google keeps refusing while the others go through).
"""

from __future__ import annotations

import json
import secrets
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt

from walletservice.apns_sim.faults import Faults

from .schemas import REQUIRED, problems

API_PREFIX = "/walletobjects/v1/"
TOKEN_PATH = "/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
WALLET_SCOPE = "https://www.googleapis.com/auth/wallet_object.issuer"
# google-auth always names Google's token endpoint as the audience, whatever token_uri says.
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
MESSAGE_TYPES = ("TEXT", "TEXT_AND_NOTIFY")
NOTIFICATIONS_PER_DAY = 3
_STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
                 409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}


@dataclass(frozen=True)
class RequestRecord:
    """One REST request as the stand-in saw it (token requests are not recorded)."""

    at: float
    method: str
    collection: str
    resource_id: str | None
    body: dict[str, Any] | None
    status: int
    client_email: str | None = None  # whose bearer token it carried


class GoogleWalletSimulator:
    """Use as a context manager or call start()/stop(). `accounts` maps a service account's
    client_email to its public key PEM; `issuers` may map a client_email to the one issuer id
    it may write (Google refuses another issuer's ids), else `issuer_id` holds for all."""

    def __init__(self, server_cert_pem_file: str, server_key_pem_file: str, *, accounts: dict[str, bytes],
                 issuer_id: str | None = None, host: str = "127.0.0.1", port: int = 0,
                 keep_records: bool = True) -> None:
        self.accounts = dict(accounts)
        self.issuer_id = issuer_id
        self.issuers: dict[str, str] = {}
        self.keep_records = keep_records  # off for long local runs: the log would only grow
        self.faults = Faults()
        self.resources: dict[tuple[str, str], dict[str, Any]] = {}
        self.records: list[RequestRecord] = []
        self.notifications: dict[str, list[float]] = {}
        self.tokens_issued = 0
        self._write_faults: list[tuple[int, str | None, bool]] = []  # (status, action, applied)
        self._failing_resources: dict[str, int] = {}  # resource id -> status of every write to it
        self._tokens: dict[str, str] = {}  # bearer token -> client_email
        self._lock = threading.Lock()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(server_cert_pem_file, server_key_pem_file)
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"https://{host}:{port}"

    @property
    def token_url(self) -> str:
        return self.url + TOKEN_PATH

    def start(self) -> GoogleWalletSimulator:
        self._thread = threading.Thread(target=self._server.serve_forever, name="google-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> GoogleWalletSimulator:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def fail_next_write(self, n: int, status: int = 500, *, action: str | None = None, applied: bool = False) -> None:
        with self._lock:
            self._write_faults = [(status, action, applied)] * n

    def fail_writes_to(self, resource_id: str, status: int = 503) -> None:
        """Answer every write to this one resource with `status` until `fail_writes_to(id, 0)`."""
        with self._lock:
            if status:
                self._failing_resources[resource_id] = status
            else:
                self._failing_resources.pop(resource_id, None)

    def requests(self, method: str | None = None, collection: str | None = None) -> list[RequestRecord]:
        with self._lock:
            return [record for record in self.records
                    if (method is None or record.method == method)
                    and (collection is None or record.collection == collection)]

    # -- answers, called from the handler threads -----------------------------------

    def issue_token(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type", [""])[0] != JWT_BEARER:
            return 400, {"error": "unsupported_grant_type"}
        assertion = form.get("assertion", [""])[0]
        try:
            issuer = jwt.decode(assertion, options={"verify_signature": False}).get("iss")
            key = self.accounts[issuer]
            claims = jwt.decode(assertion, key, algorithms=["RS256"], audience=[self.token_url, GOOGLE_TOKEN_AUDIENCE],
                                options={"require": ["iss", "aud", "exp", "iat"]})
        except (jwt.PyJWTError, KeyError) as exc:
            return 400, {"error": "invalid_grant", "error_description": f"assertion refused: {exc!r}"}
        if WALLET_SCOPE not in str(claims.get("scope", "")).split():
            return 400, {"error": "invalid_scope"}
        token = "sim-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = str(issuer)
            self.tokens_issued += 1
        return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}

    def answer_api(self, method: str, path: str, authorization: str,
                   body: dict[str, Any] | None) -> tuple[int, dict[str, Any]]:
        collection, _, resource_id = path.removeprefix(API_PREFIX).partition("/")
        with self._lock:
            client_email = self._tokens.get(authorization.removeprefix("Bearer "))
        fault = self._take_write_fault(method, resource_id) if client_email is not None else None
        if fault is not None and not fault[2]:
            status, answer = _error(fault[0], "injected")
        else:
            status, answer = self._api(method, collection, resource_id or None, authorization, client_email, body)
            if fault is not None and status < 400:
                status, answer = _error(fault[0], "applied, but the answer failed (injected)")
        if self.keep_records:
            with self._lock:
                self.records.append(RequestRecord(time.monotonic(), method, collection, resource_id or None, body,
                                                  status, client_email))
        return status, answer

    def _take_write_fault(self, method: str, resource_id: str) -> tuple[int, str | None, bool] | None:
        if method not in ("POST", "PATCH"):
            return None
        with self._lock:
            if resource_id in self._failing_resources:
                return self._failing_resources[resource_id], None, False
            if self._write_faults:
                _status, action, _applied = self._write_faults[-1]
                if action is None or resource_id.endswith("/" + action):
                    return self._write_faults.pop()
        return None

    def _api(self, method: str, collection: str, resource_id: str | None, authorization: str,
             client_email: str | None, body: dict[str, Any] | None) -> tuple[int, dict[str, Any]]:
        if not authorization.startswith("Bearer ") or client_email is None:
            return _error(401, "Request had invalid authentication credentials.")
        issuer_id = self.issuers.get(client_email, self.issuer_id)
        if collection not in REQUIRED:
            return _error(404, f"unknown resource {collection}")
        failure, _connection = self.faults.take()
        if failure is not None:
            return _error(failure[0], failure[1])
        if method == "POST" and resource_id and resource_id.endswith("/addMessage"):
            return self._add_message(collection, resource_id.removesuffix("/addMessage"), body)
        if method == "GET" and resource_id:
            return self._get(collection, resource_id)
        if method == "POST" and not resource_id:
            return self._insert(collection, body, issuer_id)
        if method == "PATCH" and resource_id:
            return self._patch(collection, resource_id, body, issuer_id)
        return _error(405, f"{method} not supported here")

    def _get(self, collection: str, resource_id: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            found = self.resources.get((collection, resource_id))
        return (200, found) if found is not None else _error(404, f"{resource_id} not found")

    def _insert(self, collection: str, body: dict[str, Any] | None,
                issuer_id: str | None) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict):
            return _error(400, "a JSON object body is required")
        found = problems(collection, body, issuer_id)
        if found:
            return _error(400, "; ".join(found))
        with self._lock:
            key = (collection, str(body["id"]))
            if key in self.resources:
                return _error(409, f"{body['id']} already exists")
            if collection.endswith("Object") and (collection.replace("Object", "Class"), body["classId"]) \
                    not in self.resources:
                return _error(404, f"class {body['classId']} not found")
            self.resources[key] = dict(body)
        return 200, body

    def _patch(self, collection: str, resource_id: str, body: dict[str, Any] | None,
               issuer_id: str | None) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict):
            return _error(400, "a JSON object body is required")
        with self._lock:
            current = self.resources.get((collection, resource_id))
            if current is None:
                return _error(404, f"{resource_id} not found")
            merged = {**current, **body, "id": resource_id}
            found = problems(collection, merged, issuer_id)
            if found:
                return _error(400, "; ".join(found))
            self.resources[(collection, resource_id)] = merged
        return 200, merged


    def _add_message(self, collection: str, resource_id: str,
                     body: dict[str, Any] | None) -> tuple[int, dict[str, Any]]:
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, dict) or not message.get("body") or \
                message.get("messageType") not in MESSAGE_TYPES:
            return _error(400, "message with body and messageType TEXT or TEXT_AND_NOTIFY is required")
        with self._lock:
            current = self.resources.get((collection, resource_id))
            if current is None:
                return _error(404, f"{resource_id} not found")
            recent = [at for at in self.notifications.get(resource_id, []) if at > time.time() - 86400]
            if message["messageType"] == "TEXT_AND_NOTIFY":
                if len(recent) >= NOTIFICATIONS_PER_DAY:
                    return _error(429, "Quota exceeded: at most 3 messages with notification per 24 hours")
                recent.append(time.time())
            self.notifications[resource_id] = recent
            current["messages"] = [*current.get("messages", []), message]
        return 200, {"resource": current}


def _error(status: int, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"code": status, "message": message, "status": _STATUS_NAMES.get(status, "UNKNOWN")}}


def _handler_for(simulator: GoogleWalletSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without TCP_NODELAY the body waits for the
        # client's delayed ACK (~40 ms a request), which would make the stand-in the bottleneck.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._api("GET")

        def do_POST(self) -> None:
            if self.path == TOKEN_PATH:
                form = parse_qs(self._body().decode("utf-8", "replace"))
                self._answer(*simulator.issue_token(form))
            else:
                self._api("POST")

        def do_PATCH(self) -> None:
            self._api("PATCH")

        def _api(self, method: str) -> None:
            if not self.path.startswith(API_PREFIX):
                self._answer(*_error(404, "not found"))
                return
            raw = self._body()
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                self._answer(*_error(400, "body is not JSON"))
                return
            self._answer(*simulator.answer_api(method, self.path, self.headers.get("Authorization", ""), body))

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: Any) -> None:
            pass  # tests send hundreds of requests; the request log is `records`

    return Handler
