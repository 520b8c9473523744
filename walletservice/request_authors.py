"""Who changes passes in a request: the route it came through, and after authentication the
calling organization and API key (services.pass_revisions records them with each revision)."""

from __future__ import annotations

from flask import Flask, g, request

from walletservice.models import ApiKey
from walletservice.plumbing.change_authors import Author, begin_acting_as, current_author, stop_acting


def install_request_authors(app: Flask) -> None:
    app.before_request(_start)
    app.teardown_request(_end)


def note_api_key(key: ApiKey) -> None:
    """The request authenticated with `key`: its changes are the key's organization's."""
    begin_acting_as(Author(route=current_author().route, organization_id=key.organization_id, api_key_id=key.id))


def _start() -> None:
    rule = request.url_rule.rule if request.url_rule is not None else request.path
    g.pass_author_token = begin_acting_as(Author(route=f"{request.method} {rule}"))


def _end(_error: BaseException | None) -> None:
    token = g.pop("pass_author_token", None)
    if token is not None:
        stop_acting(token)
