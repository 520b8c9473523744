"""The OpenAPI 3.1 document and the /docs page."""

from __future__ import annotations

from walletservice.api.v2 import v2_api

# Every route of this slice, with the status codes it documents.
EXPECTED = {
    ("get", "/v2/ping"): {"200", "401"},
    ("get", "/v2/assets"): {"200", "401", "422"},
    ("post", "/v2/assets"): {"201", "400", "401", "413", "422"},
    ("get", "/v2/assets/{asset_id}"): {"200", "401", "404"},
    ("get", "/v2/assets/{asset_id}/{file_name}"): {"200", "401", "404"},
    ("delete", "/v2/assets/{asset_id}"): {"200", "401", "404", "412"},
    ("get", "/v2/certificates"): {"200", "401", "422"},
    ("get", "/v2/certificates/{certificate_id}"): {"200", "401", "404"},
    ("post", "/v2/certificates"): {"200", "201", "400", "401", "413", "422"},
    ("post", "/v2/organizations"): {"201", "400", "401", "412", "413", "422"},
    ("get", "/v2/organizations"): {"200", "401", "422"},
    ("post", "/v2/organizations/{child_id}/refresh_api_password"): {"200", "401", "404"},
    ("get", "/v2/organizations/{child_id}/google_wallet"): {"200", "400", "401", "404"},
    ("put", "/v2/organizations/{child_id}/google_wallet"): {"200", "400", "401", "404", "413", "422"},
    ("delete", "/v2/organizations/{child_id}/google_wallet"): {"200", "400", "401", "404"},
    ("get", "/v2/pushes/{push_id}"): {"200", "401", "404"},
    ("get", "/v2/webhook"): {"200", "401"},
    ("patch", "/v2/webhook"): {"200", "400", "401", "413", "422"},
    ("put", "/v2/webhook"): {"200", "400", "401", "413", "422"},
    ("post", "/v2/webhook/rotate_secret"): {"200", "401"},
    ("get", "/v2/remote_forms/{campaign_id}/fields"): {"200", "400", "401", "404"},
    ("get", "/v2/jobs/{job_id}"): {"200", "401", "404"},
    ("get", "/v2/templates"): {"200", "401", "422"},
    ("post", "/v2/templates"): {"201", "400", "401", "413", "422"},
    ("get", "/v2/templates/{template_id}"): {"200", "401", "404"},
    ("delete", "/v2/templates/{template_id}"): {"200", "400", "401", "404", "412", "413", "422"},
}
_BODY = {"400", "401", "404", "413", "422"}
# The same campaign and pass routes for each of the five pass types.
CAMPAIGN_ROUTES = {
    ("get", ""): {"200", "401", "422"},
    ("post", ""): {"201", "400", "401", "413", "422"},
    ("get", "/{campaign_id}"): {"200", "401", "404"},
    ("patch", "/{campaign_id}"): {"200", "412"} | _BODY,
    ("delete", "/{campaign_id}"): {"200", "401", "404", "412"},  # 412: an unknown campaign (generic.md)
    ("post", "/{campaign_id}/pause"): {"200", "401", "404", "412"},
    ("post", "/{campaign_id}/resume"): {"200", "401", "404", "412"},
    ("post", "/{campaign_id}/archive"): {"200", "401", "404", "412"},
    ("post", "/{campaign_id}/push"): {"200", "202"} | _BODY,
    ("get", "/{campaign_id}/passes"): {"200", "401", "404", "422"},
    ("post", "/{campaign_id}/passes"): {"201", "412"} | _BODY,
    ("get", "/{campaign_id}/passes/{pass_id}"): {"200", "401", "404"},
    ("patch", "/{campaign_id}/passes/{pass_id}"): {"200"} | _BODY,
    ("put", "/{campaign_id}/passes/{pass_id}"): {"200"} | _BODY,
    ("post", "/{campaign_id}/passes/{pass_id}"): {"200"} | _BODY,
    ("delete", "/{campaign_id}/passes/{pass_id}"): {"200", "401", "404"},
    ("post", "/{campaign_id}/passes/{pass_id}/push"): {"202"} | _BODY,
    ("get", "/{campaign_id}/reports"): {"200", "401", "404", "422"},
    ("get", "/{campaign_id}/reports/totals"): {"200", "401", "404"},
    ("get", "/{campaign_id}/registrations"): {"200", "401", "404", "422"},
    ("get", "/{campaign_id}/passes/{pass_id}/registrations"): {"200", "401", "404", "422"},
    ("post", "/{campaign_id}/merge"): {"200", "202"} | _BODY,
    ("get", "/{campaign_id}/passes/{pass_id}/revisions"): {"200", "401", "404", "422"},
    ("post", "/{campaign_id}/passes/{pass_id}/revisions/{n}/restore"): {"200", "401", "404"},
    ("post", "/{campaign_id}/redeem"): {"200", "412"} | _BODY,
    ("get", "/{campaign_id}/redeem/{redeem_code}"): {"200", "401", "404", "412"},
    ("post", "/{campaign_id}/passes/{pass_id}/redeem"): {"200", "412"} | _BODY,
    ("post", "/{campaign_id}/passes/{pass_id}/reset_redeem"): {"200", "401", "404"},
    ("get", "/{campaign_id}/redeems"): {"200", "401", "404", "422"},
    ("get", "/{campaign_id}/passes/{pass_id}/redeems"): {"200", "401", "404", "422"},
    ("post", "/{campaign_id}/schedules"): {"201"} | _BODY,
    ("get", "/{campaign_id}/schedules"): {"200", "401", "404", "422"},
    ("get", "/{campaign_id}/schedules/{schedule_id}"): {"200", "401", "404"},
    ("delete", "/{campaign_id}/schedules/{schedule_id}"): {"200", "401", "404", "412"},
    ("post", "/{campaign_id}/passes/{pass_id}/schedules"): {"201"} | _BODY,
    ("get", "/{campaign_id}/passes/{pass_id}/schedules"): {"200", "401", "404", "422"},
    ("get", "/{campaign_id}/passes/{pass_id}/schedules/{schedule_id}"): {"200", "401", "404"},
    ("delete", "/{campaign_id}/passes/{pass_id}/schedules/{schedule_id}"): {"200", "401", "404", "412"},
}
for _type in ("coupons", "store_cards", "event_tickets", "boarding_passes", "generics"):
    EXPECTED.update({(method, f"/v2/{_type}{path}"): statuses for (method, path), statuses in CAMPAIGN_ROUTES.items()})
