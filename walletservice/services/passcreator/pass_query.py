"""Passcreator's query language, compiled to a SQLAlchemy condition on passes.

    {"templateId": "...", "searchPhrase": "Ada",
     "groups": [[{"field": "firstname", "operator": "contains", "value": ["Ada", "Bob"]}, ...], ...]}

Groups are ORed, the conditions of a group ANDed, the values of a condition ORed.
Negative operators (notEquals, doesNotContain) hold when no value matches. A field is
a pass property (STANDARD_FIELDS) or an additional property: a dynamic field of a
template, by key or by name (label). Stored JSON values are compared by their JSON
type: a number query value compares with numbers and with strings that are plain
decimals ("61", "-1.5": json_values.DECIMAL_TEXT), a string with strings (by code
point, case-sensitive), a boolean with booleans; `empty` is missing, null or "".
Every value is a bound parameter and the result is always limited to one organization.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, literal, not_, or_, select, true
from sqlalchemy.orm import Session

from walletservice.errors import BadRequest, DomainError
from walletservice.json_bodies import parse_json_body
from walletservice.passkit.dates import check_date_in_range
from walletservice.models import Campaign, Pass
from walletservice.plumbing.json_values import (
    BinaryOrder,
    JsonBoolean,
    JsonDecimalText,
    JsonNumber,
    JsonString,
    IndexedTextContains,
    TextContains,
    like_pattern,
)
from walletservice.services.passworks_mapping import DYNAMIC, FIELD_LISTS

OPERATORS = (
    "equals", "notEquals", "contains", "doesNotContain", "greaterThan", "greaterThanOrEquals",
    "lowerThan", "lowerThanOrEquals", "beginsWith", "endsWith", "empty", "notEmpty", "isTrue", "isFalse",
)
UNARY_OPERATORS = ("empty", "notEmpty", "isTrue", "isFalse")
NEGATIONS = {"notEquals": "equals", "doesNotContain": "contains", "notEmpty": "empty"}
TEXT_OPERATORS = ("contains", "beginsWith", "endsWith")
ORDER_OPERATORS = {"greaterThan": "__gt__", "greaterThanOrEquals": "__ge__",
                   "lowerThan": "__lt__", "lowerThanOrEquals": "__le__"}
MAX_GROUPS = 50
MAX_CONDITIONS = 50
MAX_VALUES = 100
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    values: tuple[Any, ...] = ()


@dataclass(frozen=True)
class PassQuery:
    template_id: str | None = None
    search_phrase: str | None = None
    groups: tuple[tuple[Condition, ...], ...] = ()


# -- reading a query ----------------------------------------------------------------

def parse_query(raw: Any) -> PassQuery:
    """A PassQuery from the JSON object; BadRequest naming what is wrong."""
    if not isinstance(raw, Mapping):
        raise BadRequest("query must be an object with templateId, searchPhrase and groups")
    template_id = _optional_text(raw.get("templateId"), "templateId")
    phrase = _optional_text(raw.get("searchPhrase"), "searchPhrase")
    groups = raw.get("groups") or []
    if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
        raise BadRequest(f"query.groups must be a list of at most {MAX_GROUPS} lists of conditions")
    return PassQuery(template_id, phrase or None, tuple(_group(group, index) for index, group in enumerate(groups)))


def decode_query_parameter(text: str) -> PassQuery:
    """The `query` URL parameter: base64url (padding optional) of the JSON query. Standard
    base64 is read too, its "+" also when sent unescaped (the URL turns it into a space)."""
    text = text.replace(" ", "+")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise BadRequest("query must be base64url-encoded JSON") from None
    try:
        payload = parse_json_body(raw)
    except DomainError as exc:
        raise BadRequest(f"query must be base64url-encoded JSON: {exc.message}") from None
    return parse_query(payload)


def encode_query_parameter(raw: Mapping[str, Any]) -> str:
    """The inverse of decode_query_parameter, unpadded."""
    text = json.dumps(raw, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def identifiers_query(identifiers: list[str]) -> dict[str, Any]:
    """The passes with these identifiers as a query: one group per MAX_VALUES of them."""
    chunks = [identifiers[start:start + MAX_VALUES] for start in range(0, len(identifiers), MAX_VALUES)]
    return {"groups": [[{"field": "identifier", "operator": "equals", "value": chunk}] for chunk in chunks]}


def _optional_text(value: Any, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"query.{name} must be a string")
    return value


def _group(group: Any, index: int) -> tuple[Condition, ...]:
    if not isinstance(group, list) or len(group) > MAX_CONDITIONS:
        raise BadRequest(f"query.groups[{index}] must be a list of at most {MAX_CONDITIONS} conditions")
    return tuple(_condition(item, f"query.groups[{index}][{position}]") for position, item in enumerate(group))


def _condition(item: Any, where: str) -> Condition:
    if not isinstance(item, Mapping) or not isinstance(item.get("field"), str):
        raise BadRequest(f"{where} must be an object with field, operator and value")
    operator = item.get("operator")
    if operator not in OPERATORS:
        raise BadRequest(f"{where}: unknown operator {operator!r}; use one of {', '.join(OPERATORS)}")
    values = item.get("value", [])
    values = values if isinstance(values, list) else [values]
    if operator not in UNARY_OPERATORS and not values:
        raise BadRequest(f"{where}: operator {operator} needs at least one value")
    if len(values) > MAX_VALUES or not all(_is_scalar(value) for value in values):
        raise BadRequest(f"{where}: value must be a list of at most {MAX_VALUES} strings, numbers or booleans")
    return Condition(item["field"], operator, tuple(values))


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) and value == value  # NaN is no value


# -- the fields ---------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """Where a field's value is read: a plain column of a kind, or a JSON column and path."""

    kind: str  # text | boolean | datetime | json | json_date
    column: Any
    path: tuple[str, ...] = ()


