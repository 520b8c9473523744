"""/api/v3/pass/{identifier}/revisions and restore, in v3's envelope and with v3's credentials."""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import func, select, update

from tests.v3.conftest import V3Client
from tests.v3.test_update_pass import created, pushes
from walletservice.db import transaction
from walletservice.models import Pass, PassRevision


def encoded(query: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(query).encode()).decode().rstrip("=")


def test_revisions_list_newest_first_and_restore_pushes(v3: V3Client, template_id: str, run_jobs) -> None:
    pass_id = created(v3, template_id)
    v3.patch(f"/pass/{pass_id}?async=false", json={"data": {"firstname": "Grace"}})
    v3.patch(f"/pass/{pass_id}", json={"data": {"firstname": "Hedy"}})  # async: a job makes the change
    run_jobs()

    listed = v3.get(f"/pass/{pass_id}/revisions")

    assert listed.status_code == 200, listed.json
    body = listed.json
    assert (body["success"], body["statusCode"], body["count"]) == (True, 200, 3)
    assert body["responseMetaData"] == {"resultsTotal": 3, "resultsThisPage": 3}
    assert [item["n"] for item in body["data"]] == [3, 2, 1]
    assert [item["values"]["fields"]["firstname"] for item in body["data"]] == ["Hedy", "Grace", "Ada"]
    assert body["data"][0]["route"].startswith("job v3_update_passes ")
    assert body["data"][0]["route"].endswith(" queued by PATCH /api/v3/pass/<identifier>")
    assert body["data"][1]["route"] == "PATCH /api/v3/pass/<identifier>"
    assert body["data"][1]["api_key_id"] and body["data"][1]["organization_id"]
    assert [item["n"] for item in v3.get(f"/pass/{pass_id}/revisions?page=2&pageSize=2").json["data"]] == [1]

    restored = v3.post(f"/pass/{pass_id}/revisions/1/restore")

    assert restored.status_code == 200, restored.json
    assert (restored.json["data"]["n"], restored.json["data"]["restored_from"]) == (4, 1)
    assert v3.get(f"/pass/{pass_id}").json["data"]["firstname"] == "Ada"
    assert pushes()[-1] == [pass_id]


def test_unknown_revision_or_another_organizations_pass_is_404_in_the_envelope(
        client, v3: V3Client, template_id: str, other_account) -> None:
    pass_id = created(v3, template_id)
    other = V3Client(client, other_account.api_key)

    for response in (v3.post(f"/pass/{pass_id}/revisions/2/restore"),
                     v3.post(f"/pass/{pass_id}/revisions/{2**40}/restore"),
                     other.get(f"/pass/{pass_id}/revisions"),
                     other.post(f"/pass/{pass_id}/revisions/1/restore")):
        assert response.status_code == 404
        assert response.json["success"] is False and response.json["errors"] == ["Object not found"]
    assert client.get(f"/api/v3/pass/{pass_id}/revisions").status_code == 401


# -- the values kept beside the content: userProvidedId, storedValue, bundleId, downloadPin... --

KEPT = {"userProvidedId": "member-1", "storedValue": 10.5, "bundleId": "order-1", "downloadPin": "1234",
        "eligibleValidationPlaces": ["North gate"], "groupingIdentifier": "g-1", "firstname": "Ada"}


def create(v3: V3Client, template_id: str, **data: Any) -> str:
    response = v3.post("/pass?async=false", json={"data": {"templateId": template_id, **data}})
    assert response.status_code == 200, response.json
    return str(response.json["data"]["identifier"])


def stored(pass_id: str) -> Pass:
    with transaction(write=False) as session:
        pass_ = session.get(Pass, pass_id)
        assert pass_ is not None
        return pass_


def revision_count(pass_id: str) -> int:
    with transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(PassRevision)
                                  .where(PassRevision.pass_id == pass_id)))


