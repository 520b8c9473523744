"""The caller's webhook: /v2/webhook, webhook_url on child organizations, and the CLI."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import Account
from walletservice.db import transaction
from walletservice.models import Organization


def test_no_webhook_at_first(client, account: Account):  # type: ignore[no-untyped-def]
    response = client.get("/v2/webhook", headers=account.basic)
    assert response.status_code == 200
    assert response.get_json() == {"webhook_url": None, "webhook_secret": None,
                                   "webhook_authorization_set": False, "webhook_authorization_hint": None}


@pytest.mark.parametrize("method", ["patch", "put"])
def test_setting_a_url_creates_a_secret_that_a_new_url_keeps(client, account: Account, method):  # type: ignore[no-untyped-def]
    send = getattr(client, method)
    first = send("/v2/webhook", json={"webhook_url": "https://hooks.example.test/a"}, headers=account.basic)
    assert first.status_code == 200, first.get_json()
    secret = first.get_json()["webhook_secret"]
    assert secret and first.get_json()["webhook_url"] == "https://hooks.example.test/a"
    second = send("/v2/webhook", json={"webhook_url": "http://hooks.example.test:8080/b"}, headers=account.basic)
    assert second.get_json() == {"webhook_url": "http://hooks.example.test:8080/b", "webhook_secret": secret,
                                 "webhook_authorization_set": False, "webhook_authorization_hint": None}
    assert client.get("/v2/webhook", headers=account.basic).get_json()["webhook_secret"] == secret
    with transaction(write=False) as session:
        stored = session.get(Organization, account.id)
        assert secret not in stored.webhook_secret_encrypted  # encrypted at rest


def test_null_removes_the_webhook(client, account: Account):  # type: ignore[no-untyped-def]
    client.patch("/v2/webhook", json={"webhook_url": "https://hooks.example.test/"}, headers=account.basic)
    response = client.patch("/v2/webhook", json={"webhook_url": None}, headers=account.basic)
    assert response.get_json()["webhook_url"] is None


def test_rotating_gives_a_new_secret(client, account: Account):  # type: ignore[no-untyped-def]
    old = client.patch("/v2/webhook", json={"webhook_url": "https://hooks.example.test/"},
                       headers=account.basic).get_json()["webhook_secret"]
    response = client.post("/v2/webhook/rotate_secret", headers=account.basic)
    assert response.status_code == 200
    assert response.get_json()["webhook_secret"] not in (None, old)


@pytest.mark.parametrize("url", [
    "ftp://hooks.example.test/", "javascript:alert(1)", "hooks.example.test/in", "https://", "http:///path",
    "https://hooks.example.test/a b", "https://hooks.example.test:port/", "https://x.test/" + "a" * 2048, "",
])
def test_anything_but_an_http_url_is_422(client, account: Account, url):  # type: ignore[no-untyped-def]
    response = client.patch("/v2/webhook", json={"webhook_url": url}, headers=account.basic)
    assert response.status_code == 422
    assert response.get_json()["errors"]
    assert client.get("/v2/webhook", headers=account.basic).get_json()["webhook_url"] is None


def test_a_missing_or_non_string_url_is_422(client, account: Account):  # type: ignore[no-untyped-def]
    assert client.patch("/v2/webhook", json={}, headers=account.basic).status_code == 422
    assert client.patch("/v2/webhook", json={"webhook_url": 5}, headers=account.basic).status_code == 422


def test_the_webhook_needs_credentials(client):  # type: ignore[no-untyped-def]
    assert client.get("/v2/webhook").status_code == 401


def test_a_child_organization_can_be_created_with_a_webhook_url(client, account: Account):  # type: ignore[no-untyped-def]
    response = client.post("/v2/organizations", json={"name": "Child", "webhook_url": "https://child.test/in"},
                           headers=account.basic)
    assert response.status_code == 201
    child = response.get_json()
    assert child["webhook_url"] == "https://child.test/in"
    child_account = Account(child["id"], child["api_password"])
    settings = client.get("/v2/webhook", headers=child_account.basic).get_json()
    assert settings["webhook_url"] == "https://child.test/in" and settings["webhook_secret"]
    listed = client.get("/v2/organizations", headers=account.basic).get_json()
    assert [item["webhook_url"] for item in listed] == ["https://child.test/in"]


def test_a_child_with_a_bad_webhook_url_is_not_created(client, account: Account):  # type: ignore[no-untyped-def]
    response = client.post("/v2/organizations", json={"name": "Child", "webhook_url": "gopher://x"},
                           headers=account.basic)
    assert response.status_code == 422
    assert client.get("/v2/organizations", headers=account.basic).get_json() == []


def test_the_cli_sets_and_shows_the_webhook(app):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    created = runner.invoke(args=["wallet", "orgs", "create", "Acme", "--webhook-url", "https://acme.test/h", "--json"])
    assert created.exit_code == 0, created.output
    result = json.loads(created.output)
    assert result["webhook_url"] == "https://acme.test/h" and result["webhook_secret"]
    shown = runner.invoke(args=["wallet", "orgs", "webhook", result["id"], "--json"])
    assert json.loads(shown.output)["webhook_secret"] == result["webhook_secret"]
    bad = runner.invoke(args=["wallet", "orgs", "webhook", result["id"], "--url", "file:///etc/passwd"])
    assert bad.exit_code != 0 and "http" in bad.output
    removed = runner.invoke(args=["wallet", "orgs", "webhook", result["id"], "--remove", "--json"])
    assert json.loads(removed.output)["webhook_url"] is None


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/in", "https://[::1]/in", "https://10.0.0.7/in",
                                 "http://169.254.169.254/latest/meta-data", "https://localhost/in"])
def test_a_webhook_url_on_a_private_address_is_422_unless_allowed(app, client, account: Account, url: str):  # type: ignore[no-untyped-def]
    refused = client.patch("/v2/webhook", json={"webhook_url": url}, headers=account.basic)
    assert refused.status_code == 422
    assert "private" in json.dumps(refused.get_json())
    app.config["WALLET_WEBHOOK_ALLOW_PRIVATE"] = True
    allowed = client.patch("/v2/webhook", json={"webhook_url": url}, headers=account.basic)
    assert allowed.status_code == 200 and allowed.get_json()["webhook_url"] == url


PASSWORKS_KEY = "0b5e0c1f6a9d4e7b8c2d3f4a5b6c7d8e"  # what a Passworks receiver compares Authorization with


def test_the_authorization_value_is_set_alone_and_never_shown_in_full(client, account: Account):  # type: ignore[no-untyped-def]
    client.patch("/v2/webhook", json={"webhook_url": "https://hooks.example.test/in"}, headers=account.basic)
    response = client.patch("/v2/webhook", json={"webhook_authorization": PASSWORKS_KEY}, headers=account.basic)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["webhook_url"] == "https://hooks.example.test/in"  # omitted: unchanged
    assert (body["webhook_authorization_set"], body["webhook_authorization_hint"]) == (True, "****7d8e")
    shown = client.get("/v2/webhook", headers=account.basic)
    assert PASSWORKS_KEY not in shown.get_data(as_text=True) and PASSWORKS_KEY not in response.get_data(as_text=True)
    assert shown.get_json()["webhook_authorization_hint"] == "****7d8e"
    with transaction(write=False) as session:
        stored = session.get(Organization, account.id).webhook_authorization_encrypted
        assert stored and PASSWORKS_KEY not in stored  # encrypted at rest


def test_a_short_authorization_value_shows_no_characters(client, account: Account):  # type: ignore[no-untyped-def]
    body = client.put("/v2/webhook", json={"webhook_authorization": "Token abc"}, headers=account.basic).get_json()
    assert (body["webhook_authorization_set"], body["webhook_authorization_hint"]) == (True, "****")


def test_null_clears_the_authorization_value_and_keeps_the_url(client, account: Account):  # type: ignore[no-untyped-def]
    client.patch("/v2/webhook", json={"webhook_url": "https://hooks.example.test/in",
                                      "webhook_authorization": PASSWORKS_KEY}, headers=account.basic)
    cleared = client.patch("/v2/webhook", json={"webhook_authorization": None}, headers=account.basic)
    assert cleared.status_code == 200
    assert cleared.get_json()["webhook_authorization_set"] is False
    assert cleared.get_json()["webhook_url"] == "https://hooks.example.test/in"
    with transaction(write=False) as session:
        assert session.get(Organization, account.id).webhook_authorization_encrypted is None


@pytest.mark.parametrize("value", ["", " leading", "trailing ", "line\r\nX-Injected: 1", "tab\there", "nul\u0000",
                                   "caf\u00e9", "a" * 1025, 5, ["key"], {"key": "v"}, True])
def test_a_bad_authorization_value_is_422_json_and_changes_nothing(client, account: Account, value):  # type: ignore[no-untyped-def]
    client.patch("/v2/webhook", json={"webhook_authorization": PASSWORKS_KEY}, headers=account.basic)
    response = client.patch("/v2/webhook", json={"webhook_authorization": value}, headers=account.basic)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.is_json and response.get_json()["errors"]
    assert client.get("/v2/webhook", headers=account.basic).get_json()["webhook_authorization_hint"] == "****7d8e"


def test_a_child_organization_can_be_created_with_an_authorization_value(client, account: Account):  # type: ignore[no-untyped-def]
    response = client.post("/v2/organizations", json={"name": "Child", "webhook_url": "https://child.test/in",
                                                      "webhook_authorization": PASSWORKS_KEY},
                           headers=account.basic)
    assert response.status_code == 201 and PASSWORKS_KEY not in response.get_data(as_text=True)
    child = Account(response.get_json()["id"], response.get_json()["api_password"])
    assert client.get("/v2/webhook", headers=child.basic).get_json()["webhook_authorization_hint"] == "****7d8e"
    refused = client.post("/v2/organizations", json={"name": "Other", "webhook_authorization": "a\nb"},
                          headers=account.basic)
    assert refused.status_code == 422 and refused.get_json()["errors"]


def test_the_cli_sets_and_clears_the_authorization_value(app):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    created = json.loads(runner.invoke(args=["wallet", "orgs", "create", "Acme", "--json"]).output)
    shown = runner.invoke(args=["wallet", "orgs", "webhook", created["id"], "--authorization", PASSWORKS_KEY, "--json"])
    assert shown.exit_code == 0, shown.output
    assert PASSWORKS_KEY not in shown.output
    assert json.loads(shown.output)["webhook_authorization_hint"] == "****7d8e"
    bad = runner.invoke(args=["wallet", "orgs", "webhook", created["id"], "--authorization", "a\rb"])
    assert bad.exit_code != 0 and "webhook_authorization" in bad.output
    cleared = runner.invoke(args=["wallet", "orgs", "webhook", created["id"], "--clear-authorization", "--json"])
    assert json.loads(cleared.output)["webhook_authorization_set"] is False