STANDARD_FIELDS: dict[str, Target] = {
    "identifier": Target("text", Pass.id),
    "userProvidedId": Target("text", Pass.user_provided_id),
    "templateId": Target("text", Pass.campaign_id),
    "voided": Target("boolean", Pass.voided),
    "createdOn": Target("datetime", Pass.created_at),
    "modifiedOn": Target("datetime", Pass.modified_at),
    "lastUsage": Target("datetime", Pass.redeemed_at),
    "firstDownloadedAt": Target("datetime", Pass.first_downloaded_at),
    "barcodeValue": Target("json", Pass.content, ("barcode", "message")),
    "expirationDate": Target("json_date", Pass.content, ("expirationDate",)),
    "relevantDate": Target("json_date", Pass.content, ("relevantDate",)),
    "storedValue": Target("json", Pass.extra, ("storedValue",)),
    "bundleId": Target("json", Pass.extra, ("bundleId",)),
    "groupingIdentifier": Target("json", Pass.extra, ("groupingIdentifier",)),
}


@dataclass(frozen=True)
class Property:
    """A template's additional property: a dynamic field, by key and by name."""

    key: str
    name: str


def template_properties(campaign: Campaign) -> list[Property]:
    """The campaign's dynamic fields (behaviour "dynamic", or no value of their own)."""
    behaviours = (campaign.settings or {}).get("behaviours") or {}
    found: dict[str, Property] = {}
    for apple_name in FIELD_LISTS.values():
        for design_field in campaign.design.get(apple_name) or []:
            key = design_field.get("key")
            if key and (behaviours.get(key) == DYNAMIC or design_field.get("value") is None):
                found.setdefault(key, Property(key, str(design_field.get("label") or key)))
    return list(found.values())


@dataclass
class FieldCatalog:
    """Names a query may use, for one organization (and template, when given)."""

    properties: list[Property] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session, organization_id: str, template_id: str | None) -> FieldCatalog:
        statement = select(Campaign).where(Campaign.organization_id == organization_id)
        if template_id is not None:
            statement = statement.where(Campaign.id == template_id)
        return cls([prop for campaign in session.scalars(statement) for prop in template_properties(campaign)])

    def keys_for(self, name: str) -> list[str]:
        """Property keys a name means: keys first, then names (labels), case-insensitively."""
        by_key = [prop.key for prop in self.properties if prop.key == name]
        if by_key:
            return sorted(set(by_key))
        return sorted({prop.key for prop in self.properties if prop.name.lower() == name.lower()})

    def targets_for(self, name: str) -> list[Target]:
        if name in STANDARD_FIELDS:
            return [STANDARD_FIELDS[name]]
        keys = self.keys_for(name)
        if not keys:
            raise BadRequest(f"unknown field {name!r}: not a pass property nor an additional property")
        return [Target("json", Pass.values, ("fields", key)) for key in keys]

    @property
    def all_keys(self) -> list[str]:
        return sorted({prop.key for prop in self.properties})


