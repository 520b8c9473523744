"""Typed reads of one value inside a JSON column, identical on SQLite and PostgreSQL.

`JsonString(column, path)` is the value when it is a JSON string and NULL otherwise;
`JsonNumber` and `JsonBoolean` likewise. Reading by type keeps a query from ever
casting text to a number (an error on PostgreSQL) and makes "65" and 65 different
values on both databases. `JsonDecimalText` is the one deliberate bridge: a JSON string
that is a plain decimal (`DECIMAL_TEXT`: "61", "-1.5"; no exponent, sign only "-", at
most MAX_DECIMAL_LENGTH characters) read as its number, NULL for any other value, so
the cast cannot fail or overflow. Paths are bound parameters: one tuple of keys, written
as SQLite's '$."a"."b"' or as PostgreSQL's text[] by JsonPath.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, String, Text, TypeDecorator, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class JsonPath(TypeDecorator):
    """A tuple of object keys, bound as each database's JSON path."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(Text()))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            return list(value)
        return "$" + "".join('."' + key + '"' for key in value)


class _JsonValue(FunctionElement[Any]):
    inherit_cache = True

    def __init__(self, column: ColumnElement[Any], path: tuple[str, ...]) -> None:
        super().__init__(column, bindparam(None, tuple(path), type_=JsonPath(), unique=True))


class JsonString(_JsonValue):
    type = String()
    inherit_cache = True


class JsonNumber(_JsonValue):
    type = Float()
    inherit_cache = True


class JsonDecimalText(_JsonValue):
    type = Float()
    inherit_cache = True


# What JsonDecimalText reads as a number; the same rule in Python for callers and tests.
DECIMAL_TEXT = r"-?[0-9]+([.][0-9]+)?"
MAX_DECIMAL_LENGTH = 30  # far inside DOUBLE PRECISION's range


class JsonBoolean(_JsonValue):
    type = Boolean()
    inherit_cache = True


class TextContains(FunctionElement[bool]):
    """Case-sensitive substring test: LIKE would be case-insensitive on SQLite only."""

    type = Boolean()
    inherit_cache = True


class IndexedTextContains(FunctionElement[bool]):
    """Case-sensitive substring test that a trigram index serves on PostgreSQL:
    IndexedTextContains(text, phrase, like_pattern(phrase)). SQLite tests the phrase."""

    type = Boolean()
    inherit_cache = True


def like_pattern(phrase: str) -> str:
    """LIKE's pattern for "contains phrase": its \\, % and _ escaped (backslash is the escape)."""
    escaped = phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class BinaryOrder(FunctionElement[str]):
    """Text compared by code point on both databases (PostgreSQL's default collation is not)."""

    type = String()
    inherit_cache = True


def _parts(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses]


# -- SQLite -------------------------------------------------------------------------

_SQLITE_TYPES = {JsonString: "json_type({c}, {p}) = 'text'",
                 JsonNumber: "json_type({c}, {p}) IN ('integer', 'real')"}


@compiles(JsonString, "sqlite")
@compiles(JsonNumber, "sqlite")
def _sqlite_typed(element: _JsonValue, compiler: SQLCompiler, **kw: Any) -> str:
    column, path = _parts(element, compiler, **kw)
    test = _SQLITE_TYPES[type(element)].format(c=column, p=path)
    return f"(CASE WHEN {test} THEN json_extract({column}, {path}) END)"


