"""GET .../registrations/{passType}?passesUpdatedSince=tag (Apple: 200 or 204, no auth)."""

from __future__ import annotations

import threading

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


def test_last_updated_is_the_newest_listed_tag_not_the_time_of_the_call(client, issued):
    # passkit-generator#53: a "now" tag on every answer makes the tag meaningless.
    _register(client, issued)
    first = client.get(issued.list_url("dev1")).get_json()["lastUpdated"]
    again = client.get(issued.list_url("dev1")).get_json()["lastUpdated"]
    assert first == again == str(issued.pass_.update_tag)


def test_a_change_committing_after_a_later_one_is_not_skipped(app, client, issued):
    """Tags are visible in commit order: a device never lists past a change still in flight."""
    other = make_pass(issued.campaign, serial_number="SKY-0002")
    _register(client, issued)
    _register(client, issued, pass_=other)
    tag = client.get(issued.list_url("dev1")).get_json()["lastUpdated"]
    first_changed, release, second_done = threading.Event(), threading.Event(), threading.Event()

    def change(pass_, wait_for=None, holding=None, done=None):  # type: ignore[no-untyped-def]
        with app.app_context():
            if wait_for is not None:
                wait_for.wait(10)
            with transaction() as session:
                update_pass_values(session, session.merge(pass_), session.merge(issued.campaign),
                                   {"fields": {"gate": "Q1"}})
                if holding is not None:  # keep this change uncommitted until released
                    holding.set()
                    release.wait(10)
            if done is not None:
                done.set()

    first = threading.Thread(target=change, args=(issued.pass_,), kwargs={"holding": first_changed})
    second = threading.Thread(target=change, args=(other,), kwargs={"wait_for": first_changed, "done": second_done})
    first.start()
    second.start()
    second_done.wait(1.0)  # the second change may commit now, or wait for the first
    during = client.get(issued.list_url("dev1"), query_string={"passesUpdatedSince": tag})
    release.set()
    first.join(10)
    second.join(10)
    seen = set()
    if during.status_code == 200:
        seen.update(during.get_json()["serialNumbers"])
        tag = during.get_json()["lastUpdated"]
    after = client.get(issued.list_url("dev1"), query_string={"passesUpdatedSince": tag})
    seen.update(after.get_json()["serialNumbers"] if after.status_code == 200 else [])
    assert seen == {issued.serial, "SKY-0002"}


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