# -- compiling ----------------------------------------------------------------------

def compile_query(session: Session, organization_id: str, query: PassQuery) -> ColumnElement[bool]:
    """The WHERE condition selecting the query's passes of this organization only."""
    catalog = FieldCatalog.load(session, organization_id, query.template_id)
    conditions: list[ColumnElement[bool]] = [Pass.organization_id == organization_id]
    if query.template_id is not None:
        conditions.append(Pass.campaign_id == query.template_id)
    if query.search_phrase:
        conditions.append(_search(query.search_phrase, catalog))
    if query.groups:
        conditions.append(or_(*(and_(true(), *(_condition_sql(catalog, c) for c in group))
                                for group in query.groups)))
    return and_(*conditions)


def _search(phrase: str, catalog: FieldCatalog) -> ColumnElement[bool]:
    """searchPhrase: a substring (case-sensitive) of the identifier, userProvidedId, barcode
    or any property. Pass.search_text holds all of these and more (every string field), so
    its test only narrows, through the trigram index on PostgreSQL; the per-value tests decide."""
    texts: list[Any] = [Pass.id, Pass.user_provided_id, JsonString(Pass.content, ("barcode", "message"))]
    texts += [JsonString(Pass.values, ("fields", key)) for key in catalog.all_keys]
    # The pattern is written into the SQL (escaped by SQLAlchemy), not bound: a prepared
    # statement's generic plan cannot know how selective the phrase is and, from the 11th
    # search on a connection, reads the whole trigram index for a common or short phrase.
    pattern = literal(like_pattern(phrase), literal_execute=True)
    narrowed = IndexedTextContains(Pass.search_text, literal(phrase), pattern)
    return and_(narrowed, or_(*(TextContains(text, literal(phrase)) for text in texts)))


def _condition_sql(catalog: FieldCatalog, condition: Condition) -> ColumnElement[bool]:
    targets = catalog.targets_for(condition.field)
    positive = NEGATIONS.get(condition.operator, condition.operator)
    matches = or_(*(_positive(target, positive, condition) for target in targets))
    if positive != condition.operator:
        return not_(func.coalesce(matches, false()))
    return matches


def _positive(target: Target, operator: str, condition: Condition) -> ColumnElement[bool]:
    compile_for_kind = _KINDS[target.kind]
    return compile_for_kind(target, operator, condition)


def _unsupported(condition: Condition, kind: str) -> BadRequest:
    return BadRequest(f"operator {condition.operator} does not apply to field {condition.field!r} ({kind})")


def _text_column(target: Target, operator: str, condition: Condition) -> ColumnElement[bool]:
    column = target.column
    if operator == "empty":
        return or_(column.is_(None), column == "")
    if operator in ("isTrue", "isFalse"):
        raise _unsupported(condition, "text")
    return _text_matches(column, operator, [_as_text(value, condition) for value in condition.values])


def _text_matches(text: Any, operator: str, values: Iterable[str]) -> ColumnElement[bool]:
    return or_(*(_text_match(text, operator, value) for value in values))


def _text_match(text: Any, operator: str, value: str) -> ColumnElement[bool]:
    bound = literal(value)
    if operator == "equals":
        return text == bound
    if operator == "contains":
        return TextContains(text, bound)
    if operator == "beginsWith":
        return func.substr(text, 1, func.length(bound)) == bound
    if operator == "endsWith":
        start = func.length(text) - func.length(bound) + 1
        return and_(func.length(text) >= func.length(bound), func.substr(text, start) == bound)
    compare: Callable[[Any], ColumnElement[bool]] = getattr(BinaryOrder(text), ORDER_OPERATORS[operator])
    return compare(BinaryOrder(bound))


