"""/api/v3/pass/{identifier}/revisions and restore, in v3's envelope and with v3's credentials."""

from __future__ import annotations

from tests.v3.conftest import V3Client
from tests.v3.test_update_pass import created, pushes


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
