"""Odd but plausible bodies: answered 400 in the envelope, never a 500, nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.v3.conftest import V3Client
from walletservice.db import transaction
from walletservice.models import BackgroundJob, Pass

# Python's json reads these; PostgreSQL's JSONB (and JSON itself) has no such numbers.
NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e400"]


def rows(model: Any) -> int:
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def send(v3: V3Client, method: str, path: str, text: str) -> Any:
    return getattr(v3, method)(path, data=text, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("number", NON_FINITE)
def test_non_finite_numbers_are_400_on_every_write_and_store_nothing(
        v3: V3Client, template_id: str, number: str) -> None:
    existing = v3.post("/pass?async=false", json={"data": {"templateId": template_id}}).json["data"]["identifier"]
    passes, jobs = rows(Pass), rows(BackgroundJob)
    for method, path, text in [
        ("post", "/pass?async=false", f'{{"data": {{"templateId": "{template_id}", "storedValue": {number}}}}}'),
        ("post", "/pass", f'{{"data": {{"templateId": "{template_id}", "age": {number}}}}}'),
        ("patch", f"/pass/{existing}?async=false", f'{{"data": {{"storedValue": {number}}}}}'),
        ("post", f"/pass/{existing}", f'{{"data": {{"age": {number}}}}}'),
        ("patch", "/pass/bulk", f'{{"data": {{"storedValue": {number}}}, "filter": {{"identifiers": ["{existing}"]}}}}'),
        ("get", "/pass", f'{{"filter": {{"query": {{"groups": [[{{"field": "age", "operator": "greaterThan", '
                         f'"value": [{number}]}}]]}}}}}}'),
    ]:
        response = send(v3, method, path, text)
        assert response.status_code == 400, (method, path, response.json)
        assert response.json["statusCode"] == 400 and "finite" in response.json["description"]
    assert (rows(Pass), rows(BackgroundJob)) == (passes, jobs)


def test_a_list_filter_body_nested_absurdly_deep_is_400(v3: V3Client) -> None:
    response = send(v3, "get", "/pass", '{"filter": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert response.status_code == 400 and response.json["statusCode"] == 400
