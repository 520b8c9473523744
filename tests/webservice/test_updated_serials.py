"""GET .../registrations/{passType}?passesUpdatedSince=tag (Apple: 200 or 204, no auth)."""

from __future__ import annotations

from tests.factories import make_pass
from walletservice.db import transaction
from walletservice.services.passes import update_pass_values

TOKEN = "ab" * 32


def _register(client, issued, device="dev1", pass_=None):  # type: ignore[no-untyped-def]
    if pass_ is None:
        url, auth = issued.registration_url(device), issued.auth
    else:
        url = f"/wallet/v1/devices/{device}/registrations/{pass_.pass_type_identifier}/{pass_.serial_number}"
        auth = {"Authorization": f"ApplePass {pass_.authentication_token}"}
    assert client.post(url, json={"pushToken": TOKEN}, headers=auth).status_code in (200, 201)


def _change(issued, pass_=None, gate="B7"):  # type: ignore[no-untyped-def]
    with transaction() as session:
        target = session.merge(pass_ or issued.pass_)
        campaign = session.merge(issued.campaign)
        update_pass_values(session, target, campaign, {"fields": {"gate": gate}})


def test_list_without_tag_returns_every_registered_serial_without_authorization(client, issued):
    _register(client, issued)
    response = client.get(issued.list_url("dev1"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["serialNumbers"] == [issued.serial]
    assert body["lastUpdated"].isdigit()


def test_list_for_unknown_device_returns_204(client, issued):
    assert client.get(issued.list_url("nobody")).status_code == 204


def test_list_with_current_tag_returns_204(client, issued):
    _register(client, issued)
    tag = client.get(issued.list_url("dev1")).get_json()["lastUpdated"]
    response = client.get(issued.list_url("dev1"), query_string={"passesUpdatedSince": tag})
    assert response.status_code == 204
    assert response.data == b""


def test_list_after_change_returns_only_changed_serials_and_newer_tag(client, issued):
    other = make_pass(issued.campaign, serial_number="SKY-0002")
    _register(client, issued)
    _register(client, issued, pass_=other)
    tag = client.get(issued.list_url("dev1")).get_json()["lastUpdated"]
    _change(issued)
    body = client.get(issued.list_url("dev1"), query_string={"passesUpdatedSince": tag}).get_json()
    assert body["serialNumbers"] == [issued.serial]
    assert int(body["lastUpdated"]) > int(tag)


def test_two_changes_in_the_same_second_are_both_seen(client, issued):
    _register(client, issued)
    tag = client.get(issued.list_url("dev1")).get_json()["lastUpdated"]
    _change(issued, gate="C1")
    middle = client.get(issued.list_url("dev1"), query_string={"passesUpdatedSince": tag}).get_json()
    _change(issued, gate="C2")
    last = client.get(issued.list_url("dev1"), query_string={"passesUpdatedSince": middle["lastUpdated"]})
    assert last.status_code == 200
    assert last.get_json()["serialNumbers"] == [issued.serial]


def test_list_never_includes_passes_the_device_did_not_register(client, issued):
    make_pass(issued.campaign, serial_number="SKY-0003")
    _register(client, issued)
    assert client.get(issued.list_url("dev1")).get_json()["serialNumbers"] == [issued.serial]


def test_list_for_other_pass_type_returns_204(client, issued):
    _register(client, issued)
    assert client.get("/wallet/v1/devices/dev1/registrations/pass.other.type").status_code == 204


def test_unparseable_tag_is_treated_as_absent(client, issued):
    _register(client, issued)
    for tag in ("", "yesterday", "Tue, 15 Nov 1994 08:12:31 GMT", "9" * 40, "9" * 19, str(2**63), "²"):
        response = client.get(issued.list_url("dev1"), query_string={"passesUpdatedSince": tag})
        assert response.status_code == 200, tag
        assert response.get_json()["serialNumbers"] == [issued.serial]

