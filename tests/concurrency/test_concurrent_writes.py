"""Many requests at once against one pass, through every write route, on a real threaded server.

Each update sets a different back field of the same pass, so every update is a new
version and the number of fields set counts the versions. Nothing may be lost (all
fields remain), no request may fail with a 5xx, every version must carry a higher
tag and a later Last-Modified (whole seconds) than the one before, and a device that
polls with If-Modified-Since while the updates run must end up holding the final pass
(docs/security.md, Concurrency).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from flask import Flask
from sqlalchemy import event, func, select

from tests.api.conftest import Account
from tests.concurrency.harness import (
    Target, VersionLedger, WalletDevice, at_once, client, field_value, fields_set, listening_ledger,
    no_server_errors, polling,
)
from tests.factories import make_campaign, make_pass
from walletservice.db import transaction
from walletservice.models import Device, Organization, Pass, Registration, Schedule

FIELDS = 100
FEW = 20
DESIGN: dict[str, Any] = {
    "style": "generic",
    "organizationName": "Toy Town",
    "description": "Membership card",
    "primaryFields": [{"key": "member", "label": "MEMBER", "value": "Toy Town"}],
    "backFields": [{"key": f"f{index:02}", "label": f"F{index:02}", "value": None} for index in range(FIELDS)],
    "barcode": {"format": "qrcode", "message": "TOY"},
}


@pytest.fixture
def ledger() -> Iterator[VersionLedger]:
    with listening_ledger() as ledger:
        yield ledger


@pytest.fixture
def target(account: Account) -> Target:
    with transaction(write=False) as session:
        organization = session.get(Organization, account.id)
    campaign = make_campaign(organization, DESIGN)
    pass_ = make_pass(campaign, {"fields": {}})
    return Target(campaign.id, pass_.id, pass_.pass_type_identifier, pass_.serial_number,
                  pass_.authentication_token)


# -- the integrator APIs: v1, v2, v3 ----------------------------------------------------

def v2_update(http: httpx.Client, account: Account, target: Target) -> Callable[[int], httpx.Response]:
    path = f"/v2/generics/{target.campaign_id}/passes/{target.pass_id}"
    return lambda index: http.patch(path, headers=account.basic, json={
        "pass": {"back_fields": [{"key": f"f{index:02}", "value": field_value(index)}]}})


def v1_update(http: httpx.Client, account: Account, target: Target) -> Callable[[int], httpx.Response]:
    path = f"/v1/generics/{target.campaign_id}/passes/{target.pass_id}"
    return lambda index: http.patch(path, headers=account.basic, json={
        "pass": {"back_fields": [{"key": f"f{index:02}", "value": field_value(index)}], "push": False}})


def v3_update(http: httpx.Client, account: Account, target: Target) -> Callable[[int], httpx.Response]:
    path = f"/api/v3/pass/{target.pass_id}?async=false"
    return lambda index: http.patch(path, headers={"Authorization": account.api_key},
                                    json={"data": {f"f{index:02}": field_value(index)}})


ROUTES = {"v1": v1_update, "v2": v2_update, "v3": v3_update}


def stored_fields(pass_id: str) -> int:
    with transaction(write=False) as session:
        pass_ = session.get(Pass, pass_id)
        assert pass_ is not None
        return fields_set(pass_.content)


@pytest.mark.parametrize("route", ["v2", "v3"])
def test_a_hundred_parallel_single_field_updates_keep_all_hundred(
        route: str, base_url: str, account: Account, target: Target, ledger: VersionLedger) -> None:
    with client(base_url, FIELDS) as http:
        responses = at_once(FIELDS, ROUTES[route](http, account, target))
    assert [response.status_code for response in responses] == [200] * FIELDS, \
        [response.text for response in responses if response.status_code != 200][:3]
    ledger.check(FIELDS)
    assert stored_fields(target.pass_id) == FIELDS


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_parallel_updates_lose_nothing_and_devices_end_with_the_final_pass(
        route: str, base_url: str, account: Account, target: Target, ledger: VersionLedger) -> None:
    with client(base_url, FEW + 4) as http:
        devices = [WalletDevice(http, target, f"device{number}") for number in range(2)]
        for device in devices:
            device.register()
        with polling(devices):
            responses = at_once(FEW, ROUTES[route](http, account, target))
        no_server_errors(responses)
        updated = 201 if route == "v1" else 200  # v1 answers an update 201, as its documents show
        assert [response.status_code for response in responses] == [updated] * FEW
        for device in devices:
            device.fetch()  # what Wallet does after the last push
            assert device.held_fields == FEW, f"{device.name} kept a stale pass: {device.history}"
            assert device.errors == []
    assert stored_fields(target.pass_id) == FEW
    ledger.check(FEW)
    if route == "v2":  # v2 answers the version it wrote: each one later than the one before
        answered = sorted((fields_set_v2(response.json()), response.json()["updated_at"]) for response in responses)
        times = [dt.datetime.fromisoformat(updated_at.replace("Z", "+00:00")) for _count, updated_at in answered]
        assert [count for count, _ in answered] == list(range(1, FEW + 1))
        assert all(later > earlier for earlier, later in zip(times, times[1:])), answered


def fields_set_v2(body: dict[str, Any]) -> int:
    return sum(1 for field in body["back_fields"] if field.get("value") == f"v{field['key'][1:]}")


def test_bulk_jobs_and_single_updates_at_once_lose_nothing(
        app: Flask, base_url: str, account: Account, target: Target, ledger: VersionLedger) -> None:
    """v3 bulk updates run by two job workers while v2 single updates arrive: every field stays."""
    from walletservice.workers.job_runner import JobWorker

    bulk, single = range(0, 10), range(10, 20)
    v2 = None

    def update(index: int) -> httpx.Response:
        if index in bulk:
            return http.patch("/api/v3/pass/bulk", headers={"Authorization": account.api_key}, json={
                "data": {f"f{index:02}": field_value(index)}, "filter": {"identifiers": [target.pass_id]}})
        assert v2 is not None
        return v2(index)

    stop = threading.Event()

    def work() -> None:
        worker = JobWorker(app)
        while not stop.is_set():
            if not worker.run_once():
                stop.wait(0.05)
    workers = [threading.Thread(target=work) for _ in range(2)]
    with client(base_url, len(bulk) + len(single)) as http:
        v2 = v2_update(http, account, target)
        for thread in workers:
            thread.start()
        try:
            responses = at_once(len(bulk) + len(single), update)
            no_server_errors(responses)
            assert all(response.status_code in (200, 202) for response in responses), \
                [response.text for response in responses if response.status_code not in (200, 202)][:3]
            JobWorker(app).run_until_idle()
        finally:
            stop.set()
            for thread in workers:
                thread.join(timeout=30)
    JobWorker(app).run_until_idle()
    ledger.check(len(bulk) + len(single))
    assert stored_fields(target.pass_id) == len(bulk) + len(single)


# -- Apple's web service: registrations ------------------------------------------------

def test_parallel_registrations_of_one_device_make_one_row(base_url: str, target: Target) -> None:
    path = f"/wallet/v1/devices/phone-1/registrations/{target.pass_type}/{target.serial}"
    headers = {"Authorization": f"ApplePass {target.token}"}
    with client(base_url, FEW) as http:
        responses = at_once(FEW, lambda index: http.post(path, headers=headers, json={"pushToken": f"{index:064x}"}))
    no_server_errors(responses)
    assert sorted(response.status_code for response in responses) == [200] * (FEW - 1) + [201]
    with transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Registration)) == 1
        assert session.scalar(select(func.count()).select_from(Device)) == 1


def test_parallel_registrations_of_many_devices_make_a_row_each(base_url: str, target: Target) -> None:
    headers = {"Authorization": f"ApplePass {target.token}"}
    with client(base_url, FEW) as http:
        responses = at_once(FEW, lambda index: http.post(
            f"/wallet/v1/devices/phone-{index}/registrations/{target.pass_type}/{target.serial}",
            headers=headers, json={"pushToken": f"{index:064x}"}))
    assert [response.status_code for response in responses] == [201] * FEW
    with transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Registration)) == FEW


# -- campaigns ---------------------------------------------------------------------------

def campaign_changes(round_: int) -> list[dict[str, str]]:
    """One attribute each, so that every request's change must survive the others."""
    return [{"name": f"Toy Town {round_}"}, {"logo_text": f"Toys {round_}"},
            {"background_color": f"#{round_:02}2030"}, {"text_color": f"#C8{round_:02}C8"},
            {"label_color": f"#0102{round_:02}"}]


