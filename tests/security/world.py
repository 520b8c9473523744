"""Two tenants with one of everything, built through the real APIs: the ids the
adversarial suite aims at, and the secrets no answer to an attacker may contain."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.api.conftest import Account, new_account, p12_bytes
from tests.api.test_campaigns import TYPES, toy_town, upload
from tests.v3.conftest import make_template
from tests.conftest import _delete_all_rows
from walletservice import create_app
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import ApiKey, Pass, WebhookDelivery
from walletservice.passkit import devcerts

DEVICE_ID = "adversarial-device-{name}"
PUSH_TOKEN = "ab" * 32
SCHEDULE = {"run_at": "2031-05-01T09:00:00Z", "changes": {"relevant_date": "2031-01-01T10:00:00Z"}}


@dataclass
class Tenant:
    """One organization's credentials, and per path parameter the value of one of its objects."""

    account: Account
    # "" holds the ids shared by every route; a v2/v1 collection segment ("coupons") its own ones.
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    pass_tokens: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    @property
    def basic(self) -> dict[str, str]:
        return self.account.basic

    def value(self, segment: str, name: str) -> str | None:
        return self.values.get(segment, {}).get(name, self.values[""].get(name))


def _ok(response, *statuses: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code in (statuses or (200, 201, 202)), (response.status_code, response.get_data())
    return response.get_json()


def _v2_objects(client: FlaskClient, tenant: Tenant, name: str, wwdr: devcerts.KeyPair) -> None:
    certificate_pair = devcerts.issue_pass_type_certificate(wwdr, f"pass.com.example.{name}", "ADVERSARY1")
    basic = tenant.basic
    icon = upload(client, tenant.account)
    shared = tenant.values[""]
    rendition = client.get(f"/v2/assets/{icon}/icon.png", headers=basic).data
    # web.hosted_image: the SHA-256 of a rendition is what opens it (services.upcoming_images).
    shared.update(asset_id=icon, file_name="icon.png", sha256=hashlib.sha256(rendition).hexdigest())
    for segment, root in TYPES.items():
        attributes = {**toy_town(icon), "name": f"{name} {segment}"}
        if segment == "boarding_passes":
            attributes["transit_type"] = "air"
        campaign = _ok(client.post(f"/v2/{segment}", json={root: attributes}, headers=basic))["id"]
        base = f"/v2/{segment}/{campaign}"
        pass_ = _ok(client.post(f"{base}/passes", json={"redeem_code": f"{name}-{segment}"}, headers=basic))["id"]
        campaign_schedule = _ok(client.post(f"{base}/schedules", json={"schedule": SCHEDULE}, headers=basic))["id"]
        pass_schedule = _ok(client.post(f"{base}/passes/{pass_}/schedules", json={"schedule": SCHEDULE},
                                        headers=basic))["id"]
        tenant.values[segment] = {"campaign_id": campaign, "pass_id": pass_, "schedule_id": campaign_schedule,
                                  "redeem_code": f"{name}-{segment}", "pass_schedule_id": pass_schedule}
        tenant.ids += [campaign, pass_, campaign_schedule, pass_schedule]
    # v1 calls a store card campaign a loyalty program.
    tenant.values["loyalty"] = {"loyalty_id": tenant.values["store_cards"]["campaign_id"],
                                "pass_id": tenant.values["store_cards"]["pass_id"]}
    # The Passworks spellings "event_tickers" and "coupon" reach event tickets and coupons.
    tenant.values["event_tickers"] = tenant.values["event_tickets"]
    tenant.values["coupon"] = tenant.values["coupons"]
    # advanced-features.md's remote form takes any type's campaign.
    tenant.values["remote_forms"] = {"campaign_id": tenant.values["generics"]["campaign_id"]}
    generics = f"/v2/generics/{tenant.values['generics']['campaign_id']}"
    merged = _ok(client.post(f"{generics}/merge", json={"push_message": "hello"}, headers=basic))
    shared.update(job_id=merged["job_id"], push_id=merged["push_id"])
    shared["template_id"] = _ok(client.get("/v2/templates", headers=basic))[0]["id"]
    child = _ok(client.post("/v2/organizations", json={"organization": {"name": f"{name} child"}}, headers=basic))
    shared["child_id"] = child["id"]
    tenant.secrets.append(child["api_password"])
    authorization = f"Token {name}-passworks-api-key-0123456789"  # never answered in full, to anyone
    webhook = _ok(client.put("/v2/webhook", json={"webhook_url": "https://hooks.example.test/in",
                                                  "webhook_authorization": authorization}, headers=basic))
    tenant.secrets += [webhook["webhook_secret"], authorization]
    certificate = _ok(client.post("/v2/certificates", json={"certificate": {
        "p12": base64.b64encode(p12_bytes(certificate_pair, [wwdr.certificate])).decode(), "password": "s3cret"}},
        headers=basic))
    shared["certificate_id"] = certificate["id"]
    tenant.ids += [icon, certificate["id"], merged["job_id"], merged["push_id"], shared["template_id"], child["id"]]


def _v3_objects(client: FlaskClient, tenant: Tenant) -> None:
    headers = {"Authorization": tenant.account.api_key}
    template_id = make_template(tenant.account.id)
    created = _ok(client.post("/api/v3/pass?async=false", headers=headers, json={
        "data": {"templateId": template_id, "firstname": "Ada", "bundleId": "order-1"}}))["data"]
    segment = _ok(client.post("/api/v3/segment", headers=headers, json={"name": "all", "query": {}}))["data"]
    process = _ok(client.patch("/api/v3/pass/bulk", headers=headers, json={
        "data": {}, "filter": {"identifiers": [created["identifier"]]}}))["data"]["process"]
    tenant.values[""].update(identifier=created["identifier"], segment_id=segment["identifier"],
                             process_id=process.rsplit("/", 1)[1],
                             token=created["bundleDownloadPage"].rsplit("/b/", 1)[1])
    tenant.ids += [created["identifier"], segment["identifier"]]


def _apple_objects(client: FlaskClient, tenant: Tenant, name: str) -> None:
    """A device registered for the tenant's generic pass, as Wallet does it."""
    with transaction(write=False) as session:
        pass_ = session.get(Pass, tenant.values["generics"]["pass_id"])
        tokens = session.scalars(select(Pass.authentication_token).where(
            Pass.organization_id == tenant.account.id)).all()
        device = DEVICE_ID.format(name=name)
        tenant.values[""].update(device_id=device, pass_type=pass_.pass_type_identifier,
                                 serial=pass_.serial_number, download_id=pass_.download_id)
        token = pass_.authentication_token
    tenant.pass_tokens = [token, *(other for other in tokens if other != token)]
    _ok(client.post(f"/wallet/v1/devices/{device}/registrations/{pass_.pass_type_identifier}/{pass_.serial_number}",
                    json={"pushToken": PUSH_TOKEN}, headers={"Authorization": f"ApplePass {token}"}), 201)


def build_tenant(client: FlaskClient, name: str, wwdr: devcerts.KeyPair) -> Tenant:
    tenant = Tenant(new_account(name), values={"": {"filename": "download-page.css", "n": "1"}})
    tenant.secrets.append(tenant.account.api_key)
    _v2_objects(client, tenant, name, wwdr)
    # The dashboard's /dashboard/campaigns/<campaign_id>/... take any campaign of the tenant.
    tenant.values[""]["campaign_id"] = tenant.values[next(iter(TYPES))]["campaign_id"]
    # And /dashboard/passes/<pass_id> any pass of the tenant.
    tenant.values[""]["pass_id"] = tenant.values["generics"]["pass_id"]
    _v3_objects(client, tenant)
    _apple_objects(client, tenant, name)
    with transaction(write=False) as session:  # what the database keeps of the keys must not leak either
        tenant.secrets += [digest for digest in session.scalars(select(ApiKey.key_hash).where(
            ApiKey.organization_id == tenant.account.id)) if digest]
    _dashboard_objects(tenant)
    tenant.secrets += [base64.b64encode(f"{tenant.account.id}:{tenant.account.api_key}".encode()).decode()]
    return tenant


def _dashboard_objects(tenant: Tenant) -> None:
    """/dashboard/api-keys/<key_id>/..., /dashboard/webhooks/deliveries/<delivery_id>/... and
    /dashboard/schedules/<schedule_id>/...: the tenant's first key, a failed delivery (what
    the retry button acts on) and a pending campaign schedule (what Cancel acts on)."""
    with transaction() as session:
        key_id = session.scalars(select(ApiKey.id).where(ApiKey.organization_id == tenant.account.id)
                                 .order_by(ApiKey.created_at)).first()
        delivery = WebhookDelivery(organization_id=tenant.account.id, url="https://hooks.example.test/in",
                                   payload={"event": "pass.installed"}, state="failed")
        session.add(delivery)
        session.flush()
        schedule_id = next(values["schedule_id"] for values in tenant.values.values() if "schedule_id" in values)
        tenant.values[""].update(key_id=key_id, delivery_id=str(delivery.id), schedule_id=schedule_id)
    tenant.ids.append(key_id)


@contextmanager
def suite_app(test_settings: dict[str, object], instance_dir: Path) -> Iterator[Flask]:
    """An app for a whole module of cases that share one world: empty tables before and after."""
    app = create_app(dict(test_settings), instance_dir=instance_dir)
    with app.app_context():
        _delete_all_rows()
        yield app
        _delete_all_rows()
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
