"""Pagination headers and `q[...]` filters and sorts, on the organizations collection."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.conftest import Account, error_text
from walletservice.db import transaction
from walletservice.services.organizations import create_organization

START = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


def _children(parent: Account, names: list[str]) -> list[str]:
    """Children created one day apart, in the order given."""
    ids = []
    with transaction() as session:
        for day, name in enumerate(names):
            child = create_organization(session, name, parent_id=parent.id).organization
            child.created_at = START + dt.timedelta(days=day)
            ids.append(child.id)
    return ids


def _names(client, account: Account, query: str = "") -> list[str]:
    response = client.get(f"/v2/organizations?{query}", headers=account.basic)
    assert response.status_code == 200, response.get_json()
    return [organization["name"] for organization in response.get_json()]


def _headers(response) -> dict[str, str]:
    return {name: response.headers[name] for name in
            ("X-Total", "X-Total-Pages", "X-Page", "X-Per-Page", "X-Next-Page", "X-Prev-Page", "X-Offset")}


def test_default_page_is_25_oldest_first_with_headers(client, account: Account):
    _children(account, [f"org {n:02d}" for n in range(30)])

    response = client.get("/v2/organizations", headers=account.basic)

    assert len(response.get_json()) == 25
    assert response.get_json()[0]["name"] == "org 00"
    assert _headers(response) == {"X-Total": "30", "X-Total-Pages": "2", "X-Page": "1", "X-Per-Page": "25",
                                  "X-Next-Page": "2", "X-Prev-Page": "", "X-Offset": "0"}


def test_middle_page_headers(client, account: Account):
    _children(account, [f"org {n:02d}" for n in range(7)])

    response = client.get("/v2/organizations?per_page=2&page=3", headers=account.basic)

    assert [o["name"] for o in response.get_json()] == ["org 04", "org 05"]
    assert _headers(response) == {"X-Total": "7", "X-Total-Pages": "4", "X-Page": "3", "X-Per-Page": "2",
                                  "X-Next-Page": "4", "X-Prev-Page": "2", "X-Offset": "4"}


@pytest.mark.parametrize("query, page, per_page", [
    ("per_page=500", "1", "50"), ("per_page=0", "1", "1"), ("page=-3", "1", "25"),
])
def test_out_of_range_numbers_are_clamped(client, account: Account, query, page, per_page):
    response = client.get(f"/v2/organizations?{query}", headers=account.basic)

    assert (response.headers["X-Page"], response.headers["X-Per-Page"]) == (page, per_page)


def test_a_page_past_the_end_is_empty_even_when_huge(client, account: Account):
    _children(account, ["only"])

    response = client.get(f"/v2/organizations?page={10 ** 30}", headers=account.basic)

    assert response.status_code == 200 and response.get_json() == []
    assert response.headers["X-Next-Page"] == ""


@pytest.mark.parametrize("query, expected", [
    ("page=abc", "page"), ("per_page=1.5", "per_page"),
    ("q[colour_eq]=red", "unknown attribute 'colour'"),
    ("q[name_like]=x", "unknown predicate"),
    ("q[name]=x", "unknown predicate"),
    ("q[s]=colour+asc", "unknown attribute 'colour'"),
    ("q[s]=name+sideways", "q[s]"),
    ("q[created_at_gt]=yesterday", "ISO 8601"),
    ("q[created_at_cont]=2024", "text attributes"),
    ("q[name_eq][]=x", "list values"),
    ("q[na%5Dme_eq]=x", "not a filter"),
    ("q[created_at_gt]=0001-01-01T00:00:00%2B01:00", "out of range"),
    ("q[name_matches]=abc%5C", "escaping backslash"),
])
def test_bad_query_strings_are_422_naming_the_problem(client, account: Account, query, expected):
    response = client.get(f"/v2/organizations?{query}", headers=account.basic)

    assert response.status_code == 422
    assert expected in error_text(response)


def test_filters_by_equality_and_containment(client, account: Account):
    _children(account, ["Toy Town", "Toy Box", "Skyport", "100% Toys"])

    assert _names(client, account, "q[name_eq]=Toy Town") == ["Toy Town"]
    assert _names(client, account, "q[name_not_eq]=Toy Town") == ["Toy Box", "Skyport", "100% Toys"]
    assert _names(client, account, "q[name_cont]=toy") == ["Toy Town", "Toy Box", "100% Toys"]
    # The client's % is a literal character in cont, a wildcard only in matches.
    assert _names(client, account, "q[name_cont]=0%25") == ["100% Toys"]
    assert _names(client, account, "q[name_matches]=Toy%25") == ["Toy Town", "Toy Box"]
    assert _names(client, account, "q[name_matches]=100%5C%25%25") == ["100% Toys"]
    assert _names(client, account, "q[name_eq]=") == ["Toy Town", "Toy Box", "Skyport", "100% Toys"]


def test_filters_by_time_ranges(client, account: Account):
    _children(account, ["day 0", "day 1", "day 2", "day 3"])

    assert _names(client, account, "q[created_at_gteq]=2024-01-02&q[created_at_lt]=2024-01-04T00:00:00Z") == [
        "day 1", "day 2"]
    assert _names(client, account, "q[created_at_gt]=2024-01-03") == ["day 3"]
    assert _names(client, account, "q[created_at_lteq]=2024-01-01T00:00:00%2B00:00") == ["day 0"]


def test_sorts_and_combines_with_filters_and_pages(client, account: Account):
    _children(account, ["b", "d", "a", "c", "e"])

    assert _names(client, account, "q[s]=name+desc") == ["e", "d", "c", "b", "a"]
    assert _names(client, account, "q[s]=name") == ["a", "b", "c", "d", "e"]
    assert _names(client, account, "q[s]=created_at+DESC&q[name_not_eq]=e&per_page=2&page=2") == ["d", "b"]


def test_filters_never_reach_another_organizations_rows(client, account: Account, other_account: Account):
    _children(other_account, ["Theirs"])

    assert _names(client, account, "q[name_eq]=Theirs") == []
    assert _names(client, account, f"q[id_eq]={other_account.id}") == []


@pytest.mark.parametrize("predicate", ["lt", "lteq", "gt", "gteq"])
def test_true_false_attributes_take_only_eq_and_not_eq(predicate):
    from walletservice.errors import InvalidInput
    from walletservice.services.collection_filters import parse_collection_query
    from walletservice.services.passes import PASS_FILTERS

    with pytest.raises(InvalidInput, match="eq or not_eq"):
        parse_collection_query([(f"q[voided_{predicate}]", "true")], PASS_FILTERS)
    assert parse_collection_query([("q[voided_not_eq]", "true")], PASS_FILTERS).conditions[0].value is True


def test_nul_in_a_filter_value_is_refused_before_the_route_runs(client, account: Account):
    # walletservice/control_characters.py: one check for every query value of every route.
    response = client.get("/v2/organizations?q[name_eq]=a%00b", headers=account.basic)

    assert response.status_code == 400
    assert "control characters" in error_text(response)
