"""JSON bodies and Passworks' pagination headers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import Response, current_app
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import Session

from walletservice.api.schemas.common import PageQuery
from walletservice.db import transaction
from walletservice.services.collection_filters import CollectionQuery, FilterSpec
from walletservice.services.pagination import Page, fetch_filtered_page

PAGINATION_HEADERS = {
    "X-Total": "Total number of items found.",
    "X-Total-Pages": "Total number of pages.",
    "X-Page": "The current page.",
    "X-Per-Page": "Items per page.",
    "X-Next-Page": "The next page, empty on the last page.",
    "X-Prev-Page": "The previous page, empty on the first page.",
    "X-Offset": "Items skipped before this page: (page - 1) * per_page.",
}


def json_response(body: BaseModel | Sequence[BaseModel], status: int = 200) -> Response:
    if isinstance(body, BaseModel):
        payload: Any = body.model_dump(mode="json")
    else:
        payload = [item.model_dump(mode="json") for item in body]
    response = current_app.json.response(payload)
    response.status_code = status
    return response


def page_response(items: Sequence[BaseModel], page: Page[Any]) -> Response:
    response = json_response(items)
    values = {
        "X-Total": page.total,
        "X-Total-Pages": page.total_pages,
        "X-Page": page.request.page,
        "X-Per-Page": page.request.per_page,
        "X-Next-Page": page.next_page,
        "X-Prev-Page": page.prev_page,
        "X-Offset": page.request.offset,
    }
    for name, value in values.items():
        response.headers[name] = "" if value is None else str(value)
    return response


def collection_response(
    statement: Select[Any], spec: FilterSpec, filters: CollectionQuery, query: PageQuery,
    present: Callable[[Session, list[Any]], Sequence[BaseModel]],
) -> Response:
    """One page of a collection, filtered and sorted as asked, rendered by `present`."""
    with transaction(write=False) as session:
        page = fetch_filtered_page(session, statement, spec, filters, query.page_request())
        items = present(session, page.items)
    return page_response(items, page)


def public_url(path: str) -> str:
    """Links in bodies use the configured public URL, not whatever Host was sent."""
    return current_app.config["WALLET_PUBLIC_URL"] + path
