"""Segments: named, saved queries (services.pass_query) usable as a v3 segmentId."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from walletservice.errors import BadRequest
from walletservice.models import Segment
from walletservice.services.lookups import lock_or_not_found, one_or_not_found
from walletservice.services.passcreator.pass_query import compile_query, parse_query

MAX_NAME_LENGTH = 255


def segments_of(organization_id: str) -> Select[tuple[Segment]]:
    return select(Segment).where(Segment.organization_id == organization_id).order_by(
        Segment.created_at, Segment.id)


def get_segment(session: Session, organization_id: str, segment_id: str) -> Segment:
    return one_or_not_found(session, segments_of(organization_id).where(Segment.id == segment_id), "segment")


def create_segment(session: Session, organization_id: str, name: Any, query: Any) -> Segment:
    segment = Segment(organization_id=organization_id, name=_checked_name(name),
                      query=_checked_query(session, organization_id, query))
    session.add(segment)
    session.flush()
    return segment


def update_segment(session: Session, segment: Segment, *, name: Any = None, query: Any = None) -> Segment:
    """Only what is given changes."""
    if name is not None:
        segment.name = _checked_name(name)
    if query is not None:
        segment.query = _checked_query(session, segment.organization_id, query)
    session.flush()
    return segment


def delete_segment(session: Session, segment: Segment) -> None:
    session.delete(lock_or_not_found(session, segment, "segment"))
    session.flush()


def _checked_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
        raise BadRequest(f"name must be a non-empty string of at most {MAX_NAME_LENGTH} characters")
    return name.strip()


def _checked_query(session: Session, organization_id: str, query: Any) -> dict[str, Any]:
    """Saved only if it compiles now: unknown fields and operators are refused at once."""
    compile_query(session, organization_id, parse_query(query))
    return dict(query)
