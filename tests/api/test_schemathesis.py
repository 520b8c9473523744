"""Schemathesis fuzzes every operation of /v2/openapi.json against the app itself
(tests/fuzzing.py says how), with valid credentials and real objects to aim at.
One test per pass type's routes and one for the rest, so pytest-xdist can spread them."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import Account
from tests.api.test_campaigns import TYPES, toy_town, upload
from tests.fuzzing import fuzz_operations, path_parameters, segments_for_this_database

pytestmark = pytest.mark.timeout(900)
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
    parameters = path_parameters(case)
    for name in parameters:
        if name in known:
            parameters[name] = known[name]


def first_segment(path: str) -> str:
    """"/v2/coupons/{campaign_id}" -> "coupons"."""
    return path.strip("/").split("/")[1]


def fuzz_segment(app: Flask, document: str, segment: str, make_objects: Callable[[], dict[str, dict[str, str]]],
                 account: Account) -> tuple[int, list[str]]:
    """Fuzz the document's operations under one pass type's segment ("other routes": the
    rest), aiming at real objects that `make_objects` creates again after each DELETE."""
    def include_path(path: str) -> bool:
        return first_segment(path) == segment or (segment == "other routes" and first_segment(path) not in TYPES)

    objects = make_objects()
    schema = schemathesis.openapi.from_wsgi(document, app)
    return fuzz_operations(schema, account.basic, lambda case: aim_at_real_objects(case, objects),
                           lambda: objects.update(make_objects()), include_path)


@pytest.mark.parametrize("segment", segments_for_this_database(TYPES))
def test_no_server_errors_and_no_undocumented_answers(
    app: Flask, client: FlaskClient, account: Account, segment: str,
) -> None:
    fuzzed, failures = fuzz_segment(app, "/v2/openapi.json", segment, lambda: real_objects(client, account), account)
    assert fuzzed > 20 or os.environ.get("WALLET_FUZZ_ONLY")
    assert not failures, "\n\n".join(failures)
