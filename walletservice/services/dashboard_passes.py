"""The dashboard's pass search (docs/dashboard.md, "Passes"), for one organization.

The search box takes Passcreator's v3 query language: a JSON object (templateId,
searchPhrase, groups) is read by the v3 parser itself, and plain text is a searchPhrase.
compile_query always scopes to the organization; pages are keyset pages on
ix_passes_organization_created, as the v3 list is.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from walletservice.errors import BadRequest, DomainError
from walletservice.json_bodies import parse_json_body
from walletservice.models import Pass
from walletservice.services.passcreator.pass_query import PassQuery, compile_query, parse_query
from walletservice.services.passcreator.passes import encode_cursor, page_of_passes

PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 20_000


@dataclass(frozen=True)
class PassPage:
    passes: list[Pass]
    next_cursor: str | None


def read_search_box(text: str) -> PassQuery:
    """A v3 query from what was typed: JSON when it starts with "{", else a search phrase."""
    text = text.strip()
    if len(text) > MAX_SEARCH_LENGTH:
        raise BadRequest(f"the search is longer than {MAX_SEARCH_LENGTH} characters")
    if not text:
        return PassQuery()
    if not text.startswith("{"):
        return PassQuery(search_phrase=text)
    try:
        raw = parse_json_body(text)
    except DomainError as exc:
        raise BadRequest(f"the query is not valid JSON: {exc.message}") from None
    return parse_query(raw)


def search_passes(session: Session, organization_id: str, query: PassQuery, after: str | None,
                  page_size: int = PAGE_SIZE) -> PassPage:
    """One page of the organization's passes matching the query; BadRequest for a bad
    query or cursor (the page shows its message)."""
    condition = compile_query(session, organization_id, query)
    found = list(session.scalars(page_of_passes(condition, page_size, after)))
    more = len(found) > page_size
    passes = found[:page_size]
    return PassPage(passes, encode_cursor(passes[-1]) if more else None)


def organization_pass(session: Session, organization_id: str, pass_id: str) -> Pass | None:
    """The pass, if it is this organization's: another's is as absent as a missing one."""
    if len(pass_id) > 36:  # the column's width: no such id
        return None
    pass_ = session.get(Pass, pass_id)
    return pass_ if pass_ is not None and pass_.organization_id == organization_id else None
