"""Per kind of write route, the Case its burst of N parallel requests is checked by.

A route's kind is its method and rule with the Passworks campaign-type segment collapsed
("PATCH /v2/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>" stands for the five pass
types and their aliases). test_every_write_route.py finds every write route in the app's
url_map and fails for one whose kind has no Case in CASES: a new route needs a line or
two, mostly one of the builders in case_kinds.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from tests.concurrency.burst import (
    N, Burst, asset_upload, campaign_create, certificate_upload, fields_campaign, make_personalizable,
    ok, one_success, rows, successes, upload_asset, v2_pass,
)
from tests.concurrency.harness import field_value
from walletservice.db import transaction
from tests.concurrency.case_kinds import (
    CREATED, OK, ONCE, QUEUED, V1_UPDATED, Case, creates, deletes, field_updates, fresh_campaign, fresh_pass, moves_campaign,
    nothing, passes_created, put_value, queues, redeems, refused, replaces,
)
from walletservice.models import (
    ApiKey, Asset, BackgroundJob, Campaign, DeviceLogEntry, Organization, Pass, Personalization, PushRequest,
    PassRevision, Registration, Schedule, Segment, SigningCertificate, Template,
)

SCHEDULE = {"run_at": "2031-05-01T09:00:00Z", "changes": {"relevant_date": "2031-01-01T10:00:00Z"}}
CAMPAIGN_CHANGES = ("name", "description", "organization_name", "logo_text", "background_color", "text_color",
                    "label_color", "og_description")


# -- what creates send -------------------------------------------------------------------

def named(key: str) -> Callable[[Burst, int], dict[str, Any]]:
    return lambda burst, index: {key: {"name": f"Burst {burst.nonce} {index}"}}


def template_create(burst: Burst, index: int) -> dict[str, Any]:
    return {"template": {"name": f"Burst {burst.nonce} {index}", "pass_type": "generic",
                         "icon_id": burst.world.tenant.value("", "asset_id")}}


def v3_create(burst: Burst, index: int) -> dict[str, Any]:
    return {"data": {"templateId": burst.world.v3_template, "firstname": f"Ada {index}"}}


# -- what deletes and cancels destroy ----------------------------------------------------

def fresh_schedule(kind: str) -> Callable[[Burst], dict[str, str]]:
    def fresh(burst: Burst) -> dict[str, str]:
        values = fresh_pass(burst)
        base = f"/v2/{burst.world.segment(burst.route)}/{values['campaign_id']}"
        if kind == "pass":
            base += f"/passes/{values['pass_id']}"
        values["schedule_id"] = ok(burst.setup.post(f"{base}/schedules", json={"schedule": SCHEDULE},
                                                    headers=burst.world.tenant.basic))["id"]
        return values
    return fresh


def fresh_asset(burst: Burst) -> dict[str, str]:
    return {"asset_id": upload_asset(burst)}


def fresh_template(burst: Burst) -> dict[str, str]:
    return {"template_id": ok(burst.setup.post("/v2/templates", headers=burst.world.tenant.basic,
                                               json=template_create(burst, 99)))["id"]}


def fresh_segment(burst: Burst) -> dict[str, str]:
    return {"segment_id": ok(burst.setup.post("/api/v3/segment", headers=burst.world.v3_headers,
                                              json={"name": f"Burst {burst.nonce}", "query": {}}))["data"]["identifier"]}


# -- updates: each request sets its own back field ---------------------------------------

def v2_field(index: int) -> dict[str, Any]:
    return {"pass": {"back_fields": [{"key": f"f{index:02}", "value": field_value(index)}]}}


def v1_field(index: int) -> dict[str, Any]:
    return {"pass": {"back_fields": [{"key": f"f{index:02}", "value": field_value(index)}], "push": False}}


def v3_field(index: int) -> dict[str, Any]:
    return {"data": {f"f{index:02}": field_value(index)}}


def v3_bulk_field(index: int, pass_id: str) -> dict[str, Any]:
    return {**v3_field(index), "filter": {"identifiers": [pass_id]}}


# -- full replaces: each request sets every back field to its own value -------------------

def v2_all_fields(_burst: Burst, index: int) -> dict[str, Any]:
    return {"pass": {"back_fields": [{"key": f"f{key:02}", "value": put_value(index)} for key in range(N)]}}


def v1_all_fields(burst: Burst, index: int) -> dict[str, Any]:
    body = v2_all_fields(burst, index)
    body["pass"]["push"] = False
    return body


def v3_all_fields(_burst: Burst, index: int) -> dict[str, Any]:
    return {"data": {f"f{key:02}": put_value(index) for key in range(N)}}


# -- redeems ------------------------------------------------------------------------------

def code_redeem(burst: Burst, _index: int) -> dict[str, Any]:
    return {"pass": {"redeem_code": burst.get(Pass, burst.values["pass_id"]).redeem_code}}


def fresh_redeemed(burst: Burst) -> dict[str, str]:
    values = fresh_pass(burst)
    ok(burst.setup.post(burst.route.path(burst.path_values(values)).replace("/reset_redeem", "/redeem"),
                        headers=burst.world.tenant.basic))
    return values


def reset_check(burst: Burst) -> None:
    assert all(response.status_code in (200, 412) for response in burst.responses)
    assert burst.get(Pass, burst.values["pass_id"]).redeemed_count == 0


# -- secrets: the stored one is one of those answered ------------------------------------

def rotated_secret(burst: Burst) -> None:
    stored = burst.setup.get("/v2/webhook", headers=burst.world.tenant.basic).get_json()["webhook_secret"]
    assert stored in {response.json()["webhook_secret"] for response in successes(burst)}


def refreshed_password(burst: Burst) -> None:
    child = burst.values["child_id"]
    passwords = [response.json()["api_password"] for response in successes(burst)]
    working = [password for password in passwords if burst.authenticates(child, password)]
    assert len(working) == 1, f"{len(working)} of the answered passwords work"
    assert rows(ApiKey, organization_id=child) >= 1


def webhook_url(_burst: Burst, index: int) -> dict[str, Any]:
    return {"webhook_url": f"https://hooks.example.test/{index}"}


def one_webhook(burst: Burst) -> None:
    stored = burst.setup.get("/v2/webhook", headers=burst.world.tenant.basic).get_json()
    assert stored["webhook_url"] in {f"https://hooks.example.test/{index}" for index in burst.succeeded}
    assert stored["webhook_secret"] in {response.json()["webhook_secret"] for response in successes(burst)}


# -- an organization's own Google issuer -------------------------------------------------

GOOGLE_ISSUER_BASE = 3388000000000000100


@functools.cache
def google_key_file() -> dict[str, str]:
    """A service account key, made once: RSA key generation is slow."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return {"type": "service_account", "client_email": "burst@burst.iam.gserviceaccount.com", "private_key": pem,
            "private_key_id": "burst-1", "token_uri": "https://oauth2.googleapis.com/token"}


