"""The query language: compiled SQL agrees with a plain Python reading of the rules,
on whichever database the suite runs (SQLite or PostgreSQL), and stays in one organization."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from tests.v3.conftest import make_template, raw_pass
from tests.v3.query_oracle import query_matches
from walletservice.db import transaction
from walletservice.errors import BadRequest
from walletservice.models import Pass
from walletservice.services.passcreator.pass_query import compile_query, decode_query_parameter, parse_query

# "6", "." and "-" make strings that are decimals ("61", "-1.6") and near misses ("6.", ".1", "1-6").
TEXTS = st.text(alphabet="aAbé16.- ", max_size=3)
NUMBERS = st.sampled_from([-2, -1.5, 0, 0.25, 1, 2, 3.5, 60, 61])
SCALARS = st.one_of(TEXTS, NUMBERS, st.booleans())
STORED = st.one_of(st.none(), SCALARS)
BASE_TIME = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
DATES = st.integers(0, 5).map(lambda hours: (BASE_TIME + dt.timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M"))
TEXT_OPERATORS = ["equals", "notEquals", "contains", "doesNotContain", "beginsWith", "endsWith",
                  "greaterThan", "greaterThanOrEquals", "lowerThan", "lowerThanOrEquals", "empty", "notEmpty"]
ORDER_OPERATORS = ["greaterThan", "greaterThanOrEquals", "lowerThan", "lowerThanOrEquals"]
# field -> kind, as in pass_query.STANDARD_FIELDS plus the template's properties
FIELDS = {"userProvidedId": "text", "identifier": "text", "voided": "boolean", "createdOn": "datetime",
          "storedValue": "json", "bundleId": "json", "barcodeValue": "json",
          "firstname": "json", "First name": "json", "age": "json", "Age": "json"}


@st.composite
def conditions(draw: Any) -> dict[str, Any]:
    field = draw(st.sampled_from(sorted(FIELDS)))
    kind = FIELDS[field]
    if kind == "boolean":
        operator = draw(st.sampled_from(["equals", "notEquals", "isTrue", "isFalse", "empty", "notEmpty"]))
        values = draw(st.lists(st.booleans(), min_size=1, max_size=2))
    elif kind == "datetime":
        operator = draw(st.sampled_from(["equals", "notEquals", "empty", "notEmpty", *ORDER_OPERATORS]))
        values = draw(st.lists(DATES, min_size=1, max_size=2))
    elif kind == "text":
        operator = draw(st.sampled_from(TEXT_OPERATORS))
        values = draw(st.lists(st.one_of(TEXTS, NUMBERS), min_size=1, max_size=3))
    else:
        operator = draw(st.sampled_from(TEXT_OPERATORS + ["isTrue", "isFalse"]))
        plain = operator in ("equals", "notEquals")
        values = draw(st.lists(SCALARS if plain else st.one_of(TEXTS, NUMBERS), min_size=1, max_size=3))
    return {"field": field, "operator": operator, "value": values}


@st.composite
def queries(draw: Any) -> dict[str, Any]:
    query: dict[str, Any] = {"groups": draw(st.lists(st.lists(conditions(), min_size=1, max_size=3), max_size=3))}
    if draw(st.booleans()):
        query["searchPhrase"] = draw(TEXTS)
    return query


@st.composite
def pass_rows(draw: Any) -> dict[str, Any]:
    extra = {name: value for name, value in
             (("storedValue", draw(STORED)), ("bundleId", draw(st.one_of(st.none(), TEXTS)))) if value is not None}
    fields = {key: draw(STORED) for key in ("firstname", "age") if draw(st.booleans())}
    barcode = draw(st.one_of(st.none(), TEXTS))
    return {
        "user_provided_id": draw(st.one_of(st.none(), TEXTS)), "voided": draw(st.booleans()),
        "created_at": BASE_TIME + dt.timedelta(hours=draw(st.integers(0, 5))),
        "extra": extra, "values": {"fields": fields},
        "content": {"barcode": {"message": barcode}} if barcode is not None else {},
    }


@pytest.fixture
def world(account: Any, other_account: Any) -> dict[str, str]:
    return {"org": account.id, "template": make_template(account.id),
            "other_org": other_account.id, "other_template": make_template(other_account.id)}


def store(world: dict[str, str], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Write the rows for our organization and copies for another; our rows with ids."""
    with transaction() as session:
        session.execute(delete(Pass))
        stored = []
        for row in rows:
            ours = raw_pass(world["org"], world["template"], **row)
            session.add(ours)
            session.add(raw_pass(world["other_org"], world["other_template"], **row))
            session.flush()
            stored.append({**row, "id": ours.id, "campaign_id": world["template"]})
    return stored


def sql_matches(organization_id: str, query: dict[str, Any]) -> set[str]:
    with transaction(write=False) as session:
        condition = compile_query(session, organization_id, parse_query(query))
        return set(session.scalars(select(Pass.id).where(condition)))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(pass_rows(), max_size=6), query=queries())
