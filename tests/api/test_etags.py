"""ETag on reads of one pass, campaign or template, and If-Match on their writes, in v1, v2
and v3 (docs/idempotency-and-etags.md). The concurrent case is in tests/concurrency/test_concurrent_preconditions.py."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import Account
from tests.api.idempotency_routes import APIS, PassRoutes, created_id, pass_count
from tests.api.test_templates import new_template
from tests.api.test_campaigns import upload
from tests.v3.conftest import make_template


@pytest.fixture(params=APIS)
def routes(request: pytest.FixtureRequest, account: Account) -> PassRoutes:
    return PassRoutes(request.param, make_template(account.id))


def new_pass(client: FlaskClient, routes: PassRoutes, account: Account) -> str:
    answer = client.post(routes.create_path, json=routes.create_body(), headers=routes.headers(account))
    assert answer.status_code == routes.created_status(), answer.json
    return created_id(routes, answer.json)


def etag_of(client: FlaskClient, path: str, headers: dict[str, str]) -> str:
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.headers["ETag"]


def patch(client: FlaskClient, routes: PassRoutes, account: Account, pass_id: str, firstname: str,
          if_match: str | None):
    path, body = routes.patch(pass_id, firstname)
    headers = routes.headers(account) | ({"If-Match": if_match} if if_match is not None else {})
    return client.patch(path, json=body, headers=headers)


def test_a_pass_carries_a_strong_etag_that_every_api_agrees_on(
        client: FlaskClient, routes: PassRoutes, account: Account) -> None:
    pass_id = new_pass(client, routes, account)
    tag = etag_of(client, routes.item_path(pass_id), routes.headers(account))
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")
    assert etag_of(client, routes.item_path(pass_id), routes.headers(account)) == tag  # stable while unchanged
    for api in APIS:
        other = PassRoutes(api, routes.campaign_id)
        assert etag_of(client, other.item_path(pass_id), other.headers(account)) == tag


def test_a_matching_if_match_updates_and_answers_the_new_etag(
        client: FlaskClient, routes: PassRoutes, account: Account) -> None:
    pass_id = new_pass(client, routes, account)
    before = etag_of(client, routes.item_path(pass_id), routes.headers(account))
    answer = patch(client, routes, account, pass_id, "Grace", before)
    assert answer.status_code == routes.updated_status(), answer.json
    after = etag_of(client, routes.item_path(pass_id), routes.headers(account))
    assert after != before and answer.headers["ETag"] == after


def test_a_stale_if_match_is_412_in_the_apis_error_shape_and_changes_nothing(
        client: FlaskClient, routes: PassRoutes, account: Account) -> None:
    pass_id = new_pass(client, routes, account)
    stale = etag_of(client, routes.item_path(pass_id), routes.headers(account))
    assert patch(client, routes, account, pass_id, "Grace", None).status_code == routes.updated_status()  # as before
    current = etag_of(client, routes.item_path(pass_id), routes.headers(account))
    refused = patch(client, routes, account, pass_id, "Linus", stale)
    assert refused.status_code == 412, refused.json
    assert "If-Match" in routes.error_messages(refused.json)[0]
    assert "ETag" not in refused.headers
    assert etag_of(client, routes.item_path(pass_id), routes.headers(account)) == current
    deleted = client.delete(routes.item_path(pass_id), headers=routes.headers(account) | {"If-Match": stale})
    assert deleted.status_code == 412 and pass_count() == 1


@pytest.mark.parametrize("if_match", ["*", 'W/"x", {current}', '"nope", {current}'])
def test_star_or_a_list_holding_the_current_tag_goes_on(
        client: FlaskClient, routes: PassRoutes, account: Account, if_match: str) -> None:
    pass_id = new_pass(client, routes, account)
    current = etag_of(client, routes.item_path(pass_id), routes.headers(account))
    assert patch(client, routes, account, pass_id, "Grace", if_match.format(current=current)).status_code == \
        routes.updated_status()


def test_a_weak_tag_never_matches(client: FlaskClient, routes: PassRoutes, account: Account) -> None:
    pass_id = new_pass(client, routes, account)
    current = etag_of(client, routes.item_path(pass_id), routes.headers(account))
    assert patch(client, routes, account, pass_id, "Grace", "W/" + current).status_code == 412


@pytest.mark.parametrize("if_match", ["unquoted", '"open', '"a" "b"'])
def test_a_malformed_if_match_is_400(client: FlaskClient, routes: PassRoutes, account: Account,
                                     if_match: str) -> None:
    pass_id = new_pass(client, routes, account)
    answer = patch(client, routes, account, pass_id, "Grace", if_match)
    assert answer.status_code == 400, answer.json
    assert "If-Match" in routes.error_messages(answer.json)[0]


def test_delete_with_the_current_tag_deletes(client: FlaskClient, routes: PassRoutes, account: Account) -> None:
    pass_id = new_pass(client, routes, account)
    current = etag_of(client, routes.item_path(pass_id), routes.headers(account))
    deleted = client.delete(routes.item_path(pass_id), headers=routes.headers(account) | {"If-Match": current})
    assert deleted.status_code == 200, deleted.json
    assert pass_count() == 0


def test_an_async_v3_update_with_if_match_is_made_at_once(client: FlaskClient, account: Account) -> None:
    routes = PassRoutes("v3", make_template(account.id))
    pass_id = new_pass(client, routes, account)
    current = etag_of(client, routes.item_path(pass_id), routes.headers(account))
    answer = client.patch(routes.item_path(pass_id), json={"data": {"firstname": "Grace"}},
                          headers=routes.headers(account) | {"If-Match": current})
    assert answer.status_code == 200 and answer.json["data"]["process"] is None
    assert answer.json["description"] == "Pass has been updated."
    assert answer.headers["ETag"] == etag_of(client, routes.item_path(pass_id), routes.headers(account)) != current


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_campaign_carries_an_etag_and_v2_writes_check_if_match(
        client: FlaskClient, account: Account, api: str) -> None:
    campaign_id = make_template(account.id)
    v2_item = f"/v2/event_tickets/{campaign_id}"
    tag = etag_of(client, f"/{api}/event_tickets/{campaign_id}", account.basic)
    assert tag == etag_of(client, v2_item, account.basic)
    changed = client.patch(v2_item, json={"event_ticket": {"name": "Winter Gala"}},
                           headers=account.basic | {"If-Match": tag})
    assert changed.status_code == 200, changed.json
    assert changed.headers["ETag"] == etag_of(client, v2_item, account.basic) != tag
    stale = client.patch(v2_item, json={"event_ticket": {"name": "Spring Gala"}}, headers=account.basic | {"If-Match": tag})
    assert stale.status_code == 412 and client.get(v2_item, headers=account.basic).json["name"] == "Winter Gala"
    assert client.delete(v2_item, headers=account.basic | {"If-Match": tag}).status_code == 412
    assert client.delete(v2_item, headers=account.basic | {"If-Match": changed.headers["ETag"]}).status_code == 200


def test_v1_loyalty_reads_carry_the_same_etags(client: FlaskClient, account: Account) -> None:
    routes = PassRoutes("v1", make_template(account.id, design={
        "style": "storeCard", "organizationName": "Toy Town", "description": "Card",
        "secondaryFields": [{"key": "firstname", "label": "Name", "value": None}], "barcode": {"format": "qrcode"}}))
    created = client.post(f"/v1/store_cards/{routes.campaign_id}/passes", json=routes.create_body(),
                          headers=account.basic)
    assert created.status_code == 201, created.json
    pass_id = created.json["id"]
    card = f"/v1/loyalty/{routes.campaign_id}/passes/{pass_id}"
    assert etag_of(client, card, account.basic) == etag_of(
        client, f"/v1/store_cards/{routes.campaign_id}/passes/{pass_id}", account.basic)
    assert etag_of(client, f"/v1/loyalty/{routes.campaign_id}", account.basic) == etag_of(
        client, f"/v2/store_cards/{routes.campaign_id}", account.basic)
    assert client.delete(card, headers=account.basic | {"If-Match": '"stale"'}).status_code == 412


def test_a_template_carries_an_etag_and_delete_checks_if_match(client: FlaskClient, account: Account) -> None:
    icon = upload(client, account)
    template = new_template(client, account, icon_id=icon).json
    item = f"/v2/templates/{template['id']}"
    tag = etag_of(client, item, account.basic)
    assert client.delete(item, headers=account.basic | {"If-Match": '"other"'}).status_code == 412
    assert client.delete(item, headers=account.basic | {"If-Match": tag}).status_code == 200


@pytest.mark.parametrize("document", ["/v1/openapi.json", "/v2/openapi.json", "/api/v3/openapi.json"])
def test_the_documents_list_the_headers_and_their_answers(client: FlaskClient, document: str) -> None:
    paths = client.get(document).json["paths"]
    pass_item = {"/v1/openapi.json": "/v1/generics/{campaign_id}/passes/{pass_id}",
                 "/v2/openapi.json": "/v2/generics/{campaign_id}/passes/{pass_id}",
                 "/api/v3/openapi.json": "/api/v3/pass/{identifier}"}[document]
    for path, operations in paths.items():
        for method, operation in operations.items():
            names = {parameter["name"] for parameter in operation["parameters"]}
            if method == "post":
                assert "Idempotency-Key" in names and {"409", "422"} <= set(operation["responses"]), path
            else:
                assert "Idempotency-Key" not in names, (method, path)
    assert "ETag" in paths[pass_item]["get"]["responses"]["200"]["headers"]
    for method in ("patch", "delete"):
        operation = paths[pass_item][method]
        assert "If-Match" in {parameter["name"] for parameter in operation["parameters"]}
        assert "412" in operation["responses"]
