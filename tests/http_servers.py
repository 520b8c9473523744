"""Real HTTP servers on loopback for tests of what the service fetches and posts."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now (for a server a test starts, or to refuse)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_in_thread(server: HTTPServer) -> Iterator[int]:
    """Serve until the generator is closed; yields the port (use with `yield from`)."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def loopback_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """An HTTP server for `handler` on 127.0.0.1; yields its base URL."""
    for port in serve_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), handler)):
        yield f"http://127.0.0.1:{port}"


def trickle(handler: BaseHTTPRequestHandler, content_type: str, declared_length: int, seconds: float) -> None:
    """Answer 200 with a body sent a byte per 0.1 s (each read well within any read timeout)
    for `seconds` or until the client hangs up, which is what a careful client does."""
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(declared_length))
    handler.end_headers()
    try:
        for _ in range(int(seconds * 10)):
            handler.wfile.write(b"\0")
            handler.wfile.flush()
            time.sleep(0.1)
    except OSError:
        pass


def wsgi_server(app: Any) -> Iterator[str]:
    """`app` served by werkzeug's threaded server on 127.0.0.1 (a thread per request, as in
    production); yields its base URL. For tests of what parallel requests do to the data."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequestHandler)
    for port in serve_in_thread(server):
        yield f"http://127.0.0.1:{port}"


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, *_args: Any) -> None:
        pass  # hundreds of requests per test: their access log would bury a failure
