"""Fixtures for the dashboard: an organization with an owner, an editor and a viewer,
and a test client signed in as one of them through the real sign-in form."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import Account, new_account
from tests.api.conftest import pass_certificate, wwdr  # noqa: F401  (fixtures for the certificates page)
from walletservice.db import transaction
from walletservice.services.dashboard_users import create_user

PASSWORD = "correct horse battery staple"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Team:
    account: Account
    owner: str
    editor: str
    viewer: str


def add_user(organization_id: str, email: str, role: str, password: str = PASSWORD) -> str:
    with transaction() as session:
        return create_user(session, email, organization_id, role, password).email


@pytest.fixture
def team(app: Flask) -> Team:
    account = new_account("Toy Town")
    return Team(account, add_user(account.id, "owner@toy.test", "owner"),
                add_user(account.id, "editor@toy.test", "editor"), add_user(account.id, "viewer@toy.test", "viewer"))


def csrf_from(client: FlaskClient, path: str = "/dashboard/login") -> str:
    page = client.get(path)
    match = CSRF_INPUT.search(page.get_data(as_text=True))
    assert match, page.get_data(as_text=True)[:500]
    return match.group(1)


def post_sign_in(client: FlaskClient, email: str, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/dashboard/login", data={"email": email, "password": password,
                                                 "csrf_token": csrf_from(client), **extra})


def signed_in_client(app: Flask, email: str) -> FlaskClient:
    # The test settings' public URL is https, so the session cookie is Secure: talk https.
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    response = post_sign_in(client, email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def https_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return client
