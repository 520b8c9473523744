"""Schemathesis fuzzes every operation of /v1/openapi.json (the Passworks v1 compatibility
routes) against the app, as tests/api/test_schemathesis.py does for /v2: one test per pass
type's routes and one for the rest, so pytest-xdist can spread them."""

from __future__ import annotations

import os

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import Account
from tests.api.test_campaigns import TYPES
from tests.api.test_schemathesis import fuzz_segment, real_objects
from tests.fuzzing import segments_for_this_database

pytestmark = pytest.mark.timeout(900)


def v1_objects(client: FlaskClient, account: Account) -> dict[str, dict[str, str]]:
    objects = real_objects(client, account)
    # v1 calls a store card campaign a loyalty program.
    objects["loyalty"] = {**objects["store_cards"], "loyalty_id": objects["store_cards"]["campaign_id"]}
    return objects


@pytest.mark.parametrize("segment", segments_for_this_database(TYPES))
def test_no_server_errors_and_no_undocumented_answers(
    app: Flask, client: FlaskClient, account: Account, segment: str,
) -> None:
    fuzzed, failures = fuzz_segment(app, "/v1/openapi.json", segment, lambda: v1_objects(client, account), account)
    assert fuzzed > 3 or os.environ.get("WALLET_FUZZ_ONLY")
    assert not failures, "\n\n".join(failures)
