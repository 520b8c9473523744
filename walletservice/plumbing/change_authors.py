"""Who is changing things right now, for the records that keep it (pass revisions).

A context variable, so no service takes it as an argument: the job worker sets it from
the job and the request that queued it (its payload's `requested_by`), schedules from
themselves. Requests set nothing: an ambient source (walletservice.request_authors) reads
the route and credentials only when a change is recorded, so Apple's hot reads, which
change nothing, pay nothing for it.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Author:
    """Who changed a pass, and through what: "PATCH /v2/coupons/<uuid:campaign_id>/passes/<uuid:pass_id>",
    "job campaign_merge", "schedule expiry"..."""

    route: str
    organization_id: str | None = None
    api_key_id: str | None = None


UNKNOWN = Author(route="internal")
_author: contextvars.ContextVar[Author | None] = contextvars.ContextVar("walletservice_pass_author", default=None)
_ambient_author: Callable[[], Author | None] = lambda: None


def read_ambient_author_from(source: Callable[[], Author | None]) -> None:
    """Where the author comes from when no `acting_as` block names one (a request's route
    and key); `source` answers None outside its own context."""
    global _ambient_author
    _ambient_author = source


def current_author() -> Author:
    return _author.get() or _ambient_author() or UNKNOWN


@contextmanager
def acting_as(author: Author) -> Iterator[Author]:
    """Changes made inside the block are recorded as made by `author`."""
    token = _author.set(author)
    try:
        yield author
    finally:
        _author.reset(token)


def requested_by() -> dict[str, str | None]:
    """The current author, for a job's payload: the job's changes are then recorded as theirs."""
    author = current_author()
    return {"route": author.route, "organization_id": author.organization_id, "api_key_id": author.api_key_id}


def job_author(kind: str, job_id: str, organization_id: str, payload: Mapping[str, Any] | None) -> Author:
    """A background job's chunk: the job, and the request that queued it when the payload says."""
    requested = (payload or {}).get("requested_by") or {}
    origin = f" queued by {requested['route']}" if requested.get("route") else ""
    return Author(route=f"job {kind} {job_id}{origin}",
                  organization_id=requested.get("organization_id") or organization_id,
                  api_key_id=requested.get("api_key_id"))
