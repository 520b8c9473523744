"""Campaigns with gwallet_usage sync to Google Wallet (the stand-in) through the job queue:
class and object created per style, one PATCH per change, 429 retried, save links."""

from __future__ import annotations

import time

import jwt
import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.api.conftest import Account
from tests.google.conftest import ISSUER_ID
from walletservice.db import transaction
from walletservice.google_sim import GoogleWalletSimulator
from walletservice.models import BackgroundJob
from walletservice.workers.job_runner import JobWorker

ROOTS = {"store_cards": "store_card", "event_tickets": "event_ticket", "boarding_passes": "boarding_pass",
         "coupons": "coupon", "generics": "generic"}
STYLE_ATTRIBUTES = {
    "store_cards": {"logo_text": "Toy Club", "primary_fields": [{"key": "points", "label": "POINTS",
                                                                  "behaviour": "dynamic"}]},
    "event_tickets": {"relevant_date": "2030-05-01T20:00:00Z",
                      "primary_fields": [{"key": "seat", "label": "SEAT", "behaviour": "dynamic"}]},
    "boarding_passes": {"transit_type": "air", "relevant_date": "2030-05-01T08:15:00Z",
                        "header_fields": [{"key": "flight", "label": "FLIGHT", "value": "TP1350"}],
                        "primary_fields": [{"key": "origin", "label": "LISBON", "value": "LIS"},
                                           {"key": "destination", "label": "LONDON", "value": "LHR"}],
                        "secondary_fields": [{"key": "passenger", "label": "PASSENGER", "behaviour": "dynamic"}]},
    "coupons": {"primary_fields": [{"key": "off", "label": "OFF", "value": "20%"}]},
    "generics": {"primary_fields": [{"key": "member", "label": "MEMBER", "behaviour": "dynamic"}]},
}
PASS_VALUES = {"store_cards": ("points", "120"), "event_tickets": ("seat", "12F"),
               "boarding_passes": ("passenger", "Ada Lovelace"), "coupons": None, "generics": ("member", "Ada")}
GOOGLE_TYPES = {"store_cards": "loyalty", "event_tickets": "eventTicket", "boarding_passes": "flight",
                "coupons": "offer", "generics": "generic"}


def create_campaign(client, account: Account, segment: str, icon: str, **extra) -> dict:
    attributes = {"name": f"Toy Town {segment}", "icon_id": icon, "background_color": "#c51f1f",
                  "barcode": {"format": "qrcode"}, "gwallet_usage": True, **STYLE_ATTRIBUTES[segment], **extra}
    response = client.post(f"/v2/{segment}", json={ROOTS[segment]: attributes}, headers=account.basic)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def issue_pass(client, account: Account, segment: str, campaign_id: str) -> dict:
    value = PASS_VALUES[segment]
    body = {"pass": {"primary_fields" if segment != "boarding_passes" else "secondary_fields":
                     [{"key": value[0], "value": value[1]}]} if value else {}}
    response = client.post(f"/v2/{segment}/{campaign_id}/passes", json=body, headers=account.basic)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def synced_pass(app: Flask, client, account: Account, segment: str, icon: str) -> tuple[dict, dict]:
    """A campaign of the segment and one pass, both synced to the stand-in."""
    campaign = create_campaign(client, account, segment, icon)
    pass_ = issue_pass(client, account, segment, campaign["id"])
    run_jobs(app)
    return campaign, pass_


def run_jobs(app: Flask, timeout: float = 20.0) -> None:
    """Run queued jobs until none is left, waiting out retry delays."""
    worker = JobWorker(app)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        worker.run_until_idle()
        with transaction(write=False) as session:
            open_jobs = session.scalar(select(func.count()).select_from(BackgroundJob)
                                       .where(BackgroundJob.state.in_(("queued", "running"))))
        if not open_jobs:
            return
        time.sleep(0.05)
    raise AssertionError("jobs still open")


