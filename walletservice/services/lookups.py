"""Fetching one object the caller may see, or a 404 that reveals nothing more."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from walletservice.db import select_for_update
from walletservice.errors import NotFound

Row = TypeVar("Row")


def one_or_not_found(session: Session, statement: Select[tuple[Row]], what: str) -> Row:
    """The single row of an organization-scoped select; another organization's id
    is answered exactly like an id that never existed."""
    found: Any = session.execute(statement).scalar_one_or_none()
    if found is None:
        raise NotFound(f"{what} not found")
    return found  # type: ignore[no-any-return]


def lock_or_not_found(session: Session, row: Row, what: str) -> Row:
    """`row` re-read under its row lock for deleting it: of two DELETEs at once, the one
    that waited finds it gone and answers 404, not a second 200 with a second "removed"."""
    model: Any = type(row)
    locked = select_for_update(session, select(model).where(model.id == row.id))
    if not locked:
        raise NotFound(f"{what} not found")
    return locked[0]  # type: ignore[no-any-return]
