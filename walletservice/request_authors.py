"""Who changes passes in a request: the route it came through, and after authentication the
calling organization and API key (services.pass_revisions records them with each revision).

Read only when a change is recorded (plumbing.change_authors' ambient source), not set by
a before/teardown hook pair: those would run on every one of Apple's hot reads.
"""

from __future__ import annotations

from flask import has_request_context, request

from walletservice.models import ApiKey
from walletservice.plumbing.change_authors import Author, read_ambient_author_from


_AUTHOR_KEY = "walletservice.pass_author_key"


def install_request_authors() -> None:
    read_ambient_author_from(_request_author)


def note_api_key(key: ApiKey) -> None:
    """The request authenticated with `key`: its changes are the key's organization's."""
    # On the request, not in `g`: an app context may outlive one request (tests, CLI).
    request.environ[_AUTHOR_KEY] = (key.organization_id, key.id)


def _request_author() -> Author | None:
    if not has_request_context():
        return None
    rule = request.url_rule.rule if request.url_rule is not None else request.path
    organization_id, api_key_id = request.environ.get(_AUTHOR_KEY, (None, None))
    return Author(route=f"{request.method} {rule}", organization_id=organization_id, api_key_id=api_key_id)