@compiles(JsonDecimalText, "sqlite")
def _sqlite_decimal_text(element: JsonDecimalText, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite has no regular expressions: GLOBs on the unsigned part spell DECIMAL_TEXT
    # (starts with a digit, digits and dots only, at most one dot, not last).
    column, path = _parts(element, compiler, **kw)
    text = f"json_extract({column}, {path})"
    unsigned = f"(CASE WHEN substr({text}, 1, 1) = '-' THEN substr({text}, 2) ELSE {text} END)"
    test = (f"json_type({column}, {path}) = 'text' AND length({text}) <= {MAX_DECIMAL_LENGTH}"
            f" AND {unsigned} GLOB '[0-9]*' AND {unsigned} NOT GLOB '*[^0-9.]*'"
            f" AND {unsigned} NOT GLOB '*.*.*' AND {unsigned} NOT GLOB '*.'")
    return f"(CASE WHEN {test} THEN CAST({text} AS REAL) END)"


@compiles(JsonBoolean, "sqlite")
def _sqlite_boolean(element: JsonBoolean, compiler: SQLCompiler, **kw: Any) -> str:
    column, path = _parts(element, compiler, **kw)
    return (f"(CASE json_type({column}, {path}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)")


@compiles(TextContains, "sqlite")
def _sqlite_contains(element: TextContains, compiler: SQLCompiler, **kw: Any) -> str:
    text, part = _parts(element, compiler, **kw)
    return f"(instr({text}, {part}) > 0)"


@compiles(IndexedTextContains, "sqlite")
def _sqlite_indexed_contains(element: IndexedTextContains, compiler: SQLCompiler, **kw: Any) -> str:
    text, phrase, _pattern = _parts(element, compiler, **kw)
    return f"(instr({text}, {phrase}) > 0)"


@compiles(BinaryOrder, "sqlite")
def _sqlite_binary(element: BinaryOrder, compiler: SQLCompiler, **kw: Any) -> str:
    (text,) = _parts(element, compiler, **kw)
    return f"({text})"  # SQLite's default BINARY collation already is code point order


# -- PostgreSQL ---------------------------------------------------------------------

_POSTGRESQL_TYPES = {JsonString: "string", JsonNumber: "number", JsonBoolean: "boolean"}
_POSTGRESQL_CASTS = {JsonString: "{v}", JsonNumber: "CAST({v} AS DOUBLE PRECISION)", JsonBoolean: "({v} = 'true')"}


@compiles(JsonString, "postgresql")
@compiles(JsonNumber, "postgresql")
@compiles(JsonBoolean, "postgresql")
def _postgresql_typed(element: _JsonValue, compiler: SQLCompiler, **kw: Any) -> str:
    column, path = _parts(element, compiler, **kw)
    kind = _POSTGRESQL_TYPES[type(element)]
    value = _POSTGRESQL_CASTS[type(element)].format(v=f"({column} #>> {path})")
    return f"(CASE WHEN jsonb_typeof({column} #> {path}) = '{kind}' THEN {value} END)"


@compiles(JsonDecimalText, "postgresql")
def _postgresql_decimal_text(element: JsonDecimalText, compiler: SQLCompiler, **kw: Any) -> str:
    column, path = _parts(element, compiler, **kw)
    text = f"({column} #>> {path})"
    test = (f"jsonb_typeof({column} #> {path}) = 'string' AND length({text}) <= {MAX_DECIMAL_LENGTH}"
            f" AND {text} ~ '^{DECIMAL_TEXT}$'")
    return f"(CASE WHEN {test} THEN CAST({text} AS DOUBLE PRECISION) END)"


@compiles(TextContains, "postgresql")
def _postgresql_contains(element: TextContains, compiler: SQLCompiler, **kw: Any) -> str:
    text, part = _parts(element, compiler, **kw)
    return f"(strpos({text}, {part}) > 0)"


@compiles(IndexedTextContains, "postgresql")
def _postgresql_indexed_contains(element: IndexedTextContains, compiler: SQLCompiler, **kw: Any) -> str:
    # LIKE, not strpos(): pg_trgm's GIN operator class serves LIKE (still case-sensitive).
    text, _phrase, pattern = _parts(element, compiler, **kw)
    return f"({text} LIKE {pattern} ESCAPE '\\')"


@compiles(BinaryOrder, "postgresql")
def _postgresql_binary(element: BinaryOrder, compiler: SQLCompiler, **kw: Any) -> str:
    (text,) = _parts(element, compiler, **kw)
    return f'(({text}) COLLATE "C")'
