"""The seed walkthroughs, step by step with their documented payloads.

Skyport Airways (boarding passes) is tests/api/test_passes.py::test_skyport_walkthrough;
Toy Town (generics, passworks-v2-generics.md) is here.
"""

from __future__ import annotations

import io
import zipfile

from tests.api.test_campaigns import upload
from tests.api.test_redeems import pass_json

TOY_TOWN_CAMPAIGN = {  # "Creating a Generic campaign for the Toy Town"
    "name": "Toy Town Generic Passes!",
    "logo_text": "Toy Town",
    "barcode": {"format": "pdf417"},
    "text_color": "#ffffff",
    "background_color": "#c51f1f",
    "primary_fields": [{"key": "member"}],
    "secondary_fields": [{"key": "subtitle", "label": "MEMBER SINCE"}],
    "auxiliary_fields": [{"key": "level", "label": "LEVEL"}, {"key": "favorite", "label": "FAVORITE TOY"}],
}
JOHNNY = {  # "Creating a Generic Pass for Johnny Appleseed" (thumbnail_id added per step)
    "primary_fields": [{"key": "member", "value": "Johnny Appleseed"}],
    "secondary_fields": [{"key": "subtitle", "value": "2012"}],
    "auxiliary_fields": [{"key": "level", "value": "Platinum"}, {"key": "favorite", "value": "Trucks"}],
}


def fields(body: dict, list_name: str) -> list[tuple]:
    return [(field["key"], field["value"], field["label"]) for field in body[list_name]]


