"""The whole loop: a device registers, a schedule fires, the push reaches APNs, and
the device lists the pass as changed and fetches the new version."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest

from tests.delivery.conftest import drain, make_worker, push_app, simulator, simulator_files, token_for  # noqa: F401
from tests.scheduling.conftest import UTC, fire, load_schedule, schedule_pass_change
from walletservice.db import transaction
from walletservice.models import PushRequest

pytestmark = pytest.mark.timeout(60)


def test_device_gets_the_new_relevant_date_and_tag_after_the_schedule_fires(
    app, client, flights, make_worker, simulator  # noqa: F811
):
    pass_ = flights.pass_
    auth = {"Authorization": f"ApplePass {pass_.authentication_token}"}
    base = f"/wallet/v1/devices/iphone-1/registrations/{pass_.pass_type_identifier}"
    assert client.post(f"{base}/{pass_.serial_number}", json={"pushToken": token_for(5)},
                       headers=auth).status_code == 201
    tag = client.get(base).get_json()["lastUpdated"]
    run_at = (dt.datetime.now(UTC) + dt.timedelta(hours=1)).replace(microsecond=0)
    created = schedule_pass_change(client, flights, run_at=run_at.isoformat(), changes={
        "relevant_date": "2031-05-01T07:30:00+02:00", "header_fields": [{"key": "gate", "value": "C3"}]})

    assert client.get(base, query_string={"passesUpdatedSince": tag}).status_code == 204
    [result] = fire(app, run_at)
    drain(make_worker())

    assert [record.token for record in simulator.received] == [token_for(5)]
    listed = client.get(base, query_string={"passesUpdatedSince": tag}).get_json()
    assert listed["serialNumbers"] == [pass_.serial_number]
    assert int(listed["lastUpdated"]) > int(tag)
    fetched = client.get(f"/wallet/v1/passes/{pass_.pass_type_identifier}/{pass_.serial_number}", headers=auth)
    pass_json = json.loads(zipfile.ZipFile(io.BytesIO(fetched.data)).read("pass.json"))
    assert pass_json["relevantDate"] == "2031-05-01T05:30:00Z"
    assert pass_json["boardingPass"]["headerFields"][0]["value"] == "C3"
    schedule = load_schedule(created["id"])
    assert schedule.last_push_request_id == result.push_request_id
    with transaction(write=False) as session:
        push = session.get(PushRequest, result.push_request_id)
        assert push.state == "done" and push.total == 1
