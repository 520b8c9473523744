"""One table decides which API's shape an error takes: by the path, whatever raised it
(a view, a check before it, or the router), whatever the order of the blueprints."""

from __future__ import annotations

import pytest
from flask import Flask

from walletservice.error_renderers import (
    ELSEWHERE,
    ERROR_RENDERERS,
    PAGES,
    PASSCREATOR,
    PASSWORKS,
    WALLET_WEB_SERVICE,
    renderer_for,
)


@pytest.mark.parametrize(("path", "renderer"), [
    ("/v2", PASSWORKS), ("/v2/assets", PASSWORKS), ("/v1/coupons/x", PASSWORKS),
    ("/api/v3/pass", PASSCREATOR), ("/wallet/v1/passes/a/b", WALLET_WEB_SERVICE),
    ("/p/abc", PAGES), ("/b/token/passes.pkpasses", PAGES), ("/download/x.pkpass", PAGES),
    ("/v2x", ELSEWHERE), ("/pricing", ELSEWHERE), ("/api/v3x", ELSEWHERE), ("/wallet/openapi.json", ELSEWHERE),
    ("/healthz", ELSEWHERE), ("/", ELSEWHERE),
])
def test_a_path_takes_the_renderer_of_its_longest_prefix(path, renderer):
    assert renderer_for(path) is renderer


def test_every_api_blueprint_has_its_prefix_in_the_table(app: Flask):
    prefixes = {blueprint.url_prefix for name, blueprint in app.blueprints.items() if name in ("v1", "v2", "v3")}
    assert prefixes <= set(ERROR_RENDERERS)
    web_service = app.blueprints["webservice"].url_prefix
    assert ERROR_RENDERERS[web_service] is WALLET_WEB_SERVICE


def test_the_same_failure_takes_each_surfaces_shape(client):
    control = "/%01"  # refused before any route runs (walletservice/control_characters.py)
    assert client.get(f"/v2/ping{control}").get_json() == {"errors": {"path": "Not found."}}
    refused = client.get(f"/api/v3/pass{control}")
    assert refused.status_code == 400 and refused.get_json()["success"] is False
    assert refused.get_json()["errors"] == ["the URL path must not contain control characters (such as %00)"]
    unknown_pass = client.get("/wallet/v1/passes/pass.x/%01")
    assert unknown_pass.status_code == 400 and unknown_pass.get_json() == {
        "error": "the URL path must not contain control characters (such as %00)"}
    page = client.get("/p/no-such-pass/and/more")
    assert page.status_code == 404 and page.mimetype == "text/html" and "<html" in page.get_data(as_text=True)
    elsewhere = client.get("/healthz%01")
    assert elsewhere.status_code == 404 and elsewhere.mimetype == "text/html"


def test_unknown_wallet_paths_stay_bare_and_json_reasons_stay_one_line(client):
    assert client.get("/wallet/v1/nothing").get_json(silent=True) is None
    too_large = client.post("/wallet/v1/log", data=b"x" * (10 * 1024 * 1024), content_type="application/json")
    assert too_large.status_code == 413 and too_large.get_json() == {"error": "request body too large"}
