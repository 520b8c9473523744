"""The Flask application class and the WSGI layer in front of it.

What every request and answer needs, whichever blueprint serves it, lives here rather
than in `before_request`/`after_request` hooks: each hook costs every request a
context lookup and a coroutine check. Apple's hot reads (the update list and the latest
pass) answer in about 500,000 instructions, of which the two hooks this replaces took
44,000 to 48,000 (docs/benchmarks.md).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from flask import Flask
from flask.globals import request_ctx

from walletservice.control_characters import refuse_control_characters

NOSNIFF = ("X-Content-Type-Options", "nosniff")


class WalletApp(Flask):
    def preprocess_request(self) -> Any:
        """Refuse control characters in the URL before any hook or view, then the pages
        origin rule when WALLET_PAGES_URL is set, then the usual hooks. Raised here, a
        refusal is rendered by the blueprint the URL belongs to, in its API's shape."""
        request = request_ctx.request
        if request.routing_exception is None:  # no route will run: each API answers its own 404/405
            refuse_control_characters(request.environ)
        if self.config["WALLET_PAGES_URL"]:
            from walletservice.web.origins import keep_pages_on_their_origin

            moved = keep_pages_on_their_origin()
            if moved is not None:
                return moved
        return super().preprocess_request()


class WsgiEdge:
    """Normalises the path before routing and marks every answer `nosniff`.

    Some clients join a webServiceURL that ends in "/" with "/v1/..." (digest 1.9,
    pass-js#127). Werkzeug would answer such paths with a redirect, which Wallet
    does not follow for POST, so repeated slashes are collapsed before routing.

    sorting.md's "escaping" example percent-encodes the query but drops its "?"
    (/v2/coupons/q%5Bname_cont%5D%3DHouse): a last path segment of a v1 or v2 route
    that decodes to a "q[...]" filter is read as that query string, so a client that
    copied the example gets the filtered list (docs/passworks-differences.md).

    A JSON answer that echoes input must never be read as HTML or script: the header
    is added where the answer is started, so answers made outside Flask's response
    hooks (Werkzeug's own errors, static files) carry it too.
    """

    _repeated = re.compile(r"/{2,}")
    _query_without_mark = re.compile(r"^(/v[12]/.+?)/(q\[[^/]*)$")

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if "//" in path:
            environ["PATH_INFO"] = path = self._repeated.sub("/", path)
        if "/q[" in path:
            self._move_query_out_of_path(environ, path)

        def start_with_nosniff(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers.append(NOSNIFF)
            return start_response(status, headers, exc_info)
        return self.wsgi_app(environ, start_with_nosniff)

    def _move_query_out_of_path(self, environ: dict[str, Any], path: str) -> None:
        moved = self._query_without_mark.match(path)
        if moved is None:
            return
        # PATH_INFO holds the decoded bytes one character each (PEP 3333): encode them back.
        query = quote(moved.group(2).encode("latin-1"), safe="=&[]")
        environ["PATH_INFO"] = moved.group(1) + "/"
        environ["QUERY_STRING"] = "&".join(filter(None, (query, environ.get("QUERY_STRING", ""))))