def google_account(_burst: Burst, index: int) -> dict[str, Any]:
    return {"issuer_id": str(GOOGLE_ISSUER_BASE + index), "service_account": google_key_file()}


def google_account_url(burst: Burst) -> str:
    return f"/v2/organizations/{burst.values['child_id']}/google_wallet"


def one_google_account(burst: Burst) -> None:
    stored = burst.setup.get(google_account_url(burst), headers=burst.world.tenant.basic).get_json()
    assert stored["issuer_id"] in {str(GOOGLE_ISSUER_BASE + index) for index in burst.succeeded}


def fresh_google_account(burst: Burst) -> dict[str, str]:
    child_id = burst.world.tenant.value("", "child_id")
    ok(burst.setup.put(f"/v2/organizations/{child_id}/google_wallet", json=google_account(burst, 0),
                       headers=burst.world.tenant.basic))
    return {"child_id": child_id}


def no_google_account(burst: Burst) -> None:
    stored = burst.setup.get(google_account_url(burst), headers=burst.world.tenant.basic).get_json()
    assert stored["own_account"] is False


def fresh_v3_template(burst: Burst) -> dict[str, str]:
    return {"identifier": fields_campaign(burst, new=True)}


def google_turned_on_once(burst: Burst) -> None:
    """Every request answers 200, and only the first to turn Google on queues the whole campaign."""
    assert all(response.status_code == 200 for response in burst.responses)
    campaign_id = burst.values["identifier"]
    assert burst.get(Campaign, campaign_id).settings["gwallet_usage"] is True
    with transaction(write=False) as session:
        jobs = session.scalars(select(BackgroundJob).where(BackgroundJob.kind == "google_wallet_sync")).all()
    assert len([job for job in jobs if job.payload.get("campaign_id") == campaign_id
                and job.payload.get("all_passes")]) == 1


