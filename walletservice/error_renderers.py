"""Which renderer answers a failure: one table from URL prefix to renderer.

Each surface renders errors in its own shape, in a module named `error_responses`
with `render_domain_error` and `render_http_error`:
- Passworks v2 and v1 (api/v2/error_responses.py): `{"errors": ...}`;
- Passcreator v3 (api/v3/error_responses.py): its envelope;
- Apple's Wallet web service (webservice/error_responses.py): bare statuses;
- the customer-facing pages (web/error_responses.py): a page a person can read.

The app registers one handler for domain errors and one for HTTP errors, and both
look the path up here, so errors raised by a view, by a check before it, or by the
router (unknown paths and methods reach no blueprint) are answered alike, and the
order in which blueprints are registered does not matter. Paths under no prefix get a
one-line JSON reason for domain errors and Flask's own page for HTTP errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from walletservice.api.v2 import error_responses as passworks
from walletservice.api.v3 import error_responses as passcreator
from walletservice.api.v3.envelope import PREFIX as PASSCREATOR_PREFIX
from walletservice.errors import DomainError
from walletservice.runtime import WEB_SERVICE_PATH
from walletservice.web import error_responses as pages
from walletservice.webservice import error_responses as wallet_web_service


@dataclass(frozen=True)
class ErrorRenderer:
    render_domain_error: Callable[[DomainError], Any]
    render_http_error: Callable[[HTTPException], Any]


PASSWORKS = ErrorRenderer(passworks.render_domain_error, passworks.render_http_error)
PASSCREATOR = ErrorRenderer(passcreator.render_domain_error, passcreator.render_http_error)
WALLET_WEB_SERVICE = ErrorRenderer(wallet_web_service.render_domain_error, wallet_web_service.render_http_error)
PAGES = ErrorRenderer(pages.render_domain_error, pages.render_http_error)
ELSEWHERE = ErrorRenderer(pages.render_reason, lambda error: error)

# A path belongs to a prefix when it is the prefix or continues it with "/";
# the longest prefix wins, so the order of the rows does not matter.
ERROR_RENDERERS: dict[str, ErrorRenderer] = {
    "/v2": PASSWORKS,
    "/v1": PASSWORKS,
    PASSCREATOR_PREFIX: PASSCREATOR,
    f"{WEB_SERVICE_PATH}/v1": WALLET_WEB_SERVICE,
    "/p": PAGES,
    "/b": PAGES,
    "/d": PAGES,
    "/download": PAGES,
    "/static/web": PAGES,
}


def renderer_for(path: str) -> ErrorRenderer:
    matches = [prefix for prefix in ERROR_RENDERERS if path == prefix or path.startswith(prefix + "/")]
    return ERROR_RENDERERS[max(matches, key=len)] if matches else ELSEWHERE


def install_error_renderers(app: Flask) -> None:
    app.register_error_handler(DomainError, _render_domain_error)
    app.register_error_handler(HTTPException, _render_http_error)


def _render_domain_error(error: DomainError) -> Any:
    return renderer_for(request.path).render_domain_error(error)


def _render_http_error(error: HTTPException) -> Any:
    return renderer_for(request.path).render_http_error(error)
