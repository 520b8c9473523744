"""Control characters in the URL are refused before any route runs (walletservice/control_characters.py).

Generated from the app's url_map, so a route added later is covered without anyone
remembering: every path argument of every route, and a query value on every route.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.factories import make_campaign, make_organization, make_pass
from walletservice.db import transaction
from walletservice.models import Device, Personalization, Registration

_ARGUMENT = re.compile(r"<(?:(?P<converter>[^>:]+):)?[^>]+>")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Typed arguments cannot hold text: they get a well-formed value, so the URL matches its route.
TYPED = {"uuid": "30b5d792-48c9-4f12-80ff-082cae62e80f", "int": "1"}


def _routes(app: Flask, *, with_text_argument: bool) -> list[tuple[str, str]]:
    """(method, rule) of every route; only those with a text path argument if asked."""
    return sorted({(method, rule.rule) for rule in app.url_map.iter_rules()
                   if not with_text_argument or any(_is_text(m) for m in _ARGUMENT.finditer(rule.rule))
                   for method in rule.methods or () if method in METHODS})


def _is_text(argument: re.Match[str]) -> bool:
    return argument.group("converter") not in TYPED


def _fill(rule: str, value: str) -> str:
    return _ARGUMENT.sub(lambda argument: value if _is_text(argument) else TYPED[argument.group("converter")], rule)


@pytest.mark.parametrize("encoded", ["a%00b", "%00", "a%0Ab", "a%1Fb", "a%7Fb"])
def test_a_control_character_in_any_path_argument_of_any_route_is_400(app, client, encoded):
    routes = _routes(app, with_text_argument=True)
    assert len(routes) > 25  # the whole app, not a corner of it
    if encoded == "a%0Ab":  # Werkzeug's <path:...> matches no line break: 404, no route runs
        routes = [(method, rule) for method, rule in routes if "<path:" not in rule]

    answers = {(method, rule): client.open(_fill(rule, encoded), method=method) for method, rule in routes}

    wrong = {route: response.status_code for route, response in answers.items() if response.status_code != 400}
    assert wrong == {}
    for (_method, rule), response in answers.items():
        if response.mimetype == "text/html":  # download pages: the page a person reads
            assert "Pass not found" in response.get_data(as_text=True), rule
        else:
            assert response.is_json and "control characters" in response.get_data(as_text=True), rule


@pytest.mark.parametrize("query", ["q=a%00b", "passesUpdatedSince=1%00", "a%00=1", "end_date=2024-01-01%00x",
                                   "x=a%01b", "x=a\x00b"])
def test_a_control_character_in_any_query_value_or_name_is_400(app, client, query):
    routes = [(method, rule) for method, rule in _routes(app, with_text_argument=False) if method == "GET"]
    assert len(routes) > 100

    wrong = {}
    for method, rule in routes:
        response = client.open(f"{_fill(rule, 'x')}?{query}", method=method)
        if response.status_code != 400:
            wrong[rule] = response.status_code
    assert wrong == {}


def test_an_unknown_url_with_a_control_character_keeps_its_api_s_404(client):
    # No route runs, so nothing is looked up: /v2/assets/<uuid> does not match "%00".
    response = client.get("/v2/assets/%00")
    assert response.status_code == 404 and response.get_json()["errors"] == {"path": "Not found."}


def test_tab_and_line_breaks_in_query_values_and_utf8_in_paths_are_not_control_characters(client):
    assert client.get("/healthz?note=a%09b%0Ac%0D").status_code == 200
    response = client.get("/wallet/v1/devices/d%C3%A9vice/registrations/pass.%E2%9C%88")
    assert response.status_code == 204  # well-formed, nothing registered


@pytest.fixture
def issued(app):  # type: ignore[no-untyped-def]
    organization, _key = make_organization()
    pass_ = make_pass(make_campaign(organization), serial_number="SKY-0001")
    return pass_


def _count(model) -> int:  # type: ignore[no-untyped-def]
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_nul_in_apple_web_service_paths_is_400_and_stores_nothing(client, issued):
    auth = {"Authorization": f"ApplePass {issued.authentication_token}"}
    kind, serial = issued.pass_type_identifier, issued.serial_number
    body = {"pushToken": "ab" * 32}
    calls = [
        client.post(f"/wallet/v1/devices/a%00b/registrations/{kind}/{serial}", json=body, headers=auth),
        client.post(f"/wallet/v1/devices/dev1/registrations/{kind}/{serial}%00", json=body, headers=auth),
        client.delete(f"/wallet/v1/devices/dev1/registrations/{kind}/{serial}%00", headers=auth),
        client.get(f"/wallet/v1/devices/a%00b/registrations/{kind}"),
        # The fast read path used to send the serial to PostgreSQL up to the NUL: a 200 for "SKY-0001".
        client.get(f"/wallet/v1/passes/{kind}/{serial}%00garbage", headers=auth),
        client.post(f"/wallet/v1/passes/{kind}/{serial}%00/personalize",
                    json={"personalizationToken": "t", "requiredPersonalizationInfo": {}}),
    ]

    assert [response.status_code for response in calls] == [400] * len(calls)
    assert all(response.get_json()["error"].startswith("the URL path") for response in calls)
    assert (_count(Device), _count(Registration), _count(Personalization)) == (0, 0, 0)