def test_revisions_keep_the_v3_values_and_a_restore_brings_them_back(v3: V3Client, template_id: str) -> None:
    pass_id = create(v3, template_id, **KEPT)
    issued = stored(pass_id)
    v3.patch(f"/pass/{pass_id}?async=false", json={"data": {"storedValue": 20}})  # the devices' pass is the same
    v3.post(f"/pass/{pass_id}?async=false", json={"data": {"firstname": "Grace"}})  # replace: the rest is removed
    assert stored(pass_id).user_provided_id is None and stored(pass_id).extra is None

    listed = v3.get(f"/pass/{pass_id}/revisions").json["data"]

    assert [item["n"] for item in listed] == [3, 2, 1]
    assert [(item["extra"] or {}).get("storedValue") for item in listed] == [None, 20, 10.5]
    assert listed[1]["update_tag"] == listed[2]["update_tag"]  # no new tag: nothing the device sees changed
    assert listed[2]["user_provided_id"] == "member-1"
    assert listed[2]["extra"] == {"storedValue": 10.5, "bundleId": "order-1", "downloadPinSet": True,
                                  "eligibleValidationPlaces": ["North gate"], "groupingIdentifier": "g-1"}

    restored = v3.post(f"/pass/{pass_id}/revisions/1/restore")

    assert restored.status_code == 200, restored.json
    view = v3.get(f"/pass/{pass_id}").json["data"]
    assert (view["userProvidedId"], view["storedValue"], view["bundleId"], view["firstname"]) == (
        "member-1", 10.5, "order-1", "Ada")
    assert view["eligibleValidationPlaces"] == ["North gate"] and view["groupingIdentifier"] == "g-1"
    assert stored(pass_id).extra == issued.extra  # the download PIN's hash too
    assert v3.get("/pass?query=" + encoded({"groups": [[{"field": "userProvidedId", "operator": "equals",
                                                         "value": ["member-1"]}]]})).json["count"] == 1


def test_restoring_a_user_provided_id_another_pass_has_now_is_409_and_changes_nothing(
        client, account, v3: V3Client, template_id: str) -> None:
    pass_id = create(v3, template_id, userProvidedId="member-1", firstname="Ada")
    v3.post(f"/pass/{pass_id}?async=false", json={"data": {"userProvidedId": "member-2", "firstname": "Grace"}})
    create(v3, template_id, userProvidedId="member-1")  # allowed: no enforceUniqueUserProvidedId
    revisions_before = revision_count(pass_id)

    refused = v3.post(f"/pass/{pass_id}/revisions/1/restore")
    refused_v2 = client.post(f"/v2/event_tickets/{template_id}/passes/{pass_id}/revisions/1/restore",
                             headers=account.basic)

    assert refused.status_code == 409 and refused.json["success"] is False
    assert refused.json["errors"][0].startswith("userProvidedId: revision 1 has userProvidedId 'member-1'")
    assert refused_v2.status_code == 409 and "userProvidedId" in json.dumps(refused_v2.get_json())
    assert revision_count(pass_id) == revisions_before
    view = v3.get(f"/pass/{pass_id}").json["data"]
    assert (view["userProvidedId"], view["firstname"]) == ("member-2", "Grace")
    assert v3.post(f"/pass/{pass_id}/revisions/2/restore").status_code == 200  # its own id: no clash


def test_restoring_into_a_bundle_that_filled_up_meanwhile_is_400(v3: V3Client, template_id: str) -> None:
    pass_id = create(v3, template_id, bundleId="order-9")
    v3.patch(f"/pass/{pass_id}?async=false", json={"data": {"bundleId": None}})
    for _ in range(10):
        create(v3, template_id, bundleId="order-9")

    refused = v3.post(f"/pass/{pass_id}/revisions/1/restore")

    assert refused.status_code == 400 and "bundleId 'order-9' has 10 passes already" in refused.json["errors"][0]
    assert stored(pass_id).extra is None


def test_a_revision_written_before_values_were_kept_leaves_them_as_they_are(v3: V3Client, template_id: str) -> None:
    pass_id = create(v3, template_id, userProvidedId="member-1", storedValue=3, firstname="Ada")
    v3.patch(f"/pass/{pass_id}?async=false", json={"data": {"firstname": "Grace", "storedValue": 4}})
    with transaction() as session:
        session.execute(update(PassRevision).where(PassRevision.pass_id == pass_id, PassRevision.n == 1)
                        .values(properties=None))

    restored = v3.post(f"/pass/{pass_id}/revisions/1/restore")

    assert restored.status_code == 200, restored.json
    view = v3.get(f"/pass/{pass_id}").json["data"]
    assert (view["firstname"], view["userProvidedId"], view["storedValue"]) == ("Ada", "member-1", 4)


def test_a_bulk_update_of_kept_values_only_writes_one_revision_per_pass(v3: V3Client, template_id: str,
                                                                        run_jobs) -> None:
    pass_ids = [create(v3, template_id, storedValue=1, firstname="Ada") for _ in range(3)]

    queued = v3.patch("/pass/bulk", json={"data": {"storedValue": 7}, "filter": {"identifiers": pass_ids}})
    assert queued.status_code == 202, queued.json
    run_jobs()

    for pass_id in pass_ids:
        listed = v3.get(f"/pass/{pass_id}/revisions").json["data"]
        assert [(item["n"], item["extra"]["storedValue"]) for item in listed] == [(2, 7), (1, 1)]
        assert listed[0]["route"].startswith("job v3_update_passes ")
        assert v3.post(f"/pass/{pass_id}/revisions/1/restore").status_code == 200
        assert v3.get(f"/pass/{pass_id}").json["data"]["storedValue"] == 1
