"""POST (replace) and PATCH (merge) /api/v3/pass/{identifier}; both push the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.v3.conftest import V3Client, make_template
from tests.v3.test_create_pass import stored_pass
from walletservice.db import transaction
from walletservice.models import PushRequest

FULL = {"userProvidedId": "member-1", "barcodeValue": "CODE-1", "expirationDate": "2055-12-31 00:00",
        "labelColor": "#ff0000", "storedValue": 5, "bundleId": "b-1", "firstname": "Ada", "country": "Spain"}


def created(v3: V3Client, template_id: str) -> str:
    response = v3.post("/pass?async=false", json={"data": {"templateId": template_id, **FULL}})
    assert response.status_code == 200, response.json
    return str(response.json["data"]["identifier"])


def pushes() -> list[list[str]]:
    with transaction(write=False) as session:
        return [request.pass_ids for request in session.scalars(select(PushRequest).order_by(PushRequest.created_at))]


def test_patch_changes_only_the_data_given_and_pushes(v3: V3Client, template_id: str) -> None:
    pass_id = created(v3, template_id)
    response = v3.patch(f"/pass/{pass_id}?async=false", json={"data": {"expirationDate": "2056-01-01 10:00",
                                                                        "firstname": "Grace"}})
    assert response.status_code == 200, response.json
    assert response.json["data"]["genericProperties"] == {"firstname": "Grace", "country": "Spain"}
    item = v3.get(f"/pass/{pass_id}").json["data"]
    assert item["expirationDate"] == "2056-01-01 10:00" and item["firstname"] == "Grace"
    assert item["country"] == "Spain" and item["userProvidedId"] == "member-1" and item["barcodeValue"] == "CODE-1"
    assert item["storedValue"] == 5 and item["bundleId"] == "b-1"
    assert stored_pass(pass_id).content["labelColor"] == "rgb(255, 0, 0)"
    assert pushes() == [[pass_id]]


def test_replace_removes_what_is_not_given_and_pushes(v3: V3Client, template_id: str) -> None:
    pass_id = created(v3, template_id)
    before = stored_pass(pass_id)
    response = v3.post(f"/pass/{pass_id}?async=false", json={"data": {"firstname": "Grace", "storedValue": 7}})
    assert response.status_code == 200, response.json
    item = v3.get(f"/pass/{pass_id}").json["data"]
    assert item["firstname"] == "Grace" and item["country"] is None
    assert item["userProvidedId"] == "" and item["expirationDate"] == "" and item["bundleId"] is None
    assert item["storedValue"] == 7
    assert item["barcodeValue"] == before.serial_number  # the barcode falls back to the serial
    after = stored_pass(pass_id)
    assert "labelColor" not in after.content and after.update_tag > before.update_tag
    assert pushes() == [[pass_id]]


def test_the_documented_update_example_sets_the_expiration_date(v3: V3Client, template_id: str) -> None:
    pass_id = created(v3, template_id)
    assert v3.patch(f"/pass/{pass_id}?async=false",
                    json={"data": {"expirationDate": "2055-12-31 00:00"}}).status_code == 200
    assert v3.get(f"/pass/{pass_id}").json["data"]["expirationDate"] == "2055-12-31 00:00"


def test_an_update_resending_the_create_data_keeps_the_template(v3: V3Client, account: Any,
                                                              template_id: str) -> None:
    pass_id = created(v3, template_id)
    other = make_template(account.id, "Other")
    response = v3.post(f"/pass/{pass_id}?async=false", json={"data": {"templateId": other, **FULL}})
    assert response.status_code == 200, response.json
    assert v3.get(f"/pass/{pass_id}").json["data"]["templateId"] == template_id


def test_the_update_examples_header_without_identifier_is_405_in_the_envelope(v3: V3Client) -> None:
    response = v3.patch("/pass", json={"data": {"expirationDate": "2055-12-31 00:00"}},
                        headers={"Content-Type": "application/JSON"})
    assert response.status_code == 405 and response.json["statusCode"] == 405 and response.json["data"] == []


def test_patch_clears_a_property_sent_empty(v3: V3Client, template_id: str) -> None:
    pass_id = created(v3, template_id)
    v3.patch(f"/pass/{pass_id}?async=false", json={"data": {"country": "", "expirationDate": None}})
    item = v3.get(f"/pass/{pass_id}").json["data"]
    assert item["country"] is None and item["expirationDate"] == "" and item["firstname"] == "Ada"


def test_async_update_is_done_by_the_job_and_followed_by_process(v3: V3Client, template_id: str,
                                                                  run_jobs: Any) -> None:
    pass_id = created(v3, template_id)
    response = v3.patch(f"/pass/{pass_id}", json={"data": {"firstname": "Grace"}})
    assert response.status_code == 200 and response.json["description"] == "Queued successfully"
    assert v3.get(f"/pass/{pass_id}").json["data"]["firstname"] == "Ada"
    run_jobs()
    assert v3.get(f"/pass/{pass_id}").json["data"]["firstname"] == "Grace"
    process = v3.get(response.json["data"]["process"].removeprefix("https://wallet.example.test/api/v3")).json
    assert process["data"]["status"] == "done" and process["data"]["processed"] == 1
    assert pushes() == [[pass_id]]


def test_update_refuses_a_taken_user_provided_id_when_enforced(v3: V3Client, template_id: str) -> None:
    first, second = created(v3, template_id), created(v3, template_id)
    v3.patch(f"/pass/{first}?async=false", json={"data": {"userProvidedId": "unique-1"}})
    refused = v3.patch(f"/pass/{second}?async=false",
                       json={"data": {"userProvidedId": "unique-1", "enforceUniqueUserProvidedId": True}})
    assert refused.status_code == 400
    # Its own id is no duplicate of itself.
    assert v3.patch(f"/pass/{first}?async=false", json={"data": {
        "userProvidedId": "unique-1", "enforceUniqueUserProvidedId": True}}).status_code == 200


def test_updating_an_unknown_pass_is_404(v3: V3Client) -> None:
    response = v3.patch("/pass/nope?async=false", json={"data": {"firstname": "Grace"}})
    assert response.status_code == 404 and response.json["errors"] == ["Object not found"]


def test_an_update_that_changes_nothing_keeps_the_tag_and_pushes_nothing(v3: V3Client, template_id: str,
                                                                          run_jobs: Any) -> None:
    pass_id = created(v3, template_id)
    tag_before = stored_pass(pass_id).update_tag

    assert v3.patch(f"/pass/{pass_id}?async=false", json={"data": {"firstname": "Ada"}}).status_code == 200
    assert v3.patch(f"/pass/{pass_id}", json={"data": {"firstname": "Ada"}}).status_code == 200  # async
    run_jobs()

    assert pushes() == [] and stored_pass(pass_id).update_tag == tag_before
    # storedValue lives beside the pass, not in what the devices get: no push either.
    assert v3.patch(f"/pass/{pass_id}?async=false", json={"data": {"storedValue": 9}}).status_code == 200
    assert pushes() == [] and v3.get(f"/pass/{pass_id}").json["data"]["storedValue"] == 9


def test_a_bulk_update_pushes_only_the_passes_it_changed(v3: V3Client, template_id: str, run_jobs: Any) -> None:
    ada, grace = created(v3, template_id), created(v3, template_id)
    v3.patch(f"/pass/{grace}?async=false", json={"data": {"firstname": "Grace"}})
    pushes_before = len(pushes())

    response = v3.patch("/pass/bulk", json={"data": {"firstname": "Grace"}, "filter": {"identifiers": [ada, grace]}})
    run_jobs()

    assert response.status_code == 202
    assert pushes()[pushes_before:] == [[ada]]
