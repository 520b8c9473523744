"""Page arithmetic and fetching one page of a select (Passworks: page / per_page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from walletservice.services.collection_filters import CollectionQuery, FilterSpec, apply_collection_query

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 50

Item = TypeVar("Item")


@dataclass(frozen=True)
class PageRequest:
    page: int
    per_page: int

    @classmethod
    def clamped(cls, page: int, per_page: int) -> PageRequest:
        """Out-of-range numbers are brought into range, as Passworks (kaminari) does."""
        return cls(max(page, 1), min(max(per_page, 1), MAX_PER_PAGE))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page(Generic[Item]):
    items: list[Item]
    total: int
    request: PageRequest

    @property
    def total_pages(self) -> int:
        return -(-self.total // self.request.per_page)

    @property
    def next_page(self) -> int | None:
        return self.request.page + 1 if self.request.page < self.total_pages else None

    @property
    def prev_page(self) -> int | None:
        return self.request.page - 1 if self.request.page > 1 else None


def fetch_page(session: Session, statement: Select[Any], request: PageRequest) -> Page[Any]:
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    # Past the end nothing is fetched, so a huge page number never reaches the database.
    if request.offset >= total:
        return Page([], total, request)
    items = list(session.scalars(statement.limit(request.per_page).offset(request.offset)))
    return Page(items, total, request)


def fetch_filtered_page(
    session: Session, statement: Select[Any], spec: FilterSpec, query: CollectionQuery, request: PageRequest
) -> Page[Any]:
    """One page of a collection after the client's `q[...]` filters and sorts."""
    return fetch_page(session, apply_collection_query(statement, spec, query), request)
