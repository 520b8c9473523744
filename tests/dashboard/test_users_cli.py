"""`wallet users create|list|disable` and the demo's dashboard user."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from tests.api.conftest import new_account
from tests.dashboard.conftest import PASSWORD, post_sign_in


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def _https(app: Flask):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return client


def test_users_create_reads_the_password_from_stdin_and_the_user_can_sign_in(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    account = new_account("Toy Town")
    result = runner.invoke(args=["wallet", "users", "create", "Ada@Toy.test", "--organization", account.id,
                                 "--role", "editor", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert post_sign_in(_https(app), "ada@toy.test").status_code == 302
    listed = json.loads(runner.invoke(args=["wallet", "users", "list", "--json"]).output)
    assert [(row["email"], row["role"], row["organization_id"], row["disabled"]) for row in listed] == [
        ("ada@toy.test", "editor", account.id, False)]


@pytest.mark.parametrize(("arguments", "password", "message"), [
    (["--role", "editor"], "short", "password"),
    (["--role", "admin"], PASSWORD, "role"),
])
def test_users_create_refuses_bad_input_cleanly(app: Flask, runner, arguments, password, message) -> None:  # type: ignore[no-untyped-def]
    account = new_account("Toy Town")
    result = runner.invoke(args=["wallet", "users", "create", "ada@toy.test", "--organization", account.id,
                                 *arguments, "--password-stdin"], input=password + "\n")
    assert result.exit_code != 0 and message in result.output
    assert json.loads(runner.invoke(args=["wallet", "users", "list", "--json"]).output) == []


def test_users_create_for_an_unknown_organization_or_a_taken_address_fails(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    command = ["wallet", "users", "create", "ada@toy.test", "--role", "owner", "--password-stdin"]
    assert "organization not found" in runner.invoke(args=[*command, "--organization", "nope"],
                                                     input=PASSWORD).output
    account = new_account("Toy Town")
    assert runner.invoke(args=[*command, "--organization", account.id], input=PASSWORD).exit_code == 0
    again = runner.invoke(args=[*command, "--organization", account.id], input=PASSWORD)
    assert again.exit_code != 0 and "already" in again.output


def test_users_disable_stops_sign_in(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    account = new_account("Toy Town")
    runner.invoke(args=["wallet", "users", "create", "ada@toy.test", "--organization", account.id,
                        "--role", "viewer", "--password-stdin"], input=PASSWORD)
    assert runner.invoke(args=["wallet", "users", "disable", "ada@toy.test"]).exit_code == 0
    assert post_sign_in(_https(app), "ada@toy.test").status_code == 401
    assert json.loads(runner.invoke(args=["wallet", "users", "list", "--json"]).output)[0]["disabled"] is True
    assert runner.invoke(args=["wallet", "users", "disable", "nobody@toy.test"]).exit_code != 0


def test_demo_prints_a_dashboard_user_that_can_sign_in_and_a_new_password_each_time(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    demo = json.loads(runner.invoke(args=["wallet", "demo", "--json"]).output)
    assert demo["dashboard_url"] == "https://wallet.example.test/dashboard"
    client = _https(app)
    assert post_sign_in(client, demo["dashboard_email"], demo["dashboard_password"]).status_code == 302
    assert "Demo store card" in client.get("/dashboard/campaigns").get_data(as_text=True)
    again = json.loads(runner.invoke(args=["wallet", "demo", "--json"]).output)
    assert again["dashboard_email"] == demo["dashboard_email"]
    assert again["dashboard_password"] != demo["dashboard_password"]
    assert post_sign_in(_https(app), again["dashboard_email"], again["dashboard_password"]).status_code == 302
