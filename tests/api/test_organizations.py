"""Child organizations (v2/organizations.md)."""

from __future__ import annotations

import base64

import pytest

from tests.api.conftest import Account, row_counts, error_text
from walletservice.services.organizations import MAX_CHILD_ORGANIZATIONS


def _create(client, account: Account, body):
    return client.post("/v2/organizations", json=body, headers=account.basic)


def _credentials(organization: dict) -> dict[str, str]:
    pair = f"{organization['api_username']}:{organization['api_password']}"
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}


def test_create_answers_with_credentials_that_work(client, account: Account):
    response = _create(client, account, {"name": "Acme Corporation"})

    assert response.status_code == 201
    child = response.get_json()
    assert set(child) == {"id", "name", "api_username", "api_password", "webhook_url", "users_count",
                          "locked_at", "updated_at", "created_at"}
    assert child["name"] == "Acme Corporation" and child["api_username"] == child["id"]
    assert client.get("/v2/ping", headers=_credentials(child)).get_json()["authenticated"] is True


def test_the_singular_root_is_accepted_too(client, account: Account):
    assert _create(client, account, {"organization": {"name": "Acme"}}).status_code == 201


def test_list_shows_children_without_their_keys(client, account: Account, other_account: Account):
    child = _create(client, account, {"name": "Acme"}).get_json()
    _create(client, other_account, {"name": "Not yours"})

    listed = client.get("/v2/organizations", headers=account.basic).get_json()

    assert [(o["id"], o["api_password"]) for o in listed] == [(child["id"], None)]


def test_a_child_cannot_see_its_parent_or_siblings(client, account: Account):
    first = _create(client, account, {"name": "First"}).get_json()
    _create(client, account, {"name": "Second"})

    assert client.get("/v2/organizations", headers=_credentials(first)).get_json() == []


def test_refresh_revokes_old_keys_and_issues_a_new_one(client, account: Account):
    child = _create(client, account, {"name": "Acme"}).get_json()

    response = client.post(f"/v2/organizations/{child['id']}/refresh_api_password", headers=account.basic)

    assert response.status_code == 200
    refreshed = response.get_json()
    assert refreshed["api_password"] != child["api_password"]
    assert client.get("/v2/assets", headers=_credentials(child)).status_code == 401
    assert client.get("/v2/assets", headers=_credentials(refreshed)).status_code == 200


def test_refresh_of_an_organization_that_is_not_a_child_is_404(client, account: Account, other_account: Account):
    foreign_child = _create(client, other_account, {"name": "Theirs"}).get_json()
    before = row_counts()

    for target in (foreign_child["id"], account.id, other_account.id):
        response = client.post(f"/v2/organizations/{target}/refresh_api_password", headers=account.basic)
        assert response.status_code == 404
    assert row_counts() == before
    assert client.get("/v2/ping", headers=_credentials(foreign_child)).get_json()["authenticated"]


@pytest.mark.parametrize("body, expected", [
    ({}, "name is required"),
    ({"name": ""}, "name"),
    ({"name": 5}, "name"),
    ({"name": "x" * 256}, "name"),
    ({"name": "a\x00b"}, "name"),
    ({"name": None, "organization": {"name": ["x"]}}, "organization.name"),
    ([], "valid dictionary"),
    ("name", "valid dictionary"),
    (10 ** 400, "valid dictionary"),
])
def test_bad_bodies_are_422_and_create_nothing(client, account: Account, body, expected):
    before = row_counts()

    response = _create(client, account, body)

    assert response.status_code == 422
    assert expected in error_text(response)
    assert row_counts() == before


def test_an_empty_body_is_422_not_400(client, account: Account):
    response = client.post("/v2/organizations", headers=account.basic)

    assert response.status_code == 422


def test_the_child_limit_is_a_412(client, account: Account):
    for number in range(MAX_CHILD_ORGANIZATIONS):
        assert _create(client, account, {"name": f"Child {number}"}).status_code == 201

    response = _create(client, account, {"name": "One too many"})

    assert response.status_code == 412
    assert str(MAX_CHILD_ORGANIZATIONS) in error_text(response)
