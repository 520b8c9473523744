"""Schemathesis fuzzes every operation of /wallet/openapi.json (Apple's web service) against
the app (tests/fuzzing.py says how): with the pass's ApplePass token, and half the cases
aimed at the registered device and the real pass."""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient

from tests.fuzzing import fuzz_operations, path_parameters
from tests.webservice.conftest import IssuedPass

DEVICE = "fuzzed-device"


def register(client: FlaskClient, issued: IssuedPass) -> None:
    response = client.post(issued.registration_url(DEVICE), json={"pushToken": "ab" * 32}, headers=issued.auth)
    assert response.status_code in (200, 201)


PATHS = [
    "/wallet/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}",
    "/wallet/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}",
    "/wallet/v1/passes/{passTypeIdentifier}/{serialNumber}",
    "/wallet/v1/passes/{passTypeIdentifier}/{serialNumber}/personalize",
    "/wallet/v1/log",
]


@pytest.mark.parametrize("path", PATHS)
def test_no_server_errors_and_no_undocumented_answers(
    app: Flask, client: FlaskClient, issued: IssuedPass, path: str,
) -> None:
    register(client, issued)
    real = {"deviceLibraryIdentifier": DEVICE, "passTypeIdentifier": issued.pass_type,
            "serialNumber": issued.serial}

    def aim(case: schemathesis.Case) -> None:
        parameters = path_parameters(case)
        for name in parameters:
            parameters[name] = real.get(name, parameters[name])

    schema = schemathesis.openapi.from_wsgi("/wallet/openapi.json", app)
    fuzzed, failures = fuzz_operations(schema, issued.auth, aim, lambda: register(client, issued),
                                       include_path=lambda operation_path: operation_path == path)
    assert fuzzed == (2 if path == PATHS[0] else 1)
    assert not failures, "\n\n".join(failures)


def test_the_document_lists_every_web_service_route(app: Flask, client: FlaskClient) -> None:
    document = client.get("/wallet/openapi.json").get_json()
    documented = {(method.upper(), path) for path, item in document["paths"].items()
                  for method in item if method != "parameters"}
    routes = {(method, rule.rule.replace("<", "{").replace(">", "}")) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("webservice.") for method in rule.methods - {"HEAD", "OPTIONS"}}
    renamed = {"{device_id}": "{deviceLibraryIdentifier}", "{pass_type}": "{passTypeIdentifier}",
               "{serial}": "{serialNumber}"}
    for ours, apples in renamed.items():
        routes = {(method, path.replace(ours, apples)) for method, path in routes}
    assert documented == routes
    assert {path for _method, path in documented} == {
        param if isinstance(param, str) else param.values[0] for param in PATHS}