@pytest.mark.parametrize("segment", list(ROOTS))
def test_issuing_a_pass_creates_its_class_and_object_with_the_mapped_fields(
        google_app, client, account, icon, google_sim: GoogleWalletSimulator, segment):
    campaign = create_campaign(client, account, segment, icon)
    assert (campaign["gwallet_usage"], campaign["gwallet_status"]) == (True, "local")
    pass_ = issue_pass(client, account, segment, campaign["id"])

    run_jobs(google_app)

    kind = GOOGLE_TYPES[segment]
    klass = google_sim.resources[(f"{kind}Class", f"{ISSUER_ID}.c-{campaign['id']}")]
    obj = google_sim.resources[(f"{kind}Object", f"{ISSUER_ID}.p-{pass_['id']}")]
    assert obj["classId"] == klass["id"]
    assert obj["state"] == "ACTIVE"
    assert obj["barcode"]["type"] == "QR_CODE"
    if segment != "generics":
        assert klass["hexBackgroundColor"] == "#c51f1f"
    if PASS_VALUES[segment]:
        key, value = PASS_VALUES[segment]
        assert {"id": key, "body": value} .items() <= next(
            module for module in obj["textModulesData"] if module["id"] == key).items()
    answered = client.get(f"/v2/{segment}/{campaign['id']}", headers=account.basic).get_json()
    assert (answered["gwallet_status"], answered["gwallet_message"]) == ("sync_done", None)


def test_each_update_patches_the_object_once(google_app, client, account, icon, google_sim):
    campaign = create_campaign(client, account, "generics", icon)
    pass_ = issue_pass(client, account, "generics", campaign["id"])
    run_jobs(google_app)
    base = f"/v2/generics/{campaign['id']}/passes/{pass_['id']}"

    for name in ("Grace", "Alan"):
        response = client.patch(base, json={"pass": {"primary_fields": [{"key": "member", "value": name}]}},
                                headers=account.basic)
        assert response.status_code == 200, response.get_json()
        run_jobs(google_app)
    run_jobs(google_app)  # nothing left: a second run writes nothing

    patches = google_sim.requests("PATCH", "genericObject")
    assert len(patches) == 2
    assert patches[-1].body["header"]["defaultValue"]["value"] == "Alan"
    assert google_sim.resources[("genericObject", f"{ISSUER_ID}.p-{pass_['id']}")]["header"][
        "defaultValue"]["value"] == "Alan"


def test_a_429_is_retried_then_succeeds(google_app, client, account, icon, google_sim):
    campaign = create_campaign(client, account, "coupons", icon)
    google_sim.faults.fail_next(2, 429)
    pass_ = issue_pass(client, account, "coupons", campaign["id"])

    run_jobs(google_app)

    statuses = [record.status for record in google_sim.records]
    assert statuses[:2] == [429, 429]
    assert ("offerObject", f"{ISSUER_ID}.p-{pass_['id']}") in google_sim.resources
    with transaction(write=False) as session:
        assert set(session.scalars(select(BackgroundJob.state))) == {"done"}


def test_a_design_google_cannot_hold_fails_with_a_message(google_app, client, account, icon, google_sim):
    # A flight needs its carrier and number: without a field keyed flight the class cannot be built.
    campaign = create_campaign(client, account, "boarding_passes", icon, header_fields=[])
    run_jobs(google_app)
    answered = client.get(f"/v2/boarding_passes/{campaign['id']}", headers=account.basic).get_json()
    assert answered["gwallet_status"] == "failed"
    assert "flight" in answered["gwallet_message"]
    assert google_sim.requests("POST") == []


def test_save_link_verifies_with_the_service_account_key_and_stays_short(
        google_app, client, account, icon, google_sim, service_account_file):
    campaign = create_campaign(client, account, "store_cards", icon)
    pass_ = issue_pass(client, account, "store_cards", campaign["id"])
    assert pass_["gwallet_save_url"] is None  # the object does not exist at Google yet
    run_jobs(google_app)

    url = client.get(f"/v2/store_cards/{campaign['id']}/passes/{pass_['id']}",
                     headers=account.basic).get_json()["gwallet_save_url"]

    assert url.startswith("https://pay.google.com/gp/v/save/") and len(url) < 1800
    public_key = google_sim.accounts["wallet@walletservice-sim.iam.gserviceaccount.com"]
    claims = jwt.decode(url.rsplit("/", 1)[1], public_key, algorithms=["RS256"], audience="google")
    assert (claims["typ"], claims["origins"]) == ("savetowallet", ["https://wallet.example.test"])
    assert claims["payload"] == {"loyaltyObjects": [
        {"id": f"{ISSUER_ID}.p-{pass_['id']}", "classId": f"{ISSUER_ID}.c-{campaign['id']}"}]}


