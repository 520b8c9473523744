"""An organization's own Google issuer and service account: set through v2 and the CLI, stored
encrypted, never answered; its passes are synced and linked under its own issuer and token,
while another organization keeps the server's."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jwt
import pytest
from sqlalchemy import select

from tests.api.conftest import Account
from tests.factories import png_bytes
from tests.google.conftest import ISSUER_ID, OWN_EMAIL, OWN_ISSUER_ID
from tests.google.test_callbacks import google_events, keys_url, signer  # noqa: F401 (fixtures)
from tests.google.test_sync import create_campaign, issue_pass, run_jobs
from walletservice.db import transaction
from walletservice.google_sim.callbacks import CallbackSigner
from walletservice.google_sim.accounts import SIM_CLIENT_EMAIL
from walletservice.models import GoogleIssuerAccount



def google_account_url(account: Account) -> str:
    return f"/v2/organizations/{account.id}/google_wallet"


def move_to_own_issuer(client, account: Account, key_file: Path) -> None:  # type: ignore[no-untyped-def]
    """The organization brings its own issuer and key (PUT .../google_wallet)."""
    answer = client.put(google_account_url(account), headers=account.basic,
                        json={"issuer_id": OWN_ISSUER_ID, "service_account": key_file.read_text()})
    assert answer.status_code == 200, answer.get_json()


def upload_icon(client, account: Account) -> str:
    form = {"asset[asset_type]": "icon", "asset[file]": (io.BytesIO(png_bytes((300, 300))), "a.png")}
    return client.post("/v2/assets", data=form, headers=account.basic,
                       content_type="multipart/form-data").get_json()["id"]


def test_each_organization_syncs_and_links_with_its_own_issuer_and_token(
        google_app, client, account, icon, skyport, own_key_file, google_sim):
    answer = client.put(google_account_url(skyport), headers=skyport.basic, json={
        "issuer_id": OWN_ISSUER_ID, "service_account": json.loads(own_key_file.read_text())})
    assert answer.status_code == 200, answer.get_json()
    toy_campaign = create_campaign(client, account, "store_cards", icon)
    toy_pass = issue_pass(client, account, "store_cards", toy_campaign["id"])
    sky_campaign = create_campaign(client, skyport, "store_cards", upload_icon(client, skyport))
    sky_pass = issue_pass(client, skyport, "store_cards", sky_campaign["id"])

    run_jobs(google_app)

    inserts = {record.resource_id or record.body["id"]: record.client_email
               for record in google_sim.requests("POST") if record.status == 200}
    assert inserts == {
        f"{ISSUER_ID}.c-{toy_campaign['id']}": SIM_CLIENT_EMAIL, f"{ISSUER_ID}.p-{toy_pass['id']}": SIM_CLIENT_EMAIL,
        f"{OWN_ISSUER_ID}.c-{sky_campaign['id']}": OWN_EMAIL, f"{OWN_ISSUER_ID}.p-{sky_pass['id']}": OWN_EMAIL,
    }
    sky_url = client.get(f"/v2/store_cards/{sky_campaign['id']}/passes/{sky_pass['id']}",
                         headers=skyport.basic).get_json()["gwallet_save_url"]
    claims = jwt.decode(sky_url.rsplit("/", 1)[1], google_sim.accounts[OWN_EMAIL], algorithms=["RS256"],
                        audience="google")
    assert claims["iss"] == OWN_EMAIL
    assert claims["payload"]["loyaltyObjects"][0]["id"] == f"{OWN_ISSUER_ID}.p-{sky_pass['id']}"
    toy_url = client.get(f"/v2/store_cards/{toy_campaign['id']}/passes/{toy_pass['id']}",
                         headers=account.basic).get_json()["gwallet_save_url"]
    with pytest.raises(jwt.InvalidSignatureError):  # the server's link is not signed by Skyport's key
        jwt.decode(toy_url.rsplit("/", 1)[1], google_sim.accounts[OWN_EMAIL], algorithms=["RS256"],
                   audience="google")


def test_setting_an_own_issuer_later_moves_existing_passes_to_it(
        google_app, client, skyport, own_key_file, google_sim):
    campaign = create_campaign(client, skyport, "generics", upload_icon(client, skyport))
    pass_ = issue_pass(client, skyport, "generics", campaign["id"])
    run_jobs(google_app)
    assert ("genericObject", f"{ISSUER_ID}.p-{pass_['id']}") in google_sim.resources

    move_to_own_issuer(client, skyport, own_key_file)
    run_jobs(google_app)

    assert ("genericObject", f"{OWN_ISSUER_ID}.p-{pass_['id']}") in google_sim.resources
    answered = client.get(f"/v2/generics/{campaign['id']}", headers=skyport.basic).get_json()
    assert answered["gwallet_status"] == "sync_done"


def test_the_key_is_stored_encrypted_and_never_answered(google_app, client, skyport, own_key_file):
    key_file = json.loads(own_key_file.read_text())
    put = client.put(google_account_url(skyport), headers=skyport.basic,
                     json={"issuer_id": OWN_ISSUER_ID, "service_account": key_file})
    shown = client.get(google_account_url(skyport), headers=skyport.basic)

    for answer in (put, shown):
        assert answer.get_json() == {"own_account": True, "issuer_id": OWN_ISSUER_ID, "client_email": OWN_EMAIL,
                                     "private_key_id": "skyport-1", "updated_at": answer.get_json()["updated_at"]}
        assert "PRIVATE KEY" not in answer.get_data(as_text=True)
    with transaction(write=False) as session:
        stored = session.scalars(select(GoogleIssuerAccount)).one()
    assert "PRIVATE KEY" not in stored.service_account_encrypted and OWN_EMAIL not in stored.service_account_encrypted

    removed = client.delete(google_account_url(skyport), headers=skyport.basic)
    assert removed.get_json()["own_account"] is False
    assert client.get(google_account_url(skyport), headers=skyport.basic).get_json()["own_account"] is False


def test_a_parent_sets_a_childs_issuer_but_strangers_find_nothing(google_app, client, account, skyport,
                                                                  own_key_file):
    child = client.post("/v2/organizations", json={"name": "Toy Town East"}, headers=account.basic).get_json()
    body = {"issuer_id": OWN_ISSUER_ID, "service_account": own_key_file.read_text()}

    assert client.put(f"/v2/organizations/{child['id']}/google_wallet", headers=account.basic,
                      json=body).status_code == 200
    assert client.get(f"/v2/organizations/{child['id']}/google_wallet",
                      headers=skyport.basic).status_code == 404
    assert client.put(google_account_url(account), headers=skyport.basic, json=body).status_code == 404
    assert client.get(google_account_url(account)).status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"issuer_id": "33-88", "service_account": {}}, "issuer_id"),
    ({"issuer_id": OWN_ISSUER_ID, "service_account": "not json"}, "service_account"),
    ({"issuer_id": OWN_ISSUER_ID, "service_account": {"client_email": "a@b"}}, "service_account"),
    ({"issuer_id": OWN_ISSUER_ID, "service_account": {"client_email": "a@b", "token_uri": "https://t",
                                                       "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA"}},
     "service_account"),
    ({"issuer_id": OWN_ISSUER_ID, "service_account": [1, 2]}, "service_account"),
    ({"issuer_id": OWN_ISSUER_ID, "service_account": "\x00" * 10}, None),  # NUL: refused by the body parser
    ({"issuer_id": OWN_ISSUER_ID}, "service_account"),
])
def test_bad_issuers_and_keys_are_clear_4xx(google_app, client, skyport, body, field):
    answer = client.put(google_account_url(skyport), headers=skyport.basic, json=body)

    assert 400 <= answer.status_code < 500, answer.get_data(as_text=True)
    assert field is None or field in json.dumps(answer.get_json())
    assert client.get(google_account_url(skyport), headers=skyport.basic).get_json()["own_account"] is False


def test_a_key_whose_tokens_come_from_elsewhere_is_refused(google_app, client, skyport, own_key_file):
    # The workers would POST the signed assertion to token_uri: only Google's (or the server's
    # own account's endpoint, here the stand-in) is accepted.
    key_file = {**json.loads(own_key_file.read_text()), "token_uri": "https://169.254.169.254/token"}

    answer = client.put(google_account_url(skyport), headers=skyport.basic,
                        json={"issuer_id": OWN_ISSUER_ID, "service_account": key_file})

    assert answer.status_code == 422
    assert "token_uri" in answer.get_json()["errors"]["service_account"]


def test_the_cli_sets_shows_and_removes_an_own_issuer(google_app, skyport, own_key_file):
    runner = google_app.test_cli_runner()
    result = runner.invoke(args=["wallet", "orgs", "google", skyport.id, "--issuer-id", OWN_ISSUER_ID,
                                 "--service-account-file", str(own_key_file), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"own_account": True, "issuer_id": OWN_ISSUER_ID, "client_email": OWN_EMAIL}
    assert "PRIVATE KEY" not in result.output

    refused = runner.invoke(args=["wallet", "orgs", "google", skyport.id, "--issuer-id", "x1",
                                  "--service-account-file", str(own_key_file)])
    assert refused.exit_code != 0 and "issuer_id" in refused.output

    removed = runner.invoke(args=["wallet", "orgs", "google", skyport.id, "--remove", "--json"])
    assert json.loads(removed.output)["own_account"] is False


def test_callbacks_for_an_own_issuer_count_only_that_organizations_passes(
        google_app, client, account, icon, skyport, own_key_file, signer, keys_url):  # noqa: F811
    google_app.config["WALLET_GOOGLE_CALLBACK_KEYS_URL"] = keys_url
    move_to_own_issuer(client, skyport, own_key_file)
    sky_pass = issue_pass(client, skyport, "coupons",
                          create_campaign(client, skyport, "coupons", upload_icon(client, skyport))["id"])
    toy_pass = issue_pass(client, account, "coupons", create_campaign(client, account, "coupons", icon)["id"])
    own_signer = CallbackSigner(OWN_ISSUER_ID)
    own_signer.root, own_signer.intermediate = signer.root, signer.intermediate  # Google's keys sign for all

    saved = client.post("/google/callbacks", json=own_signer.callback(f"{OWN_ISSUER_ID}.p-{sky_pass['id']}"))
    # Signed for Skyport's issuer but naming Toy Town's pass, which lives under the server's issuer.
    foreign = client.post("/google/callbacks", json=own_signer.callback(f"{OWN_ISSUER_ID}.p-{toy_pass['id']}"))
    # Signed for the server's issuer but naming Skyport's pass.
    crossed = client.post("/google/callbacks", json=signer.callback(f"{ISSUER_ID}.p-{sky_pass['id']}"))
    # Naming Skyport's issuer, signed for the server's: the signature covers the recipient.
    forged = client.post("/google/callbacks", json=signer.callback(f"{OWN_ISSUER_ID}.p-{sky_pass['id']}"))

    assert saved.get_json() == {"result": "recorded"}
    assert foreign.get_json() == crossed.get_json() == {"result": "unknown pass"}
    assert forged.status_code == 401
    assert google_events() == [("installed", "google_wallet", "android")]
