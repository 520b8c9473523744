"""Schemathesis fuzzes every operation of /v1/openapi.json (the Passworks v1 compatibility
routes) against the app, as tests/api/test_schemathesis.py does for /v2: one test per pass
type's routes and one for the rest, so pytest-xdist can spread them."""

from __future__ import annotations

import os

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import Account
from tests.api.test_campaigns import TYPES
from tests.api.test_schemathesis import aim_at_real_objects, first_segment, real_objects
from tests.fuzzing import fuzz_operations

pytestmark = pytest.mark.timeout(900)


def v1_objects(client: FlaskClient, account: Account) -> dict[str, dict[str, str]]:
    objects = real_objects(client, account)
    # v1 calls a store card campaign a loyalty program.
    objects["loyalty"] = {**objects["store_cards"], "loyalty_id": objects["store_cards"]["campaign_id"]}
    return objects


@pytest.mark.parametrize("segment", [*TYPES, "other routes"])
def test_no_server_errors_and_no_undocumented_answers(
    app: Flask, client: FlaskClient, account: Account, segment: str,
) -> None:
    def include_path(path: str) -> bool:
        return first_segment(path) == segment or (segment == "other routes" and first_segment(path) not in TYPES)

    objects = v1_objects(client, account)

    def refresh() -> None:
        objects.update(v1_objects(client, account))

    schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", app)
    fuzzed, failures = fuzz_operations(schema, account.basic, lambda case: aim_at_real_objects(case, objects),
                                       refresh, include_path)
    assert fuzzed > 3 or os.environ.get("WALLET_FUZZ_ONLY")
    assert not failures, "\n\n".join(failures)
