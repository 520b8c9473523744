"""Schemathesis fuzzes every operation of /v2/openapi.json against the app itself.

Checks: no 5xx, every status code answered is documented for its operation, and
responses match their documented schemas. Requests carry valid credentials so
they get past authentication, and about half of them point their path ids at
real objects of the caller, so the code behind the 404 is fuzzed too. One test
drives all operations (schemathesis' pytest plugin does not support this pytest
yet) and reports every failure found.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.api.conftest import Account
from tests.api.test_campaigns import TYPES, toy_town, upload

pytestmark = pytest.mark.timeout(900)
EXAMPLES_PER_OPERATION = 15
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
_generation = itertools.count()


def real_objects(client: FlaskClient, account: Account) -> dict[str, dict[str, str]]:
    """Per URL segment (and "" for top-level routes): ids of real objects to aim at."""
    icon = upload(client, account)
    generation = next(_generation)
    objects: dict[str, dict[str, str]] = {"": {"asset_id": icon}}
    for segment, root in TYPES.items():
        attributes = {**toy_town(icon), "name": f"Fuzz {segment} {generation}"}
        if segment == "boarding_passes":
            attributes["transit_type"] = "air"
        campaign = client.post(f"/v2/{segment}", json={root: attributes}, headers=account.basic)
        assert campaign.status_code == 201, campaign.get_json()
        campaign_id = campaign.get_json()["id"]
        pass_ = client.post(f"/v2/{segment}/{campaign_id}/passes", json={}, headers=account.basic)
        objects[segment] = {"campaign_id": campaign_id, "pass_id": pass_.get_json()["id"], "asset_id": icon}
    return objects


def aim_at_real_objects(case: schemathesis.Case, objects: dict[str, dict[str, str]]) -> None:
    segments = case.operation.path.strip("/").split("/")  # "v2", "coupons", ...
    known = next((objects[segment] for segment in segments if segment in objects), objects[""])
    parameters: dict[str, Any] = case.path_parameters or {}
    for name in parameters:
        if name in known:
            parameters[name] = known[name]


def test_no_server_errors_and_no_undocumented_answers(app: Flask, client: FlaskClient, account: Account) -> None:
    schema = schemathesis.openapi.from_wsgi("/v2/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    failures: list[str] = []
    objects = real_objects(client, account)

    for operation in operations:
        @given(case=operation.as_strategy(), aim=st.booleans())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case: schemathesis.Case, aim: bool) -> None:
            if aim:
                aim_at_real_objects(case, objects)
            case.call_and_validate(headers=account.basic, checks=CHECKS)

        try:
            fuzz()
        except Exception as failure:  # noqa: BLE001 - collected and reported together below
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
        if operation.method.upper() == "DELETE":
            objects = real_objects(client, account)

    assert not failures, "\n\n".join(failures)
