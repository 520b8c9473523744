"""Every request example of the Passworks resource documents (v2 assets.md, certificates.md,
organizations.md, registrations.md, reports.md, sorting.md, templates.md; v1 assets.md,
certificates.md), sent as the document writes it, in its order.

tests/api/passworks_v2_resource_examples.json holds them, extracted by hand from the
documents: each step's source section, method, path (host and all, as written), body or
multipart form, and the keys of the response the document shows, by where they sit
("" the answer, "*" each item of a list, "report.*" each value of the answer's report).
The ids in the paths are the documents' own (placeholders such as {asset_id} or
<campaign_id>, the documents' example uuids, sorting.md's bare campaign_id and pass_id):
they are replaced by real ones made first. Each step must answer 2xx and carry every key
shown. webhooks.md has no request example (its payload is checked in
tests/services/test_events.py); the type documents are replayed in
test_documented_examples.py.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.api.conftest import Account, p12_bytes
from tests.api.test_campaigns import upload
from tests.factories import png_bytes
from walletservice.db import transaction
from walletservice.models import Pass

EXAMPLES = json.loads((Path(__file__).parent / "passworks_v2_resource_examples.json").read_text())
CAMPAIGN_TYPES = {"coupons": "coupon", "event_tickets": "event_ticket", "generics": "generic",
                  "store_cards": "store_card", "boarding_passes": "boarding_pass"}
# The documents' own example campaign ids (registrations.md, reports.md): a coupon campaign.
DOCUMENT_CAMPAIGN_IDS = ("bd69162b-8995-4c89-bdca-898fae6050d0", "86d1772e-ac76-4be0-8844-0f54353307ba")
# The collection a created resource belongs to, and the placeholder its id fills next.
# registrations.md's list of campaign types spells event_tickets so.
TYPE_SPELLINGS = {"event_tickers": "event_tickets"}
CREATED_IDS = {"assets": "asset_id", "templates": "template_id", "organizations": "organization_id"}
APPLE_WALLET = "PassKit/1.0 CFNetwork/1410.0.3 Darwin/22.6.0"


def _campaign_with_an_installed_pass(client, account: Account, plural: str, icon_id: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    design = {"name": f"Una Salus Victus {plural}", "icon_id": icon_id}
    if plural == "boarding_passes":
        design["transit_type"] = "air"
    campaign = client.post(f"/v2/{plural}", json={CAMPAIGN_TYPES[plural]: design}, headers=account.basic)
    assert campaign.status_code == 201, campaign.get_json()
    pass_ = client.post(f"/v2/{plural}/{campaign.get_json()['id']}/passes", json={}, headers=account.basic)
    assert pass_.status_code == 201, pass_.get_json()
    with transaction(write=False) as session:
        row = session.get(Pass, pass_.get_json()["id"])
        identifier, serial, token = row.pass_type_identifier, row.serial_number, row.authentication_token
    installed = client.post(f"/wallet/v1/devices/iphone-{plural}/registrations/{identifier}/{serial}",
                            json={"pushToken": "cd" * 32},
                            headers={"Authorization": f"ApplePass {token}", "User-Agent": APPLE_WALLET})
    assert installed.status_code == 201
    return {"campaign_id": campaign.get_json()["id"], "pass_id": pass_.get_json()["id"],
            "template_id": campaign.get_json()["template_id"]}


@pytest.fixture
def made_first(client, account: Account, pass_certificate, wwdr) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The real things the documents' ids stand for: a certificate, an asset, and a campaign
    of each type with one pass installed on an iPhone."""
    p12 = p12_bytes(pass_certificate, [wwdr.certificate])
    certificate = client.post("/v2/certificates", headers=account.basic, json={
        "certificate": {"p12": base64.b64encode(p12).decode(), "password": "s3cret"}})
    assert certificate.status_code in (200, 201), certificate.get_json()
    icon_id = upload(client, account, "icon")
    campaigns = {plural: _campaign_with_an_installed_pass(client, account, plural, icon_id)
                 for plural in CAMPAIGN_TYPES}
    return {"certificate_id": certificate.get_json()["id"], "asset_id": upload(client, account, "logo"),
            "icon_id": icon_id, "template_id": campaigns["coupons"]["template_id"], "campaigns": campaigns}


