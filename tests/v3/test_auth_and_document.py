"""v3 credentials, the envelope on errors, the OpenAPI document and the docs page."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Account
from tests.api.test_openapi import unresolved_references
from walletservice.api.v3 import v3_api

V3_EXPECTED = {
    ("post", "/api/v3/pass"): {"200", "400", "401", "413"},
    ("get", "/api/v3/pass"): {"200", "400", "401", "404"},
    ("get", "/api/v3/pass/{identifier}"): {"200", "400", "401", "404"},
    ("post", "/api/v3/pass/{identifier}"): {"200", "400", "401", "404", "413"},
    ("patch", "/api/v3/pass/{identifier}"): {"200", "400", "401", "404", "413"},
    ("delete", "/api/v3/pass/{identifier}"): {"200", "401", "404"},
    ("get", "/api/v3/pass/{identifier}/revisions"): {"200", "400", "401", "404"},
    ("post", "/api/v3/pass/{identifier}/revisions/{n}/restore"): {"200", "401", "404"},
    ("post", "/api/v3/pass/bulk"): {"202", "400", "401", "404", "413"},
    ("patch", "/api/v3/pass/bulk"): {"202", "400", "401", "404", "413"},
    ("get", "/api/v3/process/{process_id}"): {"200", "401", "404"},
    ("get", "/api/v3/segment"): {"200", "401"},
    ("post", "/api/v3/segment"): {"200", "400", "401", "413"},
    ("get", "/api/v3/segment/{segment_id}"): {"200", "401", "404"},
    ("patch", "/api/v3/segment/{segment_id}"): {"200", "400", "401", "404", "413"},
    ("put", "/api/v3/segment/{segment_id}"): {"200", "400", "401", "404", "413"},
    ("delete", "/api/v3/segment/{segment_id}"): {"200", "401", "404"},
    ("get", "/api/v3/template"): {"200", "401"},
    ("get", "/api/v3/template/{identifier}"): {"200", "401", "404"},
    ("patch", "/api/v3/template/{identifier}"): {"200", "400", "401", "404", "413"},
    ("get", "/api/v3/template/{identifier}/fields"): {"200", "401", "404"},
}
# A path argument can be malformed too: a control character is refused with 400 before the route runs.
V3_EXPECTED = {(method, path): statuses | {"400"} if "{" in path else statuses
               for (method, path), statuses in V3_EXPECTED.items()}
# Every POST takes an Idempotency-Key: 409 while its first request runs, 422 (not 400) with
# another request; writes of one pass take If-Match: 412 when stale.
V3_EXPECTED = {(method, path): statuses | ({"409", "422"} if method == "post" else set())
               | ({"412"} if path == "/api/v3/pass/{identifier}" and method != "get" else set())
               for (method, path), statuses in V3_EXPECTED.items()}


def test_the_raw_key_and_the_v2_forms_authenticate(client: Any, account: Account) -> None:
    for headers in ({"Authorization": account.api_key}, account.bearer, account.basic):
        response = client.get("/api/v3/pass", headers=headers)
        assert response.status_code == 200, headers
        assert response.json["success"] is True


def test_missing_or_wrong_keys_answer_401_in_the_envelope(client: Any, account: Account) -> None:
    for headers in ({}, {"Authorization": "wrong-key"}, {"Authorization": "Bearer wrong"}):
        response = client.get("/api/v3/pass", headers=headers)
        assert response.status_code == 401
        body = response.json
        assert body["success"] is False and body["statusCode"] == 401 and body["data"] == []
        assert body["errors"] and body["count"] == 0


def test_unknown_paths_methods_and_bad_json_answer_in_the_envelope(client: Any, account: Account) -> None:
    headers = {"Authorization": account.api_key}
    unknown = client.get("/api/v3/nothing-here", headers=headers)
    assert unknown.status_code == 404 and unknown.json["errors"] == ["Object not found"]
    wrong_method = client.put("/api/v3/pass", headers=headers)
    assert wrong_method.status_code == 405 and wrong_method.json["success"] is False
    bad_json = client.post("/api/v3/pass", headers={**headers, "Content-Type": "application/json"}, data="{nope")
    assert bad_json.status_code == 400 and bad_json.json["statusCode"] == 400
    # Other APIs keep their own shapes.
    assert client.get("/v2/nothing-here").json == {"errors": {"path": "Not found."}}


def test_the_v3_document_lists_every_route_with_its_statuses(client: Any) -> None:
    document = client.get("/api/v3/openapi.json").json
    assert document["openapi"].startswith("3.1")
    found = {(method, path): set(operation["responses"])
             for path, methods in document["paths"].items() for method, operation in methods.items()}
    assert found == V3_EXPECTED
    assert len(v3_api.operations) == len(V3_EXPECTED)
    assert document["components"]["securitySchemes"]["apiKey"] == {
        "type": "apiKey", "in": "header", "name": "Authorization", "description": "The API key itself, without a scheme."}
    schemas = document["components"]["schemas"]
    create = document["paths"]["/api/v3/pass"]["post"]
    assert [parameter["name"] for parameter in create["parameters"]] == ["async", "Idempotency-Key"]
    body_schema = schemas[create["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    data_schema = schemas[body_schema["properties"]["data"]["$ref"].rsplit("/", 1)[1]]
    assert {"templateId", "userProvidedId", "urlToLogo", "locations", "storedValue"} <= set(data_schema["properties"])


def test_every_reference_in_the_v3_document_resolves(client: Any) -> None:
    assert unresolved_references(client.get("/api/v3/openapi.json").json) == []


def test_the_docs_page_shows_v3_on_request_and_links_every_api(client: Any) -> None:
    page = client.get("/docs?api=v3").get_data(as_text=True)
    assert 'spec-url="/api/v3/openapi.json"' in page and 'href="/docs?api=v2"' in page
    assert 'spec-url="/v2/openapi.json"' in client.get("/docs").get_data(as_text=True)
