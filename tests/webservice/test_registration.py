"""Register and unregister (Apple: 201 new, 200 existing, 401; DELETE 200)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from walletservice.extensions import db
from walletservice.models import Device, Registration

TOKEN_A = "a1" * 32
TOKEN_B = "b2" * 32


def _count(model) -> int:  # type: ignore[no-untyped-def]
    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_first_registration_returns_201(client, issued):
    response = client.post(issued.registration_url("dev1"), json={"pushToken": TOKEN_A}, headers=issued.auth)
    assert response.status_code == 201
    assert _count(Registration) == 1


def test_register_twice_returns_200_and_updates_token(client, issued):
    client.post(issued.registration_url("dev1"), json={"pushToken": TOKEN_A}, headers=issued.auth)
    response = client.post(issued.registration_url("dev1"), json={"pushToken": TOKEN_B}, headers=issued.auth)
    assert response.status_code == 200
    assert _count(Registration) == 1
    assert db.session.execute(select(Device.push_token)).scalar_one() == TOKEN_B


def test_push_tokens_of_any_length_are_kept(client, issued):
    # Apple: don't assume a device token's length (they have been 32 bytes, may grow).
    longer = "0a" * 100
    response = client.post(issued.registration_url("dev1"), json={"pushToken": longer}, headers=issued.auth)
    assert response.status_code == 201
    assert db.session.execute(select(Device.push_token)).scalar_one() == longer


def test_register_with_wrong_token_returns_401_and_stores_nothing(client, issued):
    response = client.post(
        issued.registration_url("dev1"), json={"pushToken": TOKEN_A},
        headers={"Authorization": "ApplePass wrong-token-wrong-token"},
    )
    assert response.status_code == 401
    assert response.data == b""
    assert _count(Device) == 0


def test_register_without_authorization_returns_401(client, issued):
    response = client.post(issued.registration_url("dev1"), json={"pushToken": TOKEN_A})
    assert response.status_code == 401


def test_bearer_scheme_is_not_applepass(client, issued):
    response = client.post(
        issued.registration_url("dev1"), json={"pushToken": TOKEN_A},
        headers={"Authorization": f"Bearer {issued.token}"},
    )
    assert response.status_code == 401


def test_register_unknown_serial_returns_401_not_500(client, issued):
    url = f"/wallet/v1/devices/dev1/registrations/{issued.pass_type}/NOPE"
    response = client.post(url, json={"pushToken": TOKEN_A}, headers=issued.auth)
    assert response.status_code == 401


def test_register_unknown_pass_type_returns_401(client, issued):
    url = f"/wallet/v1/devices/dev1/registrations/pass.unknown/{issued.serial}"
    assert client.post(url, json={"pushToken": TOKEN_A}, headers=issued.auth).status_code == 401


def test_register_with_malformed_body_returns_400_and_stores_nothing(client, issued):
    for body in (b"", b"not json", b"[]", b'{"pushToken": 5}', b'{"pushToken": ""}', b'{"pushToken": "zz"}'):
        response = client.post(
            issued.registration_url("dev1"), data=body, headers=issued.auth, content_type="application/json"
        )
        assert response.status_code == 400, body
        assert "error" in response.get_json()
    assert _count(Device) == 0


def test_register_with_oversized_body_returns_413(client, issued, app):
    app.config["WALLET_MAX_WEBSERVICE_BODY_BYTES"] = 1024
    response = client.post(
        issued.registration_url("dev1"), json={"pushToken": "a" * 5000}, headers=issued.auth
    )
    assert response.status_code == 413
    assert _count(Device) == 0


def test_register_with_overlong_device_id_returns_400(client, issued):
    response = client.post(issued.registration_url("d" * 300), json={"pushToken": TOKEN_A}, headers=issued.auth)
    assert response.status_code == 400
    assert _count(Device) == 0


def test_double_slash_path_is_accepted(client, issued):
    url = issued.registration_url("dev1").replace("/wallet/v1", "/wallet//v1")
    response = client.post(url, json={"pushToken": TOKEN_A}, headers=issued.auth)
    assert response.status_code == 201


def test_unregister_returns_200_and_removes_device_without_registrations(client, issued):
    client.post(issued.registration_url("dev1"), json={"pushToken": TOKEN_A}, headers=issued.auth)
    response = client.delete(issued.registration_url("dev1"), headers=issued.auth)
    assert response.status_code == 200
    assert _count(Registration) == 0
    assert _count(Device) == 0


def test_unregister_is_idempotent(client, issued):
    assert client.delete(issued.registration_url("never-registered"), headers=issued.auth).status_code == 200
    client.post(issued.registration_url("dev1"), json={"pushToken": TOKEN_A}, headers=issued.auth)
    assert client.delete(issued.registration_url("dev1"), headers=issued.auth).status_code == 200
    assert client.delete(issued.registration_url("dev1"), headers=issued.auth).status_code == 200


def test_unregister_keeps_device_with_other_registrations(client, issued):
    from tests.factories import make_pass

    other = make_pass(issued.campaign, serial_number="SKY-0002")
    other_url = f"/wallet/v1/devices/dev1/registrations/{other.pass_type_identifier}/SKY-0002"
    other_auth = {"Authorization": f"ApplePass {other.authentication_token}"}
    client.post(issued.registration_url("dev1"), json={"pushToken": TOKEN_A}, headers=issued.auth)
    client.post(other_url, json={"pushToken": TOKEN_A}, headers=other_auth)
    client.delete(issued.registration_url("dev1"), headers=issued.auth)
    assert _count(Registration) == 1
    assert _count(Device) == 1


def test_unregister_with_wrong_token_returns_401_and_keeps_registration(client, issued):
    client.post(issued.registration_url("dev1"), json={"pushToken": TOKEN_A}, headers=issued.auth)
    response = client.delete(issued.registration_url("dev1"), headers={"Authorization": "ApplePass nope"})
    assert response.status_code == 401
    assert _count(Registration) == 1


def test_concurrent_identical_registrations_give_one_registration_and_no_500(app, issued):
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def register() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(issued.registration_url("dev1"), json={"pushToken": TOKEN_A}, headers=issued.auth)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=register) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 7 + [201]
    assert _count(Registration) == 1
    assert _count(Device) == 1
