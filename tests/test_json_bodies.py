"""One JSON parser for every API's request bodies (walletservice/json_bodies.py): depth, NUL, numbers."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.api.conftest import new_account
from tests.factories import make_campaign, make_organization, make_pass
from walletservice.db import transaction
from walletservice.errors import BadRequest, InvalidInput
from walletservice.json_bodies import MAX_JSON_DEPTH, parse_json_body
from walletservice.models import Device, DeviceLogEntry, Organization, Personalization

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def nested(depth: int) -> bytes:
    return b'{"a":' * (depth - 1) + b"[1]" + b"}" * (depth - 1)


def test_nesting_up_to_the_limit_is_read_and_deeper_is_bad_request():
    assert parse_json_body(nested(MAX_JSON_DEPTH)) is not None
    for depth in (MAX_JSON_DEPTH + 1, 900, 5000, 100_000):
        with pytest.raises(BadRequest, match="nests deeper"):
            parse_json_body(nested(depth))
        with pytest.raises(BadRequest, match="nests deeper"):
            parse_json_body(b"[" * depth + b"]" * depth)


def test_nul_anywhere_in_text_is_invalid_and_an_escaped_backslash_u_is_just_text():
    for body in (b'{"a": "x\\u0000"}', b'{"\\u0000": 1}', b'[[{"k": ["\\u0000"]}]]'):
        with pytest.raises(InvalidInput, match="NUL"):
            parse_json_body(body)
    assert parse_json_body(b'{"a": "\\\\u0000"}') == {"a": "\\u0000"}


def test_a_lone_surrogate_anywhere_in_text_is_invalid_and_a_pair_is_its_character():
    for body, where in ((b'{"a": {"b": ["x\\ud800"]}}', "a.b.0"), (b'{"k\\udfff": 1}', "k\\udfff"),
                        (b'["\\uDBFF"]', "0"), (b'"\\ud83d"', "body")):
        with pytest.raises(InvalidInput, match="lone surrogate") as refused:
            parse_json_body(body)
        assert refused.value.args[0].startswith(f"{where}: ")
    assert parse_json_body(b'{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}
    assert parse_json_body(b'{"a": "\\\\ud800"}') == {"a": "\\ud800"}


def test_what_is_not_json_is_bad_request():
    for body in (b"{", b"\xff\xfe", b"NaN", b"[1e400]"):
        with pytest.raises(BadRequest):
            parse_json_body(body)


def _count(model) -> int:  # type: ignore[no-untyped-def]
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def issued(app):  # type: ignore[no-untyped-def]
    organization, _key = make_organization()
    return make_pass(make_campaign(organization), serial_number="SKY-0001")


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5000])
def test_deep_json_to_the_apple_endpoints_is_400_and_stores_nothing(client, issued, depth):
    auth = {"Authorization": f"ApplePass {issued.authentication_token}"}
    base = f"/wallet/v1/passes/{issued.pass_type_identifier}/{issued.serial_number}"
    calls = [
        client.post(f"/wallet/v1/devices/dev1/registrations/{issued.pass_type_identifier}/{issued.serial_number}",
                    data=nested(depth), headers=auth, content_type="application/json"),
        client.post("/wallet/v1/log", data=nested(depth), content_type="application/json"),
        client.post(f"{base}/personalize", data=nested(depth), content_type="application/json"),
    ]
    assert [response.status_code for response in calls] == [400, 400, 400]
    assert all("nests deeper" in response.get_json()["error"] for response in calls)
    assert (_count(Device), _count(DeviceLogEntry), _count(Personalization)) == (0, 0, 0)


def test_nul_in_a_log_line_or_personalization_data_is_400_and_stores_nothing(client, issued):
    base = f"/wallet/v1/passes/{issued.pass_type_identifier}/{issued.serial_number}"
    log = client.post("/wallet/v1/log", json={"logs": ["fine", "a\x00b"]})
    personalize = client.post(f"{base}/personalize", json={
        "personalizationToken": "tok", "requiredPersonalizationInfo": {"fullName": "Ada\x00"}})

    assert (log.status_code, personalize.status_code) == (400, 400)
    assert "NUL" in log.get_json()["error"] and "NUL" in personalize.get_json()["error"]
    assert (_count(DeviceLogEntry), _count(Personalization)) == (0, 0)


def _credentials(rule: str, api_key: str, basic: dict[str, str]) -> dict[str, str]:
    return {"Authorization": api_key} if rule.startswith("/api/v3") else basic


def test_every_write_route_answers_deep_json_without_a_server_error(app: Flask, client):
    account = new_account("Toy Town")
    organizations = _count(Organization)
    routes = sorted({(method, rule.rule) for rule in app.url_map.iter_rules()
                     for method in rule.methods or () if method in WRITES})
    assert len(routes) > 50

    answers = {}
    for method, rule in routes:
        url = rule.replace("<", "").replace(">", "").replace("uuid:", "").replace("int:", "")
        response = client.open(url, method=method, data=nested(5000), content_type="application/json",
                               headers=_credentials(rule, account.api_key, account.basic))
        answers[(method, rule)] = response.status_code

    assert {route: status for route, status in answers.items() if status >= 500} == {}
    assert _count(Organization) == organizations
    # The routes that read a body before looking anything up refuse it as such.
    assert answers[("POST", "/v2/organizations")] == 400
    assert answers[("POST", "/api/v3/pass")] == 400