def test_compiled_query_selects_exactly_what_the_rules_say(world: dict[str, str], rows: list[dict[str, Any]],
                                                            query: dict[str, Any]) -> None:
    stored = store(world, rows)
    expected = {row["id"] for row in stored if query_matches(row, query, ["age", "firstname"])}
    assert sql_matches(world["org"], query) == expected


def test_the_documented_example_query_selects_the_right_passes(world: dict[str, str]) -> None:
    rows = [
        {"values": {"fields": {"firstname": "Davide", "country": "Germany", "age": 61}}},   # group 1
        {"values": {"fields": {"firstname": "Ray", "country": "Germany", "age": 60}}},      # age not > 60
        {"values": {"fields": {"firstname": "Marcus", "country": "Spain"}}},                # group 2
        {"values": {"fields": {"firstname": "Alexandra", "country": "France"}}},            # no
    ]
    stored = store(world, rows)
    query = {"templateId": world["template"], "groups": [
        [{"field": "firstname", "operator": "contains", "value": ["David", "Ray", "Timo"]},
         {"field": "country", "operator": "equals", "value": ["Germany"]},
         {"field": "age", "operator": "greaterThan", "value": [60]}],
        [{"field": "firstname", "operator": "contains", "value": ["Alex", "Marc"]},
         {"field": "country", "operator": "equals", "value": ["Spain"]}],
    ]}
    assert sql_matches(world["org"], query) == {stored[0]["id"], stored[2]["id"]}


def test_the_documented_example_also_selects_ages_stored_as_strings(world: dict[str, str]) -> None:
    """The reference types additional properties as strings and filters age with a number."""
    ages = ["61", "60", "60.5", "-61", "61abc", "1e3", " 61", "6.", ".5", "9" * 40, 61.5, True]
    stored = store(world, [{"values": {"fields": {"age": age}}} for age in ages])
    by_age = {repr(row["values"]["fields"]["age"]): row["id"] for row in stored}

    def selected(operator: str, value: float) -> set[str]:
        ids = sql_matches(world["org"], {"groups": [[{"field": "age", "operator": operator, "value": [value]}]]})
        return {age for age, identifier in by_age.items() if identifier in ids}

    assert selected("greaterThan", 60) == {"'61'", "'60.5'", "61.5"}
    assert selected("equals", 60) == {"'60'"}
    assert selected("lowerThan", 0) == {"'-61'"}
    assert selected("notEquals", 61) == set(by_age) - {"'61'"}


def test_another_templates_id_finds_nothing_of_ours(world: dict[str, str]) -> None:
    store(world, [{"user_provided_id": "x"}])
    assert sql_matches(world["org"], {"templateId": world["other_template"]}) == set()


@pytest.mark.parametrize(("query", "message"), [
    ({"groups": [[{"field": "shoeSize", "operator": "equals", "value": ["42"]}]]}, "unknown field 'shoeSize'"),
    ({"groups": [[{"field": "firstname", "operator": "like", "value": ["A"]}]]}, "unknown operator 'like'"),
    ({"groups": [[{"field": "voided", "operator": "contains", "value": ["t"]}]]}, "does not apply to field 'voided'"),
    ({"groups": [[{"field": "createdOn", "operator": "greaterThan", "value": ["soon"]}]]}, "is a date"),
    ({"groups": [[{"field": "firstname", "operator": "equals", "value": []}]]}, "needs at least one value"),
    ({"groups": [[{"field": "firstname", "operator": "equals", "value": [{"a": 1}]}]]}, "strings, numbers or booleans"),
    ({"groups": "all"}, "query.groups must be a list"),
    ([], "query must be an object"),
])
def test_bad_queries_are_refused_naming_the_problem(world: dict[str, str], query: Any, message: str) -> None:
    with pytest.raises(BadRequest) as raised:
        sql_matches(world["org"], query)
    assert message in raised.value.message


def test_query_parameter_is_base64url_json_with_or_without_padding() -> None:
    import base64
    import json
    encoded = base64.urlsafe_b64encode(json.dumps({"searchPhrase": "Ada?>"}).encode()).decode()
    assert decode_query_parameter(encoded.rstrip("=")).search_phrase == "Ada?>"
    with pytest.raises(BadRequest):
        decode_query_parameter("not*base64")


def test_pass_dates_compare_as_times(world: dict[str, str]) -> None:
    stored = store(world, [{"content": {"expirationDate": "2055-12-31T00:00:00Z"}},
                           {"content": {"expirationDate": "2030-01-01T10:00:00Z"}}, {}])
    later = {"groups": [[{"field": "expirationDate", "operator": "greaterThan", "value": ["2040-01-01 00:00"]}]]}
    unset = {"groups": [[{"field": "expirationDate", "operator": "empty"}]]}
    exact = {"groups": [[{"field": "expirationDate", "operator": "equals", "value": ["2030-01-01 10:00"]}]]}
    assert sql_matches(world["org"], later) == {stored[0]["id"]}
    assert sql_matches(world["org"], unset) == {stored[2]["id"]}
    assert sql_matches(world["org"], exact) == {stored[1]["id"]}
