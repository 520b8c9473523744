"""Fetching one object the caller may see, or a 404 that reveals nothing more."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from walletservice.errors import NotFound

Row = TypeVar("Row")


def one_or_not_found(session: Session, statement: Select[tuple[Row]], what: str) -> Row:
    """The single row of an organization-scoped select; another organization's id
    is answered exactly like an id that never existed."""
    found: Any = session.execute(statement).scalar_one_or_none()
    if found is None:
        raise NotFound(f"{what} not found")
    return found  # type: ignore[no-any-return]
