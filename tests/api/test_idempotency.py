"""Idempotency-Key on the creating POSTs of v1, v2 and v3: the first answer replayed for
24 hours, another request with the key refused, 5xx answers not kept (docs/idempotency-and-etags.md)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask import Blueprint, Flask, Response
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from tests.api.conftest import Account
from tests.factories import png_bytes
from tests.api.idempotency_routes import APIS, PassRoutes, created_id, pass_count
from tests.v3.conftest import make_template
from walletservice.api.registry import ApiRegistry
from walletservice.api.v2.error_responses import render_domain_error
from walletservice.db import transaction
from walletservice.errors import ConfigurationError, DomainError
from walletservice.models import IdempotencyKey
from walletservice.models.base import utcnow
from walletservice.scheduling.housekeeping import purge_expired_idempotency_keys
from walletservice.services import passes as pass_service
from walletservice.services.passcreator import passes as v3_service


@pytest.fixture(params=APIS)
def routes(request: pytest.FixtureRequest, account: Account) -> PassRoutes:
    return PassRoutes(request.param, make_template(account.id))


def post(client: FlaskClient, routes: PassRoutes, account: Account, key: str | None, firstname: str = "Ada"):
    headers = routes.headers(account) | ({"Idempotency-Key": key} if key is not None else {})
    return client.post(routes.create_path, json=routes.create_body(firstname), headers=headers)


def test_the_same_key_and_body_replays_the_first_answer_and_creates_one_pass(
        client: FlaskClient, routes: PassRoutes, account: Account) -> None:
    first = post(client, routes, account, "order-1")
    again = post(client, routes, account, "order-1")
    assert first.status_code == routes.created_status(), first.json
    assert again.status_code == first.status_code
    assert again.data == first.data
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert pass_count() == 1


def test_without_a_key_or_with_another_key_each_post_creates(
        client: FlaskClient, routes: PassRoutes, account: Account) -> None:
    answers = [post(client, routes, account, key) for key in (None, None, "a", "b")]
    assert {answer.status_code for answer in answers} == {routes.created_status()}
    assert len({created_id(routes, answer.json) for answer in answers}) == 4
    assert pass_count() == 4


def test_the_same_key_with_another_body_is_422_and_creates_nothing(
        client: FlaskClient, routes: PassRoutes, account: Account) -> None:
    post(client, routes, account, "order-1")
    other = post(client, routes, account, "order-1", firstname="Grace")
    assert other.status_code == 422, other.json
    assert "Idempotency-Key" in routes.error_messages(other.json)[0]
    assert pass_count() == 1


def test_keys_belong_to_one_organization(client: FlaskClient, routes: PassRoutes, account: Account,
                                         other_account: Account) -> None:
    post(client, routes, account, "order-1")
    theirs = PassRoutes(routes.api, make_template(other_account.id))
    answer = post(client, theirs, other_account, "order-1")
    assert answer.status_code == routes.created_status() and "Idempotent-Replayed" not in answer.headers
    assert pass_count() == 2


@pytest.mark.parametrize("key", ["k" * 256, "", "tab\there", "bell\x07", "del\x7f"])
def test_long_empty_or_control_character_keys_are_400(client: FlaskClient, routes: PassRoutes, account: Account,
                                                      key: str) -> None:
    answer = post(client, routes, account, key)
    assert answer.status_code == 400, answer.json
    assert "Idempotency-Key" in routes.error_messages(answer.json)[0]
    assert pass_count() == 0


def test_a_key_of_255_characters_is_taken(client: FlaskClient, routes: PassRoutes, account: Account) -> None:
    assert post(client, routes, account, "k" * 255).status_code == routes.created_status()


def test_a_4xx_answer_is_replayed_even_after_the_cause_is_gone(
        client: FlaskClient, account: Account) -> None:
    routes = PassRoutes("v2", make_template(account.id))
    campaign = f"/v2/event_tickets/{routes.campaign_id}"
    assert client.post(f"{campaign}/pause", headers=account.basic).status_code == 200
    refused = post(client, routes, account, "order-1")
    assert refused.status_code == 412
    assert client.post(f"{campaign}/resume", headers=account.basic).status_code == 200
    again = post(client, routes, account, "order-1")
    assert again.status_code == 412 and again.data == refused.data and again.headers["Idempotent-Replayed"] == "true"
    assert post(client, routes, account, "order-2").status_code == 201


def test_a_refused_body_holds_no_key(client: FlaskClient, account: Account) -> None:
    """Validation runs before the key is taken: the corrected request with the key then runs."""
    routes = PassRoutes("v2", make_template(account.id))
    bad = client.post(routes.create_path, data="{nope", headers=account.basic | {"Idempotency-Key": "k",
                                                                                    "Content-Type": "application/json"})
    assert bad.status_code == 400
    assert post(client, routes, account, "k").status_code == 201


def test_a_5xx_answer_does_not_keep_the_key(client: FlaskClient, routes: PassRoutes, account: Account,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    module, name = (v3_service, "create_v3_pass") if routes.api == "v3" else (pass_service, "create_integrator_pass")
    real = getattr(module, name)

    def unavailable(*_args, **_kwargs):
        raise ConfigurationError("no signing certificate")
    monkeypatch.setattr(module, name, unavailable)
    assert post(client, routes, account, "order-1").status_code == 503
    monkeypatch.setattr(module, name, real)
    retried = post(client, routes, account, "order-1")
    assert retried.status_code == routes.created_status() and "Idempotent-Replayed" not in retried.headers
    assert pass_count() == 1


def test_a_handler_that_crashes_does_not_keep_the_key(app: Flask, client: FlaskClient, account: Account,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    routes = PassRoutes("v2", make_template(account.id))
    real = pass_service.create_integrator_pass

    def crash(*_args, **_kwargs):
        raise RuntimeError("a bug")
    monkeypatch.setattr(pass_service, "create_integrator_pass", crash)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert post(client, routes, account, "order-1").status_code == 500
    monkeypatch.setattr(pass_service, "create_integrator_pass", real)
    assert post(client, routes, account, "order-1").status_code == 201
    assert pass_count() == 1


def test_after_24_hours_the_key_runs_again_and_housekeeping_purges_it(
        client: FlaskClient, account: Account) -> None:
    routes = PassRoutes("v2", make_template(account.id))
    post(client, routes, account, "order-1")
    post(client, routes, account, "order-2")
    with transaction() as session:
        session.execute(update(IdempotencyKey).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    rerun = post(client, routes, account, "order-1")
    assert rerun.status_code == 201 and "Idempotent-Replayed" not in rerun.headers
    assert pass_count() == 3
    with transaction() as session:
        assert purge_expired_idempotency_keys(session) == 1  # order-2; order-1 starts a new 24 hours
        assert session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_stored_answers_are_encrypted_and_keys_are_digests(client: FlaskClient, account: Account) -> None:
    routes = PassRoutes("v2", make_template(account.id))
    answer = post(client, routes, account, "order-secret-1")
    with transaction(write=False) as session:
        row = session.scalars(select(IdempotencyKey)).one()
        assert row.state == "done" and row.status_code == 201
        assert "order-secret-1" not in row.key_digest
        assert created_id(routes, answer.json).encode() not in row.body


def test_other_posts_take_keys_too_and_gets_ignore_them(client: FlaskClient, account: Account) -> None:
    campaign = PassRoutes("v2", make_template(account.id))
    headers = account.basic | {"Idempotency-Key": "pause-1"}
    pause = f"/v2/event_tickets/{campaign.campaign_id}/pause"
    assert client.post(pause, headers=headers).status_code == 200
    replay = client.post(pause, headers=headers)  # a second pause would be 412
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    listed = client.get("/v2/event_tickets", headers=headers)
    assert listed.status_code == 200 and "Idempotent-Replayed" not in listed.headers


def test_a_multipart_upload_with_a_key_is_read_whole_and_replayed(client: FlaskClient, account: Account) -> None:
    def upload(color: tuple[int, int, int] = (200, 30, 30)):
        form = {"asset[asset_type]": "icon", "asset[file]": (io.BytesIO(png_bytes((300, 300), color)), "a.png")}
        return client.post("/v2/assets", data=form, headers=account.basic | {"Idempotency-Key": "icon-1"},
                           content_type="multipart/form-data")
    first, again = upload(), upload()
    assert first.status_code == 201, first.json
    assert again.status_code == 201 and again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert upload(color=(0, 0, 0)).status_code == 422  # another file under the same key


@pytest.mark.fresh_app
def test_a_replay_carries_the_first_answers_headers(app: Flask, account: Account) -> None:
    """Location, Content-Type and the route's own headers come back; Date does not."""
    blueprint = Blueprint("idempotency_probe", __name__, url_prefix="/probe")
    blueprint.register_error_handler(DomainError, render_domain_error)
    registry = ApiRegistry(blueprint, lambda _required: account.id)
    calls = []

    @registry.route("POST", "/things", summary="Create a thing", tag="probe", responses={201: None})
    def create_thing(organization_id: str) -> Response:
        calls.append(organization_id)
        return Response(f"thing {len(calls)}", status=201, content_type="text/plain; charset=utf-8",
                        headers={"Location": f"/probe/things/{len(calls)}", "X-Thing": "yes"})
    app.register_blueprint(blueprint)
    client = app.test_client()
    first = client.post("/probe/things", headers={"Idempotency-Key": "t-1"})
    again = client.post("/probe/things", headers={"Idempotency-Key": "t-1"})
    assert calls == [account.id]
    assert (again.status_code, again.data) == (201, b"thing 1")
    for name in ("Location", "Content-Type", "X-Thing"):
        assert again.headers[name] == first.headers[name]
    assert again.headers.getlist("Location") == ["/probe/things/1"]


def test_a_multipart_part_without_a_name_is_no_server_error(client: FlaskClient, account: Account) -> None:
    body = (b"--b\r\nContent-Disposition: form-data\r\n\r\nnameless\r\n"
            b"--b\r\nContent-Disposition: form-data; name=\"asset[asset_type]\"\r\n\r\nicon\r\n--b--\r\n")
    answer = client.post("/v2/assets", data=body, content_type="multipart/form-data; boundary=b",
                         headers=account.basic | {"Idempotency-Key": "nameless-1"})
    assert answer.status_code == 422, answer.json
