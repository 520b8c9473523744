"""A device's whole life with one pass, as Apple's guide describes the calls."""

from __future__ import annotations

import io
import json
import zipfile

from walletservice.db import transaction
from walletservice.services.passes import update_pass_values

PUSH_TOKEN = "0f" * 32


def test_install_register_list_change_list_fetch_unregister(client, issued):
    # 1. Install: the customer downloads the pass (the bundle is the same as Wallet fetches).
    installed = client.get(issued.pass_url, headers=issued.auth)
    assert installed.status_code == 200
    # 2. Register.
    assert client.post(issued.registration_url("iphone"), json={"pushToken": PUSH_TOKEN},
                       headers=issued.auth).status_code == 201
    # 3. List without a tag (first contact sends none).
    first = client.get(issued.list_url("iphone"))
    assert first.status_code == 200 and first.get_json()["serialNumbers"] == [issued.serial]
    tag = first.get_json()["lastUpdated"]
    # 4. Nothing changed yet.
    assert client.get(issued.list_url("iphone"), query_string={"passesUpdatedSince": tag}).status_code == 204
    # 5. The integrator changes the gate.
    with transaction() as session:
        update_pass_values(session, session.merge(issued.pass_), session.merge(issued.campaign),
                           {"fields": {"gate": "D4"}})
    # 6. After the push, list with the tag: the serial comes back with a newer tag.
    changed = client.get(issued.list_url("iphone"), query_string={"passesUpdatedSince": tag})
    assert changed.status_code == 200
    assert changed.get_json()["serialNumbers"] == [issued.serial]
    assert int(changed.get_json()["lastUpdated"]) > int(tag)
    # 7. Fetch with If-Modified-Since from the install: the new version.
    fetched = client.get(issued.pass_url,
                         headers={**issued.auth, "If-Modified-Since": installed.headers["Last-Modified"]})
    assert fetched.status_code == 200
    pass_json = json.loads(zipfile.ZipFile(io.BytesIO(fetched.data)).read("pass.json"))
    assert pass_json["boardingPass"]["headerFields"][0]["value"] == "D4"
    assert pass_json["authenticationToken"] == issued.token
    # 8. Fetch again with the new Last-Modified: 304.
    again = client.get(issued.pass_url,
                       headers={**issued.auth, "If-Modified-Since": fetched.headers["Last-Modified"]})
    assert again.status_code == 304
    # 9. Remove the pass: unregister, then the device is gone.
    assert client.delete(issued.registration_url("iphone"), headers=issued.auth).status_code == 200
    assert client.get(issued.list_url("iphone")).status_code == 204
