"""Passworks' `q[...]` filters and sorts (ransack syntax), compiled to SQLAlchemy.

`q[name_eq]=Toy Town`, `q[created_at_gteq]=2024-01-01`, `q[s]=created_at desc`
(v2/sorting.md). Each resource whitelists the attributes that may be used; a value is
converted to its attribute's type and always bound as a parameter, never spliced in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.sql.elements import ColumnElement

from walletservice.errors import InvalidInput
from walletservice.passkit.dates import check_date_in_range

Compare = Callable[[Any, Any], ColumnElement[bool]]

PREDICATES: dict[str, Compare] = {
    "eq": lambda column, value: column == value,
    "not_eq": lambda column, value: column != value,
    "lt": lambda column, value: column < value,
    "lteq": lambda column, value: column <= value,
    "gt": lambda column, value: column > value,
    "gteq": lambda column, value: column >= value,
    # ransack's cont is ILIKE '%value%' with the value's own wildcards escaped.
    "cont": lambda column, value: column.icontains(value, autoescape=True),
    # The client's own LIKE pattern; sorting.md names it `match`, ransack `matches`.
    # Backslash escapes on both databases (PostgreSQL's default, SQLite has none).
    "matches": lambda column, value: column.like(value, escape="\\"),
    "match": lambda column, value: column.like(value, escape="\\"),
}
TEXT_PREDICATES = frozenset({"cont", "matches", "match"})
# Longest first, so `name_not_eq` is (name, not_eq) rather than (name_not, eq).
_PREDICATES_LONGEST_FIRST = sorted(PREDICATES, key=len, reverse=True)
_QUERY_KEY = re.compile(r"^q\[(?P<key>[A-Za-z0-9_]+)\](?P<array>\[\])?$")
_SORT = re.compile(r"^\s*(?P<attribute>[A-Za-z0-9_]+)(?:\s+(?P<direction>asc|desc))?\s*$", re.IGNORECASE)
_INTEGER = re.compile(r"^[+-]?\d{1,18}$")  # fits a 64-bit column on every database
MAX_TEXT_VALUE = 1000


@dataclass(frozen=True)
class Attribute:
    """A whitelisted attribute: the column it reads and the Python type of its values."""

    column: Any
    kind: type  # str, int, bool or dt.datetime


@dataclass(frozen=True)
class FilterSpec:
    """What one collection may be filtered and sorted by."""

    attributes: Mapping[str, Attribute]
    # The primary key: orders ties, so a row never shows on two pages.
    tiebreaker: Any
    # Oldest first: rows created while a client pages through land on the last page.
    default_sort: tuple[str, bool] = ("created_at", False)


@dataclass(frozen=True)
class Condition:
    attribute: str
    predicate: str
    value: Any


@dataclass(frozen=True)
class SortKey:
    attribute: str
    descending: bool


@dataclass(frozen=True)
class CollectionQuery:
    conditions: tuple[Condition, ...] = ()
    sorts: tuple[SortKey, ...] = ()


def parse_collection_query(args: Iterable[tuple[str, str]], spec: FilterSpec) -> CollectionQuery:
    """Read every `q[...]` argument; other arguments (page, per_page) are not ours."""
    conditions: list[Condition] = []
    sorts: list[SortKey] = []
    for name, raw in args:
        if not name.startswith("q["):
            continue
        match = _QUERY_KEY.match(name)
        if match is None:
            raise InvalidInput(f"{name} is not a filter; use q[attribute_predicate] or q[s]")
        key = match.group("key")
        if key == "s":
            sorts.append(_parse_sort(raw, spec))
        elif match.group("array"):
            raise InvalidInput(f"{name}: list values are not supported")
        elif raw.strip():  # ransack ignores blank values
            conditions.append(_parse_condition(key, raw, spec))
    return CollectionQuery(tuple(conditions), tuple(sorts))


def _parse_condition(key: str, raw: str, spec: FilterSpec) -> Condition:
    attribute, predicate = _split_key(key, spec)
    kind = spec.attributes[attribute].kind
    if predicate in TEXT_PREDICATES and kind is not str:
        raise InvalidInput(f"q[{key}]: {predicate} applies to text attributes only")
    if kind is bool and predicate not in ("eq", "not_eq"):
        raise InvalidInput(f"q[{key}]: true/false attributes take eq or not_eq only")
    if predicate in ("matches", "match") and _ends_in_escape(raw):
        raise InvalidInput(f"q[{key}]: a LIKE pattern cannot end with an escaping backslash")
    return Condition(attribute, predicate, _convert(raw, kind, f"q[{key}]"))


def _ends_in_escape(pattern: str) -> bool:
    return (len(pattern) - len(pattern.rstrip("\\"))) % 2 == 1


def _split_key(key: str, spec: FilterSpec) -> tuple[str, str]:
    candidates = [
        (key[: -len(predicate) - 1], predicate)
        for predicate in _PREDICATES_LONGEST_FIRST
        if key.endswith("_" + predicate) and len(key) > len(predicate) + 1
    ]
    for attribute, predicate in candidates:
        if attribute in spec.attributes:
            return attribute, predicate
    allowed = ", ".join(sorted(spec.attributes))
    if not candidates:
        raise InvalidInput(
            f"q[{key}]: unknown predicate; use one of {', '.join(sorted(PREDICATES))} after the attribute"
        )
    raise InvalidInput(f"q[{key}]: unknown attribute {candidates[0][0]!r}; filterable attributes: {allowed}")


def _parse_sort(raw: str, spec: FilterSpec) -> SortKey:
    match = _SORT.match(raw)
    if match is None:
        raise InvalidInput("q[s] must be 'attribute asc' or 'attribute desc'")
    attribute = match.group("attribute")
    if attribute not in spec.attributes:
        allowed = ", ".join(sorted(spec.attributes))
        raise InvalidInput(f"q[s]: unknown attribute {attribute!r}; sortable attributes: {allowed}")
    return SortKey(attribute, (match.group("direction") or "asc").lower() == "desc")


def _convert(raw: str, kind: type, name: str) -> Any:
    if kind is int:
        if not _INTEGER.match(raw.strip()):
            raise InvalidInput(f"{name} must be an integer")
        return int(raw)
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered not in ("true", "false", "1", "0", "t", "f"):
            raise InvalidInput(f"{name} must be true or false")
        return lowered in ("true", "1", "t")
    if kind is dt.datetime:
        return _parse_datetime(raw.strip(), name)
    if "\x00" in raw or len(raw) > MAX_TEXT_VALUE:
        raise InvalidInput(f"{name} must be text of at most {MAX_TEXT_VALUE} characters")
    return raw


def _parse_datetime(raw: str, name: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{name} must be an ISO 8601 date or time, e.g. 2024-01-31T12:00:00Z") from None
    if value.tzinfo is None:  # the API speaks UTC
        value = value.replace(tzinfo=dt.timezone.utc)
    check_date_in_range(value, name, InvalidInput)
    try:
        return value.astimezone(dt.timezone.utc)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 is before year 1 in UTC
        raise InvalidInput(f"{name} is out of range") from None


def apply_collection_query(statement: Select[Any], spec: FilterSpec, query: CollectionQuery) -> Select[Any]:
    """Add the filters and the order to a select."""
    for condition in query.conditions:
        column = spec.attributes[condition.attribute].column
        statement = statement.where(PREDICATES[condition.predicate](column, condition.value))
    sorts = query.sorts or (SortKey(*spec.default_sort),)
    # NULLs last both ways: SQLite and PostgreSQL disagree on the default.
    order = [
        (spec.attributes[key.attribute].column.desc() if key.descending
         else spec.attributes[key.attribute].column.asc()).nulls_last()
        for key in sorts
    ]
    return statement.order_by(*order, spec.tiebreaker)