def test_parallel_campaign_updates_keep_every_change(base_url: str, account: Account, target: Target) -> None:
    path = f"/v2/generics/{target.campaign_id}"
    with client(base_url, len(campaign_changes(0))) as http:
        for round_ in range(1, 4):
            changes = campaign_changes(round_)
            responses = at_once(len(changes), lambda index: http.patch(
                path, headers=account.basic, json={"generic": changes[index]}))
            assert [response.status_code for response in responses] == [200] * len(changes), \
                [response.text for response in responses if response.status_code != 200][:2]
            stored = http.get(path, headers=account.basic).json()
            lost = [change for change in changes if any(stored.get(key) != value for key, value in change.items())]
            assert lost == [], f"round {round_}: lost {lost}"


def test_parallel_first_webhook_urls_all_answer_the_one_stored_secret(base_url: str, account: Account) -> None:
    with client(base_url, FEW) as http:
        responses = at_once(FEW, lambda index: http.put("/v2/webhook", headers=account.basic, json={
            "webhook_url": f"https://hooks.example.com/{index}"}))
        assert [response.status_code for response in responses] == [200] * FEW
        stored = http.get("/v2/webhook", headers=account.basic).json()["webhook_secret"]
    assert {response.json()["webhook_secret"] for response in responses} == {stored}


