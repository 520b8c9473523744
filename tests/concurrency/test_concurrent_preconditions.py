"""Idempotency keys and If-Match under concurrency, on a real threaded server (as
tests/concurrency/test_concurrent_writes.py): of two requests with one key exactly one creates, and of
two writes holding one ETag exactly one goes on (docs/idempotency-and-etags.md)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.api.conftest import Account
from tests.api.idempotency_routes import APIS, PassRoutes, created_id, pass_count
from tests.concurrency.harness import at_once
from tests.v3.conftest import make_template
from walletservice.api import idempotency as idempotency_hook
from walletservice.services import campaigns as campaign_service
from walletservice.services import passes as pass_service
from walletservice.services.passcreator import passes as v3_service

CREATE = {"v1": (pass_service, "create_integrator_pass"), "v2": (pass_service, "create_integrator_pass"),
          "v3": (v3_service, "create_v3_pass")}
UPDATE = {"v1": (pass_service, "update_integrator_pass"), "v2": (pass_service, "update_integrator_pass"),
          "v3": (v3_service, "update_v3_pass")}


@pytest.fixture(params=APIS)
def routes(request: pytest.FixtureRequest, account: Account) -> PassRoutes:
    return PassRoutes(request.param, make_template(account.id))


def held_open(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> tuple[threading.Event, threading.Event]:
    """Make module.name wait until released: (entered, release)."""
    real, entered, release = getattr(module, name), threading.Event(), threading.Event()

    def waiting(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        assert release.wait(timeout=30)
        return real(*args, **kwargs)
    monkeypatch.setattr(module, name, waiting)
    return entered, release


def slowed(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, seconds: float = 0.5) -> None:
    """module.name takes `seconds` longer: two writers started together overlap for sure."""
    real = getattr(module, name)

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return real(*args, **kwargs)
    monkeypatch.setattr(module, name, slow)


def test_a_second_request_with_the_key_gets_409_while_the_first_runs_then_the_replay(
        base_url: str, routes: PassRoutes, account: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    # Held after the key is taken and before the handler runs: outside any transaction, so
    # SQLite's single writer is free for the second request too.
    entered, release = held_open(monkeypatch, idempotency_hook, "_rendered")
    headers = routes.headers(account) | {"Idempotency-Key": "order-1"}
    with httpx.Client(base_url=base_url, timeout=60) as http, ThreadPoolExecutor(1) as pool:
        def create() -> httpx.Response:
            return http.post(routes.create_path, json=routes.create_body(), headers=headers)
        first = pool.submit(create)
        assert entered.wait(timeout=30)
        while_running = create()
        release.set()
        done = first.result(timeout=60)
        after = create()
    assert while_running.status_code == 409, while_running.text
    assert "in progress" in routes.error_messages(while_running.json())[0]
    assert done.status_code == routes.created_status(), done.text
    assert after.status_code == done.status_code and after.content == done.content
    assert after.headers["Idempotent-Replayed"] == "true"
    assert pass_count() == 1


def test_ten_requests_at_once_with_one_key_create_one_pass(
        base_url: str, routes: PassRoutes, account: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    slowed(monkeypatch, *CREATE[routes.api], seconds=0.2)
    headers = routes.headers(account) | {"Idempotency-Key": "order-1"}
    with httpx.Client(base_url=base_url, timeout=60, limits=httpx.Limits(max_connections=10)) as http:
        answers = at_once(10, lambda _index: http.post(routes.create_path, json=routes.create_body(),
                                                       headers=headers))
    statuses = [answer.status_code for answer in answers]
    assert set(statuses) <= {routes.created_status(), 409}, [answer.text for answer in answers]
    created = {created_id(routes, answer.json()) for answer in answers if answer.status_code != 409}
    assert len(created) == 1
    assert pass_count() == 1


def two_at_once(call: Callable[[int], httpx.Response]) -> list[int]:
    return sorted(answer.status_code for answer in at_once(2, call))


def test_two_patches_with_one_etag_give_one_success_and_one_412(
        base_url: str, routes: PassRoutes, account: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    with httpx.Client(base_url=base_url, timeout=60) as http:
        created = http.post(routes.create_path, json=routes.create_body(), headers=routes.headers(account))
        pass_id = created_id(routes, created.json())
        for round_ in range(3):
            tag = http.get(routes.item_path(pass_id), headers=routes.headers(account)).headers["ETag"]
            slowed(monkeypatch, *UPDATE[routes.api])

            def update(index: int, tag: str = tag, round_: int = round_) -> httpx.Response:
                path, body = routes.patch(pass_id, f"writer {round_}.{index}")
                return http.patch(path, json=body, headers=routes.headers(account) | {"If-Match": tag})
            assert two_at_once(update) == [routes.updated_status(), 412]
            monkeypatch.undo()


def test_two_campaign_patches_with_one_etag_give_one_success_and_one_412(
        base_url: str, account: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    item = f"/v2/event_tickets/{make_template(account.id)}"
    with httpx.Client(base_url=base_url, timeout=60) as http:
        tag = http.get(item, headers=account.basic).headers["ETag"]
        slowed(monkeypatch, campaign_service, "update_integrator_campaign")
        statuses = two_at_once(lambda index: http.patch(
            item, json={"event_ticket": {"name": f"Gala {index}"}}, headers=account.basic | {"If-Match": tag}))
    assert statuses == [200, 412]