def test_toy_town_generic_walkthrough(client, account):
    auth = account.basic
    icon, logo, thumbnail = upload(client, account), upload(client, account, "logo"), upload(client, account, "thumbnail")

    # 1. Create the campaign.
    created = client.post("/v2/generics/", json={"generic": {**TOY_TOWN_CAMPAIGN, "icon_id": icon, "logo_id": logo}},
                          headers=auth)
    assert created.status_code == 201, created.get_json()
    campaign = created.get_json()
    base = f"/v2/generics/{campaign['id']}"
    assert campaign["name"] == "Toy Town Generic Passes!" and campaign["template_id"]
    assert campaign["barcode"] == {"format": "pdf417", "message": "", "alt_text": "", "alt_text_type": "mirror",
                                   "encoding": None}
    assert campaign["allow_multiple_redeems"] is False
    assert fields(campaign, "primary_fields") == [("member", None, None)]
    assert fields(campaign, "secondary_fields") == [("subtitle", None, "MEMBER SINCE")]
    assert fields(campaign, "auxiliary_fields") == [("level", None, "LEVEL"), ("favorite", None, "FAVORITE TOY")]
    assert (campaign["header_fields"], campaign["back_fields"], campaign["locations"], campaign["beacons"],
            campaign["user_info"]) == ([], [], [], [], {})

    # 2. Update the campaign's background color: a template-related change, so a new template.
    patched = client.patch(base, json={"generic": {"background_color": "#facada"}}, headers=auth)
    assert patched.status_code == 200
    assert patched.get_json()["background_color"] == "#facada"
    assert patched.get_json()["template_id"] != campaign["template_id"]

    # 3. Push the campaign with a message: no passes yet.
    pushed = client.post(f"{base}/push", json={"generic": {"push_message": "Look at your new pass!"}}, headers=auth)
    assert pushed.status_code == 202
    assert pushed.get_json()["message"] == "There are no passes to update for campaign 'Toy Town Generic Passes!'."

    # 4. Johnny Appleseed's pass, with his picture as thumbnail.
    issued = client.post(f"{base}/passes", json={"pass": {"thumbnail_id": thumbnail, **JOHNNY}}, headers=auth)
    assert issued.status_code == 201, issued.get_json()
    johnny = issued.get_json()
    assert johnny["campaign_id"] == campaign["id"] and johnny["voided"] is False
    assert johnny["redeem_code"] == "0000001" and johnny["redeemed_count"] == 0
    assert johnny["barcode"]["message"] == johnny["barcode"]["alt_text"] == "0000001"
    assert fields(johnny, "primary_fields") == [("member", "Johnny Appleseed", None)]
    assert fields(johnny, "secondary_fields") == [("subtitle", "2012", "MEMBER SINCE")]
    assert fields(johnny, "auxiliary_fields") == [("level", "Platinum", "LEVEL"), ("favorite", "Trucks", "FAVORITE TOY")]
    assert johnny["thumbnail_id"] == thumbnail

    # 5. Johnny's favorite toys are now airplanes (the page says /v1/: the v2 route is meant).
    updated = client.patch(f"{base}/passes/{johnny['id']}",
                           json={"pass": {"auxiliary_fields": [{"key": "favorite", "value": "Airplanes"}]}},
                           headers=auth)
    assert updated.status_code == 200
    assert fields(updated.get_json(), "auxiliary_fields") == [
        ("level", "Platinum", "LEVEL"), ("favorite", "Airplanes", "FAVORITE TOY")]
    assert fields(updated.get_json(), "primary_fields") == [("member", "Johnny Appleseed", None)]
    assert updated.get_json()["redeem_code"] == "0000001"

    # 6. Push Johnny's pass with a message: it is on the pass, where the lock screen shows it.
    assert client.post(f"{base}/passes/{johnny['id']}/push", json={"pass": {"push_message": "Hello!"}},
                       headers=auth).status_code == 202
    signed = pass_json(client, johnny)
    assert signed["backgroundColor"] in ("#facada", "rgb(250, 202, 218)")
    assert {"key": "ws_push_message", "value": "Hello!", "changeMessage": "%@"} in signed["generic"]["backFields"]
    # The helper field carries the message to the lock screen; no integrator wrote it, so
    # no API answer shows it (v2 and v1).
    for path in (f"{base}/passes/{johnny['id']}", f"/v1/generics/{johnny['campaign_id']}/passes/{johnny['id']}"):
        shown = client.get(path, headers=auth).get_json()
        assert "ws_push_message" not in {field["key"] for field in shown["back_fields"]}, path
    assert {field["key"]: field["value"] for field in signed["generic"]["auxiliaryFields"]}["favorite"] == "Airplanes"
    bundle = zipfile.ZipFile(io.BytesIO(client.get(johnny["pkpass_url"].removeprefix("https://wallet.example.test")).data))
    assert "thumbnail.png" in bundle.namelist()

    # 7. Redeem by code, then a boilerplate pass redeemed directly.
    found = client.get(f"{base}/redeem/0000001", headers=auth)
    assert found.status_code == 200 and found.get_json()["id"] == johnny["id"]
    by_code = client.post(f"{base}/redeem", json={"pass": {"redeem_code": "0000001", "comment": "Redeemed in store"}},
                          headers=auth)
    assert by_code.status_code == 200 and by_code.get_json()["redeemed_count"] == 1
    boilerplate = client.post(f"{base}/passes", headers=auth).get_json()
    assert boilerplate["redeem_code"] == "0000002"
    direct = client.post(f"{base}/passes/{boilerplate['id']}/redeem", json={"pass": {"comment": "redeemed in store"}},
                         headers=auth)
    assert direct.status_code == 200
    assert client.post(f"{base}/redeem", json={"pass": {"redeem_code": "0000001"}}, headers=auth).status_code == 412

    # 8. Additional routes: lists, states, deletes.
    assert campaign["id"] in [item["id"] for item in client.get("/v2/generics/", headers=auth).get_json()]
    assert client.get(f"{base}/passes", headers=auth).headers["X-Total"] == "2"
    assert client.get(f"{base}/redeems", headers=auth).headers["X-Total"] == "2"
    assert client.post(f"{base}/pause", headers=auth).get_json()["state"] == "paused"
    assert client.post(f"{base}/resume", headers=auth).get_json()["state"] == "published"
    assert client.post(f"{base}/archive", headers=auth).get_json()["state"] == "archived"
    refused = client.post(f"{base}/resume", headers=auth)
    assert refused.status_code == 412 and refused.get_json()["errors"]
    assert client.delete(f"{base}/passes/{boilerplate['id']}", headers=auth).get_json() == {"errors": []}
    assert client.delete(base, headers=auth).get_json() == {"errors": []}
    assert client.get(base, headers=auth).status_code == 404