def test_cancelling_a_schedule_while_it_fires_answers_what_happened(
        app: Flask, base_url: str, account: Account, target: Target) -> None:
    """A run holds the schedule's lock while it fires: a cancel waits, then sees it done."""
    from walletservice.scheduling.runs import RunSettings, fire_due_schedules
    from walletservice.runtime import runtime

    path = f"/v2/generics/{target.campaign_id}/passes/{target.pass_id}/schedules"
    with client(base_url, 2) as http:
        created = http.post(path, headers=account.basic, json={"schedule": {
            "run_at": "2031-05-01T09:00:00Z", "changes": {"back_fields": [{"key": "f01", "value": "v01"}]}}})
        assert created.status_code == 201, created.text
        firing, release = threading.Event(), threading.Event()

        def slow_push(*_args: Any) -> None:
            firing.set()
            release.wait(10)  # the run's transaction stays open with the schedule locked
        event.listen(Pass, "after_update", slow_push)
        try:
            settings = RunSettings(runtime().certificates, grace_seconds=10**9)
            at = dt.datetime(2031, 5, 1, 9, 0, 1, tzinfo=dt.timezone.utc)

            def fire() -> None:
                with app.app_context():
                    fire_due_schedules(settings, clock=lambda: at)
            runner = threading.Thread(target=fire)
            runner.start()
            assert firing.wait(10)
            with ThreadPoolExecutor(1) as pool:
                cancel = pool.submit(http.delete, f"{path}/{created.json()['id']}", headers=account.basic)
                time.sleep(0.5)  # the cancel reads the schedule (and, unlocked, would read "scheduled")
                release.set()
                runner.join(30)
                answer = cancel.result(30)
        finally:
            release.set()
            event.remove(Pass, "after_update", slow_push)
    # Without the lock the cancel overwrote the run's "done" with "cancelled" (and answered 200).
    assert answer.status_code == 412 and "the schedule is done" in answer.text, answer.text
    with transaction(write=False) as session:
        assert session.get(Schedule, created.json()["id"]).state == "done"
    assert stored_fields(target.pass_id) == 1
