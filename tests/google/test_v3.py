"""v3: a template (a campaign) with Google turned on says so, and a pass created through
/api/v3/pass, queued or at once, is synced and answers androidUri."""

from __future__ import annotations

import jwt
import pytest

from tests.api.conftest import new_account
from tests.google.conftest import ISSUER_ID
from tests.google.test_sync import create_campaign, run_jobs
from walletservice.google_sim.accounts import SIM_CLIENT_EMAIL


def test_a_template_says_whether_google_wallet_is_on(google_app, client, account, icon):
    on = create_campaign(client, account, "generics", icon)
    off = create_campaign(client, account, "generics", icon, gwallet_usage=False, name="Apple only")
    headers = {"Authorization": account.api_key}

    shown = {campaign["id"]: client.get(f"/api/v3/template/{campaign['id']}", headers=headers).get_json()
             for campaign in (on, off)}

    assert shown[on["id"]]["data"]["googleWalletEnabled"] is True
    assert shown[off["id"]]["data"]["googleWalletEnabled"] is False


@pytest.mark.parametrize("asynchronous", ["true", "false"])
def test_a_v3_pass_of_a_google_template_is_synced_and_answers_android_uri(
        google_app, client, account, icon, google_sim, asynchronous):
    template = create_campaign(client, account, "generics", icon)
    headers = {"Authorization": account.api_key}
    created = client.post(f"/api/v3/pass?async={asynchronous}", headers=headers,
                          json={"data": {"templateId": template["id"], "member": "Ada"}})
    assert created.status_code == 200, created.get_json()
    pass_id = created.get_json()["data"]["identifier"]

    run_jobs(google_app)  # the queued create (async=true), then the Google sync

    stored = google_sim.resources[("genericObject", f"{ISSUER_ID}.p-{pass_id}")]
    assert stored["classId"] == f"{ISSUER_ID}.c-{template['id']}"
    assert {"id": "member", "header": "MEMBER", "body": "Ada"} in stored["textModulesData"]
    updated = client.patch(f"/api/v3/pass/{pass_id}?async=false", headers=headers,
                           json={"data": {"member": "Grace"}})
    android_uri = updated.get_json()["data"]["androidUri"]
    claims = jwt.decode(android_uri.rsplit("/", 1)[1], google_sim.accounts[SIM_CLIENT_EMAIL],
                        algorithms=["RS256"], audience="google")
    assert claims["payload"]["genericObjects"][0]["id"] == f"{ISSUER_ID}.p-{pass_id}"
    run_jobs(google_app)
    patched = google_sim.resources[("genericObject", f"{ISSUER_ID}.p-{pass_id}")]
    assert {"id": "member", "header": "MEMBER", "body": "Grace"} in patched["textModulesData"]


def test_patching_a_template_turns_google_wallet_on_and_syncs_its_passes(
        google_app, client, account, icon, google_sim):
    template = create_campaign(client, account, "generics", icon, gwallet_usage=False)
    headers = {"Authorization": account.api_key}
    created = client.post("/api/v3/pass?async=false", headers=headers,
                          json={"data": {"templateId": template["id"], "member": "Ada"}})
    pass_id = created.get_json()["data"]["identifier"]
    run_jobs(google_app)
    assert not google_sim.records  # Apple only so far

    turned_on = client.patch(f"/api/v3/template/{template['id']}", headers=headers,
                             json={"data": {"googleWalletEnabled": True}})
    assert turned_on.status_code == 200, turned_on.get_json()
    assert turned_on.get_json()["data"]["googleWalletEnabled"] is True
    run_jobs(google_app)

    assert google_sim.resources[("genericObject", f"{ISSUER_ID}.p-{pass_id}")]["state"] == "ACTIVE"
    v2 = client.get(f"/v2/generics/{template['id']}", headers=account.basic).get_json()
    assert (v2["gwallet_usage"], v2["gwallet_status"]) == (True, "sync_done")

    turned_off = client.patch(f"/api/v3/template/{template['id']}", headers=headers,
                              json={"data": {"googleWalletEnabled": False}})
    assert turned_off.get_json()["data"]["googleWalletEnabled"] is False
    assert client.get(f"/v2/generics/{template['id']}", headers=account.basic).get_json()["gwallet_usage"] is False


@pytest.mark.parametrize("body", [
    {"data": {"googleWalletEnabled": "yes"}}, {"data": {"name": "Renamed"}}, {"data": {}}, {"data": None},
    {"googleWalletEnabled": True}, [], {"data": {"googleWalletEnabled": True, "extra": 1}},
])
def test_bad_template_settings_are_400_and_change_nothing(google_app, client, account, icon, body):
    template = create_campaign(client, account, "generics", icon, gwallet_usage=False)
    headers = {"Authorization": account.api_key}

    answer = client.patch(f"/api/v3/template/{template['id']}", headers=headers, json=body)

    assert answer.status_code == 400, answer.get_json()
    assert answer.is_json
    assert client.get(f"/api/v3/template/{template['id']}", headers=headers).get_json()["data"][
        "googleWalletEnabled"] is False


def test_another_accounts_template_is_404_and_no_credentials_401(google_app, client, account, icon):
    template = create_campaign(client, account, "generics", icon, gwallet_usage=False)
    stranger = new_account("Stranger")
    body = {"data": {"googleWalletEnabled": True}}

    foreign = client.patch(f"/api/v3/template/{template['id']}", headers={"Authorization": stranger.api_key}, json=body)
    anonymous = client.patch(f"/api/v3/template/{template['id']}", json=body)

    assert foreign.status_code == 404 and foreign.is_json
    assert anonymous.status_code == 401 and anonymous.is_json
    assert client.get(f"/v2/generics/{template['id']}", headers=account.basic).get_json()["gwallet_usage"] is False