# -- campaigns and segments ------------------------------------------------------------

def campaign_change(burst: Burst, index: int) -> dict[str, Any]:
    name = CAMPAIGN_CHANGES[index]
    value = f"#{index:02}{burst.nonce % 100:02}30" if name.endswith("color") else f"{name} {burst.nonce}"
    return {burst.world.root(burst.route): {name: value}}


def every_campaign_change(burst: Burst) -> None:
    stored = burst.setup.get(f"/v2/{burst.world.segment(burst.route)}/{burst.values['campaign_id']}",
                             headers=burst.world.tenant.basic).get_json()
    sent = [next(iter(burst.sent[index].values())) for index in range(burst.case.count)]
    lost = [change for change in sent if any(stored.get(key) != value for key, value in change.items())]
    assert lost == [], f"lost {lost}"


def segment_change(_burst: Burst, index: int) -> dict[str, Any]:
    return {"name": f"segment {index}", "query": {"firstname": f"Ada {index}"}}


def one_segment_body(burst: Burst) -> None:
    stored = burst.get(Segment, burst.values["segment_id"])
    index = int(stored.name.rsplit(" ", 1)[1])
    assert index in burst.succeeded and stored.query == segment_change(burst, index)["query"], \
        f"a mix of requests: {stored.name} {stored.query}"


# -- bulk updates --------------------------------------------------------------------------

def bulk_fields(burst: Burst) -> None:
    assert burst.fields_set() == burst.case.count, f"{burst.fields_set()} of {burst.case.count} bulk updates kept"


# -- Apple's web service -------------------------------------------------------------------

def register(burst: Burst, index: int) -> dict[str, Any]:
    return {"pushToken": f"{index:064x}"}


def device_per_request(burst: Burst, index: int) -> str:
    return f"conc-{burst.nonce}-{index % 2}"


def two_registrations(burst: Burst) -> None:
    assert sorted(response.status_code for response in burst.responses) == [200] * (N - 2) + [201] * 2
    assert rows(Registration, pass_id=burst.values["pass_id"]) == 2


def fresh_registration(burst: Burst) -> dict[str, str]:
    values = fresh_pass(burst)
    burst.register(values, "conc-leaving")
    return {**values, "device_id": "conc-leaving"}


def unregistered(burst: Burst) -> None:
    assert rows(Registration, pass_id=burst.values["pass_id"]) == 0


def fresh_personalizable(burst: Burst) -> dict[str, str]:
    campaign_id = fields_campaign(burst, new=True)
    pass_id = v2_pass(burst, campaign_id)
    make_personalizable(campaign_id, pass_id)
    return {"campaign_id": campaign_id, "pass_id": pass_id}


def personalized_once(burst: Burst) -> None:
    one_success(burst, refused=frozenset({412}))
    assert rows(Personalization, pass_id=burst.values["pass_id"]) == 1


def personalize(_burst: Burst, index: int) -> dict[str, Any]:
    return {"personalizationToken": f"device-token-{index}", "requiredPersonalizationInfo": {"fullName": f"Ada {index}"}}


def logs(burst: Burst, index: int) -> dict[str, Any]:
    return {"logs": [f"conc {burst.nonce} {index}"]}


def logs_kept(burst: Burst) -> None:
    assert rows(DeviceLogEntry) - burst.before == len(successes(burst)) > 0



# -- revisions: every restore of revision 1 is a new revision, numbered without a gap ------

def fresh_revised_pass(burst: Burst) -> dict[str, str]:
    """A pass with two revisions: as issued (1, no back field set), then one field set (2)."""
    values = fresh_pass(burst)
    ok(burst.setup.patch(f"/api/v3/pass/{values['pass_id']}?async=false", headers=burst.world.v3_headers,
                         json=v3_field(0)))
    return {**values, "n": "1"}


def restored_in_turn(burst: Burst) -> None:
    assert all(response.status_code == 200 for response in burst.responses)
    with transaction(write=False) as session:
        numbers = session.scalars(select(PassRevision.n).where(PassRevision.pass_id == burst.pass_id)
                                  .order_by(PassRevision.n)).all()
    assert numbers == list(range(1, 3 + burst.case.count)), f"revision numbers {numbers}"
    assert burst.fields_set() == 0, "the pass is not back at revision 1"


