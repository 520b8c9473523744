"""Real HTTP servers on loopback for tests of what the service fetches and posts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve_in_thread(server: ThreadingHTTPServer) -> Iterator[int]:
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
