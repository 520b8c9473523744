"""Schemathesis fuzzes every operation of /api/v3/openapi.json against the app itself
(tests/fuzzing.py says how), with the caller's key and real objects to aim at."""

from __future__ import annotations

import os

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import Account
from tests.fuzzing import fuzz_operations, path_parameters
from tests.v3.conftest import make_template

pytestmark = pytest.mark.timeout(900)


def real_objects(client: FlaskClient, headers: dict[str, str], template_id: str) -> dict[str, str]:
    created = client.post("/api/v3/pass?async=false", headers=headers,
                          json={"data": {"templateId": template_id, "firstname": "Ada"}}).get_json()["data"]
    segment = client.post("/api/v3/segment", headers=headers, json={"name": "all", "query": {}}).get_json()["data"]
    process = client.patch("/api/v3/pass/bulk", headers=headers, json={
        "data": {}, "filter": {"identifiers": [created["identifier"]]}}).get_json()["data"]["process"]
    return {"identifier": created["identifier"], "segment_id": segment["identifier"],
            "process_id": process.rsplit("/", 1)[1]}


def test_no_server_errors_and_no_undocumented_answers(app: Flask, client: FlaskClient, account: Account) -> None:
    headers = {"Authorization": account.api_key}
    template_id = make_template(account.id)
    objects = real_objects(client, headers, template_id)

    def aim(case: schemathesis.Case) -> None:
        parameters = path_parameters(case)
        for name in parameters:
            parameters[name] = objects.get(name, parameters[name])

    def refresh() -> None:
        objects.update(real_objects(client, headers, template_id))

    schema = schemathesis.openapi.from_wsgi("/api/v3/openapi.json", app)
    fuzzed, failures = fuzz_operations(schema, headers, aim, refresh)
    assert fuzzed == 21 or os.environ.get("WALLET_FUZZ_ONLY")
    assert not failures, "\n\n".join(failures)