# registrations.md's spelling event_tickers.
EXPECTED.update({(method, f"/v2/event_tickers{path}"): CAMPAIGN_ROUTES[(method, path)] for method, path in (
    ("get", "/{campaign_id}/registrations"), ("get", "/{campaign_id}/passes/{pass_id}/registrations"))})
# coupon.md's singular push path.
EXPECTED[("post", "/v2/remote_forms/{campaign_id}/submit")] = {"201", "412"} | _BODY
EXPECTED[("post", "/v2/coupon/{campaign_id}/passes/{pass_id}/push")] = \
    CAMPAIGN_ROUTES[("post", "/{campaign_id}/passes/{pass_id}/push")]

# 400 wherever there is input to be malformed: a body, a query or a path argument (a control
# character in the URL is refused before the route runs, walletservice/control_characters.py).
for (_method, _path), _statuses in EXPECTED.items():
    if "{" in _path or "422" in _statuses:
        EXPECTED[(_method, _path)] = _statuses | {"400"}

# Every POST takes an Idempotency-Key: 400 for a bad key, 409 while the key's first request
# runs, 422 for the key with another request (walletservice/api/idempotency.py).
for (_method, _path), _statuses in EXPECTED.items():
    if _method == "post":
        EXPECTED[(_method, _path)] = _statuses | {"400", "409", "422"}
# Writes of one campaign, pass or template take If-Match: 400 when malformed, 412 when stale.
_ETAG_WRITES = [("patch", "/{campaign_id}"), ("delete", "/{campaign_id}"),
                *((method, "/{campaign_id}/passes/{pass_id}") for method in ("patch", "put", "post", "delete"))]
for (_method, _path), _statuses in EXPECTED.items():
    _type_path = "/" + _path.split("/", 3)[3] if _path.count("/") >= 3 else ""
    if (_method, _type_path) in _ETAG_WRITES or (_method, _path) == ("delete", "/v2/templates/{template_id}"):
        EXPECTED[(_method, _path)] = _statuses | {"400", "412"}


def _document(client) -> dict:
    response = client.get("/v2/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_errors_are_documented_in_the_shape_they_are_answered_in(client):
    """Field -> message everywhere, the list only for the state moves' 412
    (docs/passworks-errors.md)."""
    document = _document(client)
    schemas = document["components"]["schemas"]
    assert schemas["ErrorObject"]["properties"]["errors"]["type"] == "object"
    assert schemas["ErrorList"]["properties"]["errors"]["type"] == "array"
    lists = set()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for status, response in operation["responses"].items():
                if int(status) < 400 or "content" not in response:
                    continue
                model = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                if model == "ErrorList":
                    lists.add((method, path.rsplit("/", 1)[-1], status))
                else:
                    assert model == "ErrorObject", (method, path, status)
    assert lists == {("post", action, "412") for action in ("pause", "resume", "archive")}


def test_document_is_openapi_3_1_with_every_route_and_its_statuses(client):
    document = _document(client)

    assert document["openapi"].startswith("3.1")
    found = {(method, path): set(operation["responses"])
             for path, methods in document["paths"].items() for method, operation in methods.items()}
    assert found == EXPECTED


def test_every_registered_route_is_documented(client):
    paths = _document(client)["paths"]

    for operation in v2_api.operations:
        assert operation.method.lower() in paths["/v2" + operation.openapi_path]


def test_every_reference_resolves(client):
    assert unresolved_references(_document(client)) == []


def test_request_bodies_come_from_the_validating_models(client):
    paths = _document(client)["paths"]
    schemas = _document(client)["components"]["schemas"]

    upload = paths["/v2/assets"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    properties = schemas[upload["$ref"].rsplit("/", 1)[1]]["properties"]
    assert set(properties) == {"asset[file]", "asset[asset_type]", "asset[style]"}
    assert set(paths["/v2/certificates"]["post"]["requestBody"]["content"]) == {
        "application/json", "multipart/form-data"}


def test_lists_document_pagination_headers_and_filters(client):
    operation = _document(client)["paths"]["/v2/assets"]["get"]

    assert "X-Total" in operation["responses"]["200"]["headers"]
    q = next(parameter for parameter in operation["parameters"] if parameter["name"] == "q")
    assert q["style"] == "deepObject"
    assert "asset_type_eq" in q["schema"]["properties"]


def test_docs_page_points_at_the_document(client):
    response = client.get("/docs")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert 'spec-url="/v2/openapi.json"' in response.get_data(as_text=True)


def unresolved_references(document: dict) -> list[str]:
    """Every `$ref` of an OpenAPI document that names no schema in its components."""
    schemas = document["components"]["schemas"]

    def references(node):  # type: ignore[no-untyped-def]
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from references(value)
        elif isinstance(node, list):
            for value in node:
                yield from references(value)

    return [ref for ref in references(document) if ref.removeprefix("#/components/schemas/") not in schemas]