def restores() -> Case:
    return Case(OK, restored_in_turn, fresh=fresh_revised_pass, pass_content=True)


CASES: dict[str, Case] = {
    # Passworks v2 and v1: campaigns
    "POST /v2/<seg>": creates(Campaign, body=campaign_create),
    "POST /v1/<seg>": creates(Campaign, body=campaign_create),
    "PATCH /v2/<seg>/<uuid:campaign_id>": Case(OK, every_campaign_change, body=campaign_change,
                                                fresh=fresh_campaign, count=len(CAMPAIGN_CHANGES)),
    "DELETE /v2/<seg>/<uuid:campaign_id>": deletes(Campaign, "campaign_id", fresh_campaign),
    "POST /v2/<seg>/<uuid:campaign_id>/archive": moves_campaign("archived"),
    "POST /v2/<seg>/<uuid:campaign_id>/pause": moves_campaign("paused"),
    "POST /v2/<seg>/<uuid:campaign_id>/resume": moves_campaign("published", start="pause"),
    "POST /v2/<seg>/<uuid:campaign_id>/merge": queues(BackgroundJob, fresh=fresh_pass,
                                                      body=lambda _burst, index: {"push_message": f"hello {index}"}),
    "POST /v2/<seg>/<uuid:campaign_id>/push": queues(PushRequest, fresh=fresh_pass),
    "POST /v2/<seg>/<uuid:campaign_id>/redeem": redeems(code_redeem),
    "POST /v2/<seg>/<uuid:campaign_id>/schedules": creates(
        Schedule, fresh=fresh_pass, body=lambda _burst, _index: {"schedule": SCHEDULE}),
    "DELETE /v2/<seg>/<uuid:campaign_id>/schedules/<uuid:schedule_id>": deletes(
        Schedule, "schedule_id", fresh_schedule("campaign"), gone=lambda row: row is None or row.state == "cancelled"),
    # Passworks v2 and v1: passes
    "POST /v2/<seg>/<uuid:campaign_id>/passes": passes_created(fresh=fresh_pass),
    "POST /v2/remote_forms/<uuid:campaign_id>/submit": passes_created(fresh=fresh_pass),
    "POST /v1/<seg>/<uuid:campaign_id>/passes": passes_created(fresh=fresh_pass),
    "POST /v1/<seg>/<uuid:loyalty_id>/passes": passes_created(fresh=fresh_pass),
    "PATCH /v2/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>": field_updates(v2_field),
    "POST /v2/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>": field_updates(v2_field),
    "PATCH /v1/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>": field_updates(v1_field, V1_UPDATED),
    "POST /v1/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>": field_updates(v1_field, V1_UPDATED),
    "PATCH /v1/<seg>/<uuid:loyalty_id>/passes/<uuid:pass_id>": field_updates(v1_field, V1_UPDATED),
    "PUT /v2/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>": replaces(v2_all_fields),
    "PUT /v1/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>": replaces(v1_all_fields, statuses=V1_UPDATED),
    "PUT /v1/<seg>/<uuid:loyalty_id>/passes/<uuid:pass_id>": replaces(v1_all_fields, statuses=V1_UPDATED),
    "DELETE /v2/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>": deletes(Pass, "pass_id", fresh_pass),
    "DELETE /v1/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>": deletes(Pass, "pass_id", fresh_pass),
    "DELETE /v1/<seg>/<uuid:loyalty_id>/passes/<uuid:pass_id>": deletes(Pass, "pass_id", fresh_pass),
    "POST /v2/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>/push": queues(PushRequest, fresh=fresh_pass),
    "POST /v1/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>/push": queues(PushRequest, fresh=fresh_pass),
    "POST /v1/<seg>/<uuid:loyalty_id>/passes/<uuid:pass_id>/push": queues(PushRequest, fresh=fresh_pass),
    "POST /v2/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>/redeem": redeems(nothing),
    "POST /v2/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>/reset_redeem": Case(
        ONCE, reset_check, fresh=fresh_redeemed, pass_content=True),
    "POST /v2/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>/schedules": creates(
        Schedule, fresh=fresh_pass, body=lambda _burst, _index: {"schedule": SCHEDULE}),
    "DELETE /v2/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>/schedules/<uuid:schedule_id>": deletes(
        Schedule, "schedule_id", fresh_schedule("pass"), gone=lambda row: row is None or row.state == "cancelled"),
    # Passworks: the account
    "POST /v2/assets": creates(Asset, body=asset_upload, upload=True),
    "POST /v1/assets": creates(Asset, body=asset_upload, upload=True),
    "DELETE /v2/assets/<uuid:asset_id>": deletes(Asset, "asset_id", fresh_asset),
    "DELETE /v1/assets/<uuid:asset_id>": deletes(Asset, "asset_id", fresh_asset),
    "POST /v2/certificates": creates(SigningCertificate, body=certificate_upload),
    "POST /v1/certificates": refused(405, SigningCertificate, body=certificate_upload),  # v1/certificates.md
    "POST /v2/organizations": creates(Organization, body=named("organization")),
    "POST /v2/organizations/<uuid:child_id>/refresh_api_password": Case(OK, refreshed_password),
    "PUT /v2/organizations/<uuid:child_id>/google_wallet": Case(OK, one_google_account, body=google_account),
    "DELETE /v2/organizations/<uuid:child_id>/google_wallet": Case(OK, no_google_account,
                                                                    fresh=fresh_google_account),
    "POST /v2/templates": creates(Template, body=template_create),
    "DELETE /v2/templates/<uuid:template_id>": deletes(Template, "template_id", fresh_template),
    "PUT /v2/webhook": Case(OK, one_webhook, body=webhook_url),
    "PATCH /v2/webhook": Case(OK, one_webhook, body=webhook_url),
    "POST /v2/webhook/rotate_secret": Case(OK, rotated_secret),
    # Passcreator v3
    "POST /api/v3/pass": passes_created(body=v3_create, query="?async=false"),
    "PATCH /api/v3/pass/<identifier>": field_updates(v3_field, query="?async=false"),
    "POST /api/v3/pass/<identifier>": replaces(v3_all_fields, query="?async=false"),
    "DELETE /api/v3/pass/<identifier>": deletes(Pass, "identifier", fresh_pass),
    "PATCH /api/v3/pass/bulk": Case(QUEUED, bulk_fields, fresh=fresh_pass, jobs=True, pass_content=True,
                                    body=lambda burst, index: v3_bulk_field(index, burst.values["identifier"])),
    "POST /api/v3/pass/bulk": replaces(lambda burst, index: {**v3_all_fields(burst, index), "filter": {
        "identifiers": [burst.values["identifier"]]}}, statuses=QUEUED, jobs=True),
    "PATCH /api/v3/template/<identifier>": Case(OK, google_turned_on_once, fresh=fresh_v3_template,
                                                body=lambda _burst, _index: {"data": {"googleWalletEnabled": True}}),
    "POST /api/v3/segment": creates(Segment, body=lambda _burst, index: {"name": f"all {index}", "query": {}}),
    "PATCH /api/v3/segment/<segment_id>": Case(OK, one_segment_body, body=segment_change, fresh=fresh_segment),
    "PUT /api/v3/segment/<segment_id>": Case(OK, one_segment_body, body=segment_change, fresh=fresh_segment),
    "DELETE /api/v3/segment/<segment_id>": deletes(Segment, "segment_id", fresh_segment),
    # Apple's web service
    "POST /wallet/v1/devices/<device_id>/registrations/<pass_type>/<serial>": Case(
        CREATED, two_registrations, body=register, fresh=fresh_pass,
        request_values=lambda burst, index: {"device_id": device_per_request(burst, index)}),
    "DELETE /wallet/v1/devices/<device_id>/registrations/<pass_type>/<serial>": Case(
        OK, unregistered, fresh=fresh_registration),
    "POST /wallet/v1/passes/<pass_type>/<serial>/personalize": Case(
        ONCE, personalized_once, body=personalize, fresh=fresh_personalizable),
    "POST /wallet/v1/log": Case(OK, logs_kept, body=logs, before=lambda _burst: rows(DeviceLogEntry)),
    # Pass revisions: restoring revision 1 at once from everywhere
    "POST /v2/<seg>/<uuid:campaign_id>/passes/<uuid:pass_id>/revisions/<int:n>/restore": restores(),
    "POST /api/v3/pass/<identifier>/revisions/<int:n>/restore": restores(),
}
