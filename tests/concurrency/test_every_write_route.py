"""N requests at once at every write route of the app's url_map (v1, v2, v3, Apple's
web service and the dashboard), through a real threaded server, on SQLite or on
WALLET_TEST_DATABASE_URL.

The routes are read from the url_map (tests/security/routes.py), so a route added later
fails test_every_write_route_has_a_concurrent_case until cases.py (dashboard_cases.py for
/dashboard) says what its burst sends and checks. After every burst: no 5xx, every status one the case allows, every pass
whose tag moved has a later Last-Modified (whole seconds) than before, every version
written during the burst a later one than the tag before it, one registration per device
and pass; then the case's own check that no write was lost (docs/security.md, Concurrency).
A Wallet device polls a pass whose content the route changes, and must end with the final one.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.concurrency.burst import Burst, World, kind
from tests.concurrency.cases import CASES as API_CASES
from tests.concurrency.dashboard_cases import DASHBOARD_CASES
from tests.concurrency.harness import (
    VersionLedger, WalletDevice, at_once, client, listening_ledger, no_server_errors, polling,
)
from tests.http_servers import wsgi_server
from tests.security.routes import Route, app_routes
from tests.security.world import build_tenant, suite_app
from tests.v3.conftest import make_template
from walletservice.db import transaction
from walletservice.workers.job_runner import JobWorker
from walletservice.models import Pass, Registration
from walletservice.passkit import devcerts

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The download pages' only write (web.unlock_with_pin, a PIN form) counts failed guesses per
# client address; tests/web covers its lockout. Everything an integrator, Wallet or an
# operator in the dashboard calls is here.
ROUTES = [route for route in app_routes()
          if route.method in WRITE_METHODS and (route.api != "web" or route.rule.startswith("/dashboard/"))]
NONCES = itertools.count(1)
CASES = {**API_CASES, **DASHBOARD_CASES}


def test_every_write_route_has_a_concurrent_case() -> None:
    kinds = {kind(route) for route in ROUTES}
    missing = sorted(route.id for route in ROUTES if kind(route) not in CASES)
    assert missing == [], f"write routes without a case in tests/concurrency/cases.py: {missing}"
    assert sorted(set(CASES) - kinds) == [], "cases for routes that no longer exist"


@dataclass
class Suite:
    app: Flask
    world: World
    base_url: str
    ledger: VersionLedger


@pytest.fixture(scope="module")
def suite(test_settings: dict[str, object], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    with suite_app(test_settings, Path(tmp_path_factory.mktemp("concurrency"))) as app:
        setup = app.test_client()
        wwdr = devcerts.generate_ca("concurrency suite WWDR")
        tenant = build_tenant(setup, "concurrency", wwdr)
        world = World(tenant, setup, wwdr, make_template(tenant.account.id))
        server = wsgi_server(app)
        with listening_ledger() as ledger:
            yield Suite(app, world, next(server), ledger)
        server.close()


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.id)
def test_parallel_requests_lose_no_write(route: Route, suite: Suite) -> None:
    case = CASES.get(kind(route))
    if case is None:
        pytest.fail(f"no case for {kind(route)} in tests/concurrency/cases.py")
    burst = prepare(Burst(route, case, suite.world, next(NONCES)))
    with client(suite.base_url, case.count + 2) as http:
        device = watching_device(http, burst)
        before = pass_versions()
        suite.ledger.clear()
        with polling([device] if device else []):
            burst.responses = at_once(case.count, lambda index: send(http, burst, index))
        if case.jobs:
            JobWorker(suite.app).run_until_idle()
        generic_invariants(burst, before, suite.ledger)
        case.check(burst)
        if device:
            holds_the_final_pass(device, burst)


def prepare(burst: Burst) -> Burst:
    case = burst.case
    burst.values = burst.path_values(case.fresh(burst) if case.fresh else {})
    burst.before = case.before(burst) if case.before else None
    burst.sent = [case.body(burst, index) for index in range(case.count)]
    burst.request_headers = case.headers(burst) if case.headers else burst.headers()
    return burst


def send(http: httpx.Client, burst: Burst, index: int) -> httpx.Response:
    case, body = burst.case, burst.sent[index]
    values = {**burst.values, **(case.request_values(burst, index) if case.request_values else {})}
    path = burst.route.path(values) + case.query
    options: dict[str, Any] = body if case.upload else {} if body is None else {"json": body}
    return http.request(burst.route.method, path, headers=burst.request_headers, **options)


def watching_device(http: httpx.Client, burst: Burst) -> WalletDevice | None:
    if not burst.case.pass_content:
        return None
    device = WalletDevice(http, burst.target(), f"conc-watch-{burst.nonce}", growing=burst.case.growing)
    device.register()
    device.fetch()
    return device


def pass_versions() -> dict[str, tuple[int, Any]]:
    with transaction(write=False) as session:
        return {id_: (tag, modified_at) for id_, tag, modified_at in session.execute(
            select(Pass.id, Pass.update_tag, Pass.modified_at))}


def whole_seconds(moment: Any) -> Any:
    return moment.replace(microsecond=0)


def generic_invariants(burst: Burst, before: dict[str, tuple[int, Any]], ledger: VersionLedger) -> None:
    responses, case = burst.responses, burst.case
    no_server_errors(responses)
    unexpected = [(response.status_code, response.text[:300]) for response in responses
                  if response.status_code not in case.statuses]
    assert unexpected == [], f"statuses outside {sorted(case.statuses)}: {unexpected[:3]}"
    for pass_id, (tag, modified_at) in pass_versions().items():
        if pass_id in before and before[pass_id][0] != tag:
            old_tag, old_modified_at = before[pass_id]
            assert tag > old_tag, f"pass {pass_id}: tag went from {old_tag} to {tag}"
            assert whole_seconds(modified_at) > whole_seconds(old_modified_at), \
                f"pass {pass_id}: tag {old_tag} -> {tag} but Last-Modified {old_modified_at} -> {modified_at}"
    ledger.check_last_modified()
    with transaction(write=False) as session:
        twice = session.execute(select(Registration.device_id, Registration.pass_id).group_by(
            Registration.device_id, Registration.pass_id).having(func.count() > 1)).all()
    assert twice == [], f"registered twice: {twice}"


def holds_the_final_pass(device: WalletDevice, burst: Burst) -> None:
    """What Wallet does after the last push: the answer is the stored pass, not a stale 304."""
    device.fetch()
    stored = burst.get(Pass, burst.pass_id)
    assert device.errors == [], f"{device.name}: {device.errors}"
    assert device.last_modified == format_datetime(whole_seconds(stored.modified_at), usegmt=True), \
        f"{device.name} holds {device.last_modified}, the pass is from {stored.modified_at}: {device.history}"
    assert back_fields(device.held or {}) == back_fields(stored.content), f"{device.name} kept a stale pass"


def back_fields(content: dict[str, Any]) -> dict[str, Any]:
    return {item["key"]: item.get("value") for item in content.get("backFields") or [] if item.get("value")}