def _as_text(value: Any, condition: Condition) -> str:
    if isinstance(value, bool):
        raise BadRequest(f"field {condition.field!r} holds text: compare it with strings or numbers")
    return value if isinstance(value, str) else _number_text(value)


def _number_text(value: int | float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _boolean_column(target: Target, operator: str, condition: Condition) -> ColumnElement[bool]:
    column = target.column
    if operator == "empty":
        return column.is_(None)
    if operator in ("isTrue", "isFalse"):
        return column.is_(operator == "isTrue")
    if operator != "equals":
        raise _unsupported(condition, "boolean")
    return or_(*(column.is_(_as_boolean(value, condition)) for value in condition.values))


def _as_boolean(value: Any, condition: Condition) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BadRequest(f"field {condition.field!r} is true or false: compare it with booleans")


def _datetime_column(target: Target, operator: str, condition: Condition) -> ColumnElement[bool]:
    column = target.column
    if operator == "empty":
        return column.is_(None)
    if operator == "equals":
        return or_(*(column == parse_query_date(value, condition.field) for value in condition.values))
    if operator not in ORDER_OPERATORS:
        raise _unsupported(condition, "date")
    compare = ORDER_OPERATORS[operator]
    return or_(*(getattr(column, compare)(parse_query_date(value, condition.field)) for value in condition.values))


def parse_query_date(value: Any, field_name: str) -> dt.datetime:
    """"Y-m-d H:i" (Passcreator), with seconds, or a day; read as UTC."""
    if isinstance(value, str):
        for date_format in DATE_FORMATS:
            try:
                moment = dt.datetime.strptime(value.strip(), date_format).replace(tzinfo=dt.timezone.utc)
            except ValueError:
                continue
            return check_date_in_range(moment, f"field {field_name!r}", BadRequest)
    raise BadRequest(f"field {field_name!r} is a date: use Y-m-d H:i, e.g. 2055-12-31 00:00")


def _json_date(target: Target, operator: str, condition: Condition) -> ColumnElement[bool]:
    """Pass dates are stored as "YYYY-MM-DDTHH:MM:SSZ" text, which sorts like the time."""
    if operator in ("isTrue", "isFalse") or operator in TEXT_OPERATORS:
        raise _unsupported(condition, "date")
    if operator == "empty":
        return _json_value(target, "empty", condition)
    stamps = [parse_query_date(value, condition.field).strftime("%Y-%m-%dT%H:%M:%SZ") for value in condition.values]
    return _text_matches(JsonString(target.column, target.path), operator, stamps)


def _json_value(target: Target, operator: str, condition: Condition) -> ColumnElement[bool]:
    string = JsonString(target.column, target.path)
    number = JsonNumber(target.column, target.path)
    decimal_text = JsonDecimalText(target.column, target.path)
    boolean = JsonBoolean(target.column, target.path)
    if operator == "empty":
        return and_(or_(string.is_(None), string == ""), number.is_(None), boolean.is_(None))
    if operator in ("isTrue", "isFalse"):
        return boolean.is_(operator == "isTrue")
    matches = []
    for value in condition.values:
        if operator in TEXT_OPERATORS:
            matches.append(_text_match(string, operator, _as_text(value, condition)))
        elif isinstance(value, bool):
            if operator != "equals":
                raise BadRequest(f"{operator} compares numbers or strings, not {value!r}")
            matches.append(boolean.is_(value))
        elif isinstance(value, (int, float)):
            # Passcreator's properties are strings, and its own example filters age with a number.
            compare = ORDER_OPERATORS.get(operator, "__eq__")
            matches.extend(getattr(stored, compare)(literal(float(value))) for stored in (number, decimal_text))
        else:
            matches.append(_text_match(string, operator, value))
    return or_(*matches)


_KINDS: dict[str, Callable[[Target, str, Condition], ColumnElement[bool]]] = {
    "text": _text_column,
    "boolean": _boolean_column,
    "datetime": _datetime_column,
    "json": _json_value,
    "json_date": _json_date,
}
