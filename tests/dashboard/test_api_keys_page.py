"""The API keys page: owners create a key (shown once, and it works against /v2) and
revoke one (it stops working); editors and viewers are refused by the server; another
organization's keys are neither shown nor revocable; every change is audited without
the key."""

from __future__ import annotations

import base64
import re

import pytest
from flask import Flask
from sqlalchemy import select

from tests.api.conftest import new_account
from tests.dashboard.conftest import Team, add_user, csrf_from, signed_in_client
from walletservice.db import transaction
from walletservice.models import ApiKey, DashboardAuditEntry

NEW_KEY = re.compile(r'data-testid="new-api-key-secret">([^<]+)<')


def _basic(account_id: str, api_key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{account_id}:{api_key}".encode()).decode()}


def _keys(organization_id: str) -> list[ApiKey]:
    with transaction(write=False) as session:
        return list(session.scalars(select(ApiKey).where(ApiKey.organization_id == organization_id)))


def _audit() -> list[DashboardAuditEntry]:
    with transaction(write=False) as session:
        return list(session.scalars(select(DashboardAuditEntry).order_by(DashboardAuditEntry.occurred_at)))


def test_an_owner_creates_a_key_shown_once_that_works_and_revoking_it_ends_it(app: Flask, team: Team) -> None:
    client = signed_in_client(app, team.owner)
    token = csrf_from(client, "/dashboard/api-keys")
    created = client.post("/dashboard/api-keys", data={"csrf_token": token})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    api_key = NEW_KEY.search(created.get_data(as_text=True)).group(1)
    api = app.test_client()
    assert api.get("/v2/coupons", headers=_basic(team.account.id, api_key)).status_code == 200

    page = client.get("/dashboard/api-keys").get_data(as_text=True)
    assert api_key not in page and 'data-testid="new-api-key"' not in page  # never shown again
    [new_row] = [key for key in _keys(team.account.id) if key.id != _first_key_id(team)]
    assert new_row.id in page
    assert client.post(f"/dashboard/api-keys/{new_row.id}/revoke", data={"csrf_token": token}).status_code == 302
    assert api.get("/v2/coupons", headers=_basic(team.account.id, api_key)).status_code == 401
    assert api.get("/v2/coupons", headers=team.account.basic).status_code == 200  # the other key still works
    assert "revoked" in client.get("/dashboard/api-keys").get_data(as_text=True)

    create, revoke = _audit()
    assert (create.action, create.target_id, create.user_email) == ("api_key.create", new_row.id, team.owner)
    assert (revoke.action, revoke.target_id, revoke.after) == ("api_key.revoke", new_row.id, {"revoked": True})
    assert all(api_key not in repr((entry.before, entry.after)) for entry in (create, revoke))
    assert api_key not in client.get("/dashboard/audit").get_data(as_text=True)


def _first_key_id(team: Team) -> str:
    """The key the account was made with (tests.api.conftest.new_account)."""
    with transaction(write=False) as session:
        return session.scalars(select(ApiKey.id).where(ApiKey.organization_id == team.account.id)
                               .order_by(ApiKey.created_at)).first()


def test_revoking_a_revoked_key_is_409_and_not_audited_twice(app: Flask, team: Team) -> None:
    client = signed_in_client(app, team.owner)
    token = csrf_from(client, "/dashboard/api-keys")
    key_id = _first_key_id(team)
    assert client.post(f"/dashboard/api-keys/{key_id}/revoke", data={"csrf_token": token}).status_code == 302
    assert client.post(f"/dashboard/api-keys/{key_id}/revoke", data={"csrf_token": token}).status_code == 409
    assert [entry.action for entry in _audit()] == ["api_key.revoke"]


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_editors_and_viewers_may_neither_create_nor_revoke(app: Flask, team: Team, role: str) -> None:
    client = signed_in_client(app, getattr(team, role))
    page = client.get("/dashboard/api-keys").get_data(as_text=True)
    assert _first_key_id(team) in page and 'data-action="create-key"' not in page and 'data-action="revoke"' not in page
    token = csrf_from(client, "/dashboard")  # their own, valid token
    assert client.post("/dashboard/api-keys", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/dashboard/api-keys/{_first_key_id(team)}/revoke",
                       headers={"X-CSRF-Token": token}).status_code == 403
    assert len(_keys(team.account.id)) == 1 and _keys(team.account.id)[0].revoked_at is None
    assert _audit() == []


def test_another_organizations_keys_are_not_shown_and_not_revocable(app: Flask, team: Team) -> None:
    stranger = new_account("Skyport Airways")
    client = signed_in_client(app, add_user(stranger.id, "owner@skyport.test", "owner"))
    key_id = _first_key_id(team)
    assert key_id not in client.get("/dashboard/api-keys").get_data(as_text=True)
    token = csrf_from(client, "/dashboard")
    assert client.post(f"/dashboard/api-keys/{key_id}/revoke", data={"csrf_token": token}).status_code == 404
    assert _keys(team.account.id)[0].revoked_at is None and _audit() == []


def test_a_forged_post_without_the_csrf_token_is_refused(app: Flask, team: Team) -> None:
    client = signed_in_client(app, team.owner)
    assert client.post("/dashboard/api-keys").status_code == 403
    assert client.post(f"/dashboard/api-keys/{_first_key_id(team)}/revoke").status_code == 403
    assert len(_keys(team.account.id)) == 1 and _keys(team.account.id)[0].revoked_at is None
