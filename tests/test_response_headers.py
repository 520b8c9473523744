"""Headers every response carries, generated over the app's url_map so a new route is covered."""

from __future__ import annotations

import re

import pytest


def _sample_url(rule) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "no-such-id", rule.rule)


def _routes(app):  # type: ignore[no-untyped-def]
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, _sample_url(rule)


def test_every_route_answers_with_nosniff(app, client):
    seen = 0
    for method, url in _routes(app):
        if url.startswith("/static"):
            continue
        response = client.open(url, method=method, data=b"{}", content_type="application/json")
        assert response.headers.get("X-Content-Type-Options") == "nosniff", (method, url, response.status_code)
        seen += 1
    assert seen > 50


@pytest.mark.parametrize("url", ["/v2/assets", "/api/v3/passes", "/wallet/v1/passes/t/s", "/nothing-here"])
def test_errors_answer_with_nosniff(client, url):
    response = client.get(url)
    assert response.status_code in (401, 404)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
