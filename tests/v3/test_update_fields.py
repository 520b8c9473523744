"""Documented fields on the update paths: what replace removes (sync and async), images
fetched by an update, altitude kept, and the voided and firstDownloadedAt listed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import update

from tests.v3.conftest import V3Client
from tests.v3.test_create_pass import stored_pass
from tests.v3.test_image_fetch import fetching, image_server  # noqa: F401 - fixtures
from tests.v3.test_list_and_get import relative
from tests.v3.test_update_pass import pushes
from walletservice.db import transaction
from walletservice.models import Pass

PLACED = {"groupingIdentifier": "family-7", "relevantDate": "2054-06-01 19:30", "firstname": "Ada",
          "locations": [{"latitude": 48.1, "longitude": 11.5, "altitude": 520.5, "relevantText": "Hi",
                         "localizedRelevantText": {"es": "Hola"}}]}


def created(v3: V3Client, template_id: str, data: dict[str, Any]) -> str:
    response = v3.post("/pass?async=false", json={"data": {"templateId": template_id, **data}})
    assert response.status_code == 200, response.json
    return str(response.json["data"]["identifier"])


def assert_placement_removed(pass_id: str) -> None:
    pass_ = stored_pass(pass_id)
    for key in ("locations", "relevantDate", "groupingIdentifier", "localizations"):
        assert key not in pass_.content, key
    assert "groupingIdentifier" not in (pass_.extra or {})


def test_altitude_and_the_other_location_keys_reach_pass_json(v3: V3Client, template_id: str) -> None:
    pass_id = created(v3, template_id, PLACED)

    assert stored_pass(pass_id).content["locations"] == [
        {"latitude": 48.1, "longitude": 11.5, "altitude": 520.5, "relevantText": "Hi"}]


def test_replace_removes_locations_relevant_date_and_grouping(v3: V3Client, template_id: str) -> None:
    pass_id = created(v3, template_id, PLACED)
    assert {"locations", "relevantDate", "groupingIdentifier"} <= set(stored_pass(pass_id).content)

    response = v3.post(f"/pass/{pass_id}?async=false", json={"data": {"firstname": "Grace"}})

    assert response.status_code == 200, response.json
    assert_placement_removed(pass_id)
    item = v3.get(f"/pass/{pass_id}").json["data"]
    assert item["relevantDate"] == "" and item["groupingIdentifier"] is None and item["firstname"] == "Grace"


def test_patch_keeps_them(v3: V3Client, template_id: str) -> None:
    pass_id = created(v3, template_id, PLACED)

    assert v3.patch(f"/pass/{pass_id}?async=false", json={"data": {"firstname": "Grace"}}).status_code == 200

    content = stored_pass(pass_id).content
    assert content["groupingIdentifier"] == "family-7" and content["relevantDate"] == "2054-06-01T19:30:00Z"
    assert content["locations"][0]["altitude"] == 520.5 and content["localizations"] == {"es": {"Hi": "Hola"}}


def test_an_async_replace_removes_them_when_the_job_runs(v3: V3Client, template_id: str, run_jobs: Any) -> None:
    pass_id = created(v3, template_id, PLACED)

    response = v3.post(f"/pass/{pass_id}", json={"data": {"firstname": "Grace"}})

    assert response.status_code == 200 and response.json["description"] == "Queued successfully"
    assert "locations" in stored_pass(pass_id).content  # not before the job
    run_jobs()
    assert_placement_removed(pass_id)
    process = v3.get(relative(response.json["data"]["process"])).json["data"]
    assert process["status"] == "done" and process["processed"] == 1 and process["failed"] == 0
    assert pushes() == [[pass_id]]


def test_an_update_fetches_its_image_urls(v3: V3Client, template_id: str, image_server: str,  # noqa: F811
                                          fetching: Any) -> None:  # noqa: F811
    pass_id = created(v3, template_id, {})
    assert "logo" not in (stored_pass(pass_id).values.get("images") or {})

    response = v3.patch(f"/pass/{pass_id}?async=false", json={"data": {"urlToLogo": f"{image_server}/logo.png"}})

    assert response.status_code == 200, response.json
    logo = stored_pass(pass_id).values["images"]["logo"]
    assert stored_pass(pass_id).content["images"]["logo"] == logo
    refused = v3.patch(f"/pass/{pass_id}?async=false", json={"data": {"urlToLogo": f"{image_server}/page.html"}})
    assert refused.status_code == 400 and "not an image" in refused.json["errors"][0]
    assert stored_pass(pass_id).values["images"]["logo"] == logo  # a refused update changes nothing


def test_voided_and_first_download_are_listed(v3: V3Client, client: FlaskClient, template_id: str) -> None:
    kept, voided = created(v3, template_id, {}), created(v3, template_id, {})
    with transaction() as session:
        session.execute(update(Pass).where(Pass.id == voided).values(voided=True))
    listed = {item["identifier"]: item for item in v3.get("/pass").json["data"]}
    assert listed[kept]["voided"] is False and listed[voided]["voided"] is True
    assert listed[kept]["firstDownloadedAt"] is None

    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    assert client.get(f"/download/{stored_pass(kept).download_id}.pkpass").status_code == 200

    shown = v3.get(f"/pass/{kept}").json["data"]["firstDownloadedAt"]
    assert dt.datetime.strptime(shown, "%Y-%m-%d %H:%M:%S") >= before
