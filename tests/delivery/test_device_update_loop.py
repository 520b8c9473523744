"""The whole loop: register over HTTP, change + push, APNs delivery, list, fetch."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.delivery.conftest import drain, token_for
from walletservice.db import transaction
from walletservice.queue.pushes import enqueue_pass_push
from walletservice.services.passes import update_pass_values

pytestmark = pytest.mark.timeout(60)


def test_pass_change_is_pushed_then_listed_then_fetched(client, campaign, campaign_passes, make_worker, simulator):
    pass_ = campaign_passes[0]
    base = f"/wallet/v1/devices/iphone/registrations/{pass_.pass_type_identifier}"
    auth = {"Authorization": f"ApplePass {pass_.authentication_token}"}
    assert client.post(f"{base}/{pass_.serial_number}", json={"pushToken": token_for(77)},
                       headers=auth).status_code == 201
    tag = client.get(base).get_json()["lastUpdated"]
    with transaction() as session:  # the change and its push commit together
        assert update_pass_values(session, session.merge(pass_), session.merge(campaign),
                                  {"fields": {"gate": "F12"}})
        enqueue_pass_push(session, pass_.organization_id, [pass_.id])
    drain(make_worker())
    assert [record.token for record in simulator.received] == [token_for(77)]
    listed = client.get(base, query_string={"passesUpdatedSince": tag}).get_json()
    assert listed["serialNumbers"] == [pass_.serial_number]
    fetched = client.get(f"/wallet/v1/passes/{pass_.pass_type_identifier}/{pass_.serial_number}", headers=auth)
    pass_json = json.loads(zipfile.ZipFile(io.BytesIO(fetched.data)).read("pass.json"))
    gate = pass_json["boardingPass"]["headerFields"][0]
    # Without a changeMessage (with %@) on the changed field, Wallet updates silently (digest mistake 1).
    assert (gate["value"], gate["changeMessage"]) == ("F12", "Gate changed to %@")