def _real_path(path: str, ids: dict[str, Any]) -> str:
    """The document's path with its host dropped and its ids replaced by real ones."""
    path = re.sub(r"^https?://[^/]+", "", path).replace("<campaign_type>", "coupons")
    for document_id in DOCUMENT_CAMPAIGN_IDS:
        path = path.replace(document_id, "<campaign_id>")
    kind = path.split("/")[2] if path.count("/") > 1 else ""
    campaign = ids["campaigns"].get(TYPE_SPELLINGS.get(kind, kind), ids["campaigns"]["coupons"])
    names = {**campaign, **ids}
    path = re.sub(r"[{<]([\w-]+)[}>]", lambda match: names[match.group(1).replace("-", "_")], path)
    # sorting.md's list of sortable endpoints writes bare campaign_id and pass_id segments.
    return re.sub(r"/(campaign_id|pass_id)(?=/|$)", lambda match: "/" + campaign[match.group(1)], path)


def _multipart(form: dict[str, str]) -> dict[str, Any]:
    """The document's form, its "@file" fields given a real PNG of that name."""
    return {name: (io.BytesIO(png_bytes((360, 440))), Path(value[1:]).name) if value.startswith("@") else value
            for name, value in form.items()}


def _objects_at(answer: Any, where: str) -> Iterator[Any]:
    """The parts of an answer a dotted place names; "*" is every item or value."""
    found = [answer]
    for part in filter(None, where.split(".")):
        if part == "*":
            found = [item for value in found
                     for item in (value.values() if isinstance(value, dict) else value or [])]
        else:
            found = [value.get(part) if isinstance(value, dict) else None for value in found]
    return iter(found)


def _send(client, account: Account, step: dict, path: str):  # type: ignore[no-untyped-def]
    if "multipart" in step:
        return client.open(path, method=step["method"], data=_multipart(step["multipart"]),
                           headers=account.basic, content_type="multipart/form-data")
    return client.open(path, method=step["method"], json=step.get("body"), headers=account.basic)


def _with_real_assets(body: Any, icon_id: str) -> Any:
    """templates.md's payload names an icon of its own: ours stands in."""
    if isinstance(body, dict) and isinstance(body.get("template"), dict) and "icon_id" in body["template"]:
        return {"template": {**body["template"], "icon_id": icon_id}}
    return body


@pytest.mark.parametrize("document", sorted(EXAMPLES))
def test_every_request_example_of_the_document_works(client, account: Account, made_first, document: str):  # type: ignore[no-untyped-def]
    ids = dict(made_first)
    for step in EXAMPLES[document]:
        path = _real_path(step["path"], ids)
        response = _send(client, account, {**step, "body": _with_real_assets(step.get("body"), ids["icon_id"])}, path)
        where = f"{document} ({step['section']}): {step['method']} {step['path']}"
        assert 200 <= response.status_code < 300, (where, response.status_code, response.get_data(as_text=True)[:300])
        answer = response.get_json(silent=True)
        collection = path.split("?")[0].rstrip("/").split("/")[-1]
        if step["method"] == "POST" and collection in CREATED_IDS:
            ids[CREATED_IDS[collection]] = answer["id"]
        for place, keys in step.get("keys", {}).items():
            objects = list(_objects_at(answer, place))
            assert objects and all(isinstance(found, dict) for found in objects), (where, place, answer)
            for found in objects:
                assert not set(keys) - set(found), (where, place, sorted(set(keys) - set(found)))


def _names(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_json()
    return sorted(campaign["name"] for campaign in response.get_json())


def test_a_percent_encoded_query_without_its_question_mark_filters_as_sorting_md_shows(client, account: Account):  # type: ignore[no-untyped-def]
    icon_id = upload(client, account, "icon")
    for name in ("House of Toys", "Barn", "Greenhouse"):
        client.post("/v2/coupons", json={"coupon": {"name": name, "icon_id": icon_id}}, headers=account.basic)

    escaped = client.get("/v2/coupons/q%5Bname_cont%5D%3DHouse", headers=account.basic)
    with_mark = client.get("/v2/coupons/?q%5Bname_cont%5D=House", headers=account.basic)

    assert _names(escaped) == _names(with_mark) == ["Greenhouse", "House of Toys"]
    assert _names(client.get("/v2/coupons/q%5Bname_cont%5D%3DHouse?q%5Bs%5D=name+desc", headers=account.basic)) \
        == ["Greenhouse", "House of Toys"]


def test_a_path_segment_that_is_not_a_filter_stays_a_path(client, account: Account):  # type: ignore[no-untyped-def]
    response = client.get("/v2/coupons/House", headers=account.basic)
    assert response.status_code == 404
    assert client.get("/v2/coupons/xq%5Bname_cont%5D%3DHouse", headers=account.basic).status_code == 404
