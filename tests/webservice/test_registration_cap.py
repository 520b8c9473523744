"""WALLET_MAX_DEVICES_PER_PASS: the pass's token is in every copy of the pass, so anyone
holding one could register made-up devices without end; beyond the cap a new device
is refused (403, JSON) and nothing is stored, while a registered device may register again."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.factories import run_at_once
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import Device, PassEvent, Registration

TOKEN = "a1" * 32


def _count(model) -> int:  # type: ignore[no-untyped-def]
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def _register(client, issued, device: str):  # type: ignore[no-untyped-def]
    return client.post(issued.registration_url(device), json={"pushToken": TOKEN}, headers=issued.auth)


def test_a_new_device_beyond_the_cap_is_403_and_stores_nothing(app, client, issued):
    app.config["WALLET_MAX_DEVICES_PER_PASS"] = 2
    assert [_register(client, issued, f"dev{n}").status_code for n in range(2)] == [201, 201]

    refused = _register(client, issued, "dev-extra")

    assert refused.status_code == 403
    assert "registered on 2 devices" in refused.get_json()["error"]
    assert (_count(Registration), _count(Device)) == (2, 2)
    with transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(PassEvent).where(PassEvent.kind == "installed")) == 2


def test_a_registered_device_may_register_again_at_the_cap(app, client, issued):
    app.config["WALLET_MAX_DEVICES_PER_PASS"] = 1
    assert _register(client, issued, "dev0").status_code == 201

    assert _register(client, issued, "dev0").status_code == 200


def test_an_unregistered_device_frees_its_place(app, client, issued):
    app.config["WALLET_MAX_DEVICES_PER_PASS"] = 1
    _register(client, issued, "dev0")
    assert client.delete(issued.registration_url("dev0"), headers=issued.auth).status_code == 200

    assert _register(client, issued, "dev1").status_code == 201


def test_a_cap_of_zero_is_no_cap(app, client, issued):
    app.config["WALLET_MAX_DEVICES_PER_PASS"] = 0

    assert {_register(client, issued, f"dev{n}").status_code for n in range(60)} == {201}


def test_sixty_parallel_registrations_with_a_cap_of_fifty_store_exactly_fifty(app, issued):
    app.config["WALLET_MAX_DEVICES_PER_PASS"] = 50
    devices = iter(range(60))

    statuses = run_at_once(app, 60, lambda client: _register(client, issued, f"dev{next(devices)}").status_code)

    assert sorted(statuses) == [201] * 50 + [403] * 10
    assert (_count(Registration), _count(Device)) == (50, 50)
    for engine in db.engines.values():
        engine.dispose()
