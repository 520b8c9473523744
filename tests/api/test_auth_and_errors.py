"""Credentials and the `{"errors": [...]}` shape of every failure under /v2."""

from __future__ import annotations

import base64

from tests.api.conftest import Account, error_text
from walletservice.db import transaction
from walletservice.models import Organization
from walletservice.services.organizations import revoke_api_keys


def _basic(username: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def _assert_unauthorized(response) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="walletservice"'
    assert response.get_json()["errors"]


def test_ping_answers_without_credentials(client):
    response = client.get("/v2/ping")

    assert response.status_code == 200
    assert response.get_json() == {"ping": "pong", "authenticated": False}


def test_ping_with_basic_credentials_says_authenticated(client, account: Account):
    assert client.get("/v2/ping", headers=account.basic).get_json()["authenticated"] is True


def test_basic_and_bearer_both_authenticate(client, account: Account):
    for headers in (account.basic, account.bearer):
        assert client.get("/v2/assets", headers=headers).status_code == 200


def test_missing_credentials_get_401_with_a_basic_challenge(client, account):
    _assert_unauthorized(client.get("/v2/assets"))


def test_wrong_key_gets_401(client, account: Account):
    _assert_unauthorized(client.get("/v2/assets", headers=_basic(account.id, "wsk_wrong")))
    _assert_unauthorized(client.get("/v2/assets", headers={"Authorization": "Bearer wsk_wrong"}))
    _assert_unauthorized(client.get("/v2/ping", headers={"Authorization": "Bearer wsk_wrong"}))


def test_right_key_with_another_account_id_gets_401(client, account: Account, other_account: Account):
    _assert_unauthorized(client.get("/v2/assets", headers=_basic(other_account.id, account.api_key)))
    _assert_unauthorized(client.get("/v2/assets", headers=_basic("not-a-uuid\x00", account.api_key)))


def test_revoked_key_gets_401(client, account: Account):
    with transaction() as session:
        revoke_api_keys(session, session.get(Organization, account.id))

    _assert_unauthorized(client.get("/v2/assets", headers=account.basic))


def test_unknown_schemes_and_empty_passwords_get_401(client, account: Account):
    for header in ("Token abc", "Bearer ", "Basic !!!not-base64", "Digest x"):
        _assert_unauthorized(client.get("/v2/assets", headers={"Authorization": header}))
    _assert_unauthorized(client.get("/v2/assets", headers=_basic(account.id, "")))


def test_unknown_path_under_v2_is_a_json_404(client, account: Account):
    response = client.get("/v2/nothing/here", headers=account.basic)

    assert response.status_code == 404
    assert response.get_json() == {"errors": {"path": "Not found."}}


def test_paths_outside_v2_keep_their_own_404(client):
    response = client.get("/not-an-api")

    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_wrong_method_is_a_json_405_with_allow(client, account: Account):
    response = client.put("/v2/assets", headers=account.basic)

    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["errors"] == {"method": "PUT is not allowed on /v2/assets"}


def test_non_uuid_ids_are_404_not_500(client, account: Account):
    for path in ("/v2/assets/123", "/v2/assets/%00", "/v2/certificates/" + "9" * 5000,
                 "/v2/organizations/x/refresh_api_password"):
        method = client.post if path.endswith("password") else client.get
        response = method(path, headers=account.basic)
        assert response.status_code == 404, path
        assert response.get_json()["errors"]


def test_trailing_slash_is_optional(client, account: Account):
    assert client.get("/v2/assets/", headers=account.basic).status_code == 200


def test_malformed_json_is_a_400(client, account: Account):
    for body, error in (("{bad", "the body is not valid JSON"), ("[" * 100_000, "JSON nests deeper than 64 levels"),
                        (b"\xff\xfe", "the body is not valid JSON")):
        response = client.post("/v2/organizations", data=body, headers=account.basic,
                                content_type="application/json")
        assert response.status_code == 400
        assert response.get_json() == {"errors": {"body": error}}


def test_a_form_sent_to_a_json_route_is_a_400(client, account: Account):
    response = client.post("/v2/organizations", data={"name": "x"}, headers=account.basic)

    assert response.status_code == 400
    assert "application/json" in error_text(response)


def test_body_over_the_request_limit_is_a_json_413(client, app, account: Account):
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)

    response = client.post("/v2/organizations", data=too_big, headers=account.basic,
                           content_type="application/json")

    assert response.status_code == 413
    assert "larger than" in error_text(response)


def test_nul_in_free_form_objects_is_422_not_a_database_error(client, account):
    response = client.post("/v2/organizations", json={"name": "ok", "user_info": {"\x00": "x"}},
                           headers=account.basic)
    assert response.status_code == 422
    assert "NUL" in error_text(response)


def test_json_that_curl_labels_as_a_form_is_read_as_json(client, account: Account):
    # `curl -d '{...}'` without -H sends Content-Type: application/x-www-form-urlencoded.
    response = client.post("/v2/organizations", data='{"organization": {"name": "Toy Town West"}}',
                           headers=account.basic, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["name"] == "Toy Town West"