def test_campaigns_without_gwallet_usage_queue_nothing_for_google(google_app, client, account, icon, google_sim):
    campaign = create_campaign(client, account, "generics", icon, gwallet_usage=False)
    pass_ = issue_pass(client, account, "generics", campaign["id"])
    run_jobs(google_app)
    assert google_sim.records == []
    assert (campaign["gwallet_status"], pass_["gwallet_save_url"]) == (None, None)


def test_class_images_are_served_at_the_public_url_google_fetches(google_app, client, account, icon, google_sim):
    campaign = create_campaign(client, account, "store_cards", icon)
    run_jobs(google_app)
    klass = google_sim.resources[("loyaltyClass", f"{ISSUER_ID}.c-{campaign['id']}")]
    path = klass["programLogo"]["sourceUri"]["uri"].removeprefix("https://wallet.example.test")

    image = client.get(path)

    assert (image.status_code, image.mimetype) == (200, "image/png")
    assert image.data.startswith(b"\x89PNG")
    assert client.get(path.replace(".png", "x.png")).status_code == 404


def test_the_download_page_shows_the_google_button_first_to_android(google_app, client, account, icon, google_sim):
    campaign = create_campaign(client, account, "generics", icon)
    pass_ = issue_pass(client, account, "generics", campaign["id"])
    page_path = pass_["page_url"].removeprefix("https://wallet.example.test")
    assert "add-to-google-wallet" not in client.get(page_path).get_data(as_text=True)  # not synced yet
    run_jobs(google_app)

    iphone = client.get(page_path, headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)"})
    android = client.get(page_path, headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8)"})

    for response, first in ((iphone, "add-to-wallet"), (android, "add-to-google-wallet")):
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        positions = {name: html.index(f'id="{name}"') for name in ("add-to-wallet", "add-to-google-wallet")}
        assert min(positions, key=positions.get) == first
    assert 'href="https://pay.google.com/gp/v/save/' in android.get_data(as_text=True)


def test_v3_answers_the_save_link_as_android_uri_once_the_object_exists(
        google_app, client, account, icon, google_sim):
    campaign = create_campaign(client, account, "generics", icon)
    v3_headers = {"Authorization": account.api_key}
    created = client.post("/api/v3/pass?async=false", headers=v3_headers,
                          json={"data": {"templateId": campaign["id"], "member": "Ada"}})
    assert created.status_code == 200, created.get_json()
    assert created.get_json()["data"]["androidUri"] is None
    pass_id = created.get_json()["data"]["identifier"]
    run_jobs(google_app)

    updated = client.patch(f"/api/v3/pass/{pass_id}?async=false", headers=v3_headers,
                           json={"data": {"member": "Grace"}})

    assert updated.status_code == 200, updated.get_json()
    assert updated.get_json()["data"]["androidUri"].startswith("https://pay.google.com/gp/v/save/")


def test_deleting_a_pass_makes_its_google_object_inactive(google_app, client, account, icon, google_sim):
    campaign = create_campaign(client, account, "coupons", icon)
    pass_ = issue_pass(client, account, "coupons", campaign["id"])
    run_jobs(google_app)

    deleted = client.delete(f"/v2/coupons/{campaign['id']}/passes/{pass_['id']}", headers=account.basic)
    assert deleted.status_code == 200
    run_jobs(google_app)

    assert google_sim.resources[("offerObject", f"{ISSUER_ID}.p-{pass_['id']}")]["state"] == "INACTIVE"


def test_an_unreadable_service_account_file_is_reported_as_failed(google_app, client, account, icon, tmp_path):
    google_app.config["WALLET_GOOGLE_SERVICE_ACCOUNT_FILE"] = str(tmp_path / "missing.json")
    campaign = create_campaign(client, account, "generics", icon)
    run_jobs(google_app)
    answered = client.get(f"/v2/generics/{campaign['id']}", headers=account.basic).get_json()
    assert answered["gwallet_status"] == "failed"
    assert "missing.json" in answered["gwallet_message"]
