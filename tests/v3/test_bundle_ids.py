"""bundleId in the v3 answers: the bundle's link (downloadPage, bundleDownloadPage) on create,
update and get, and the limit of Apple's .pkpasses on every path that sets a bundleId."""

from __future__ import annotations

from typing import Any

from tests.v3.conftest import V3Client
from tests.v3.test_list_and_get import add_passes, relative

PUBLIC_URL = "https://wallet.example.test"


def create(v3: V3Client, data: dict[str, Any], *, sync: bool = True) -> dict[str, Any]:
    response = v3.post("/pass" + ("?async=false" if sync else ""), json={"data": data})
    assert response.status_code == 200, response.json
    return dict(response.json["data"])


def test_async_and_sync_creations_answer_the_same_bundle_link(v3: V3Client, template_id: str,
                                                              run_jobs: Any) -> None:
    queued = create(v3, {"templateId": template_id, "bundleId": "order-1234"}, sync=False)
    made = create(v3, {"templateId": template_id, "bundleId": "order-1234"})

    assert queued["bundleId"] == made["bundleId"] == "order-1234"
    assert queued["downloadPage"] == queued["bundleDownloadPage"] == made["downloadPage"]
    assert made["downloadPage"].startswith(f"{PUBLIC_URL}/b/")
    assert made["iPhoneUri"].startswith(f"{PUBLIC_URL}/download/")  # the pass's own .pkpass stays
    run_jobs()
    assert v3.get(f"/pass/{queued['identifier']}").json["data"]["bundleDownloadPage"] == made["downloadPage"]


def test_get_answers_the_bundle_id_and_link_and_keeps_the_pass_page(v3: V3Client, template_id: str) -> None:
    made = create(v3, {"templateId": template_id, "bundleId": "order-1234"})
    plain = create(v3, {"templateId": template_id})

    bundled = v3.get(f"/pass/{made['identifier']}").json["data"]
    alone = v3.get(f"/pass/{plain['identifier']}").json["data"]

    assert bundled["bundleId"] == "order-1234" and bundled["bundleDownloadPage"] == made["downloadPage"]
    assert bundled["linkToPassPage"].startswith(f"{PUBLIC_URL}/p/")
    assert alone["bundleId"] is None and alone["bundleDownloadPage"] is None
    assert alone["linkToPassPage"] == plain["downloadPage"]
    listed = v3.get("/pass?fields=identifier,bundleDownloadPage").json["data"]
    assert {item["identifier"]: item["bundleDownloadPage"] for item in listed} == {
        made["identifier"]: made["downloadPage"], plain["identifier"]: None}


def test_an_empty_bundle_id_is_no_bundle(v3: V3Client, template_id: str) -> None:
    made = create(v3, {"templateId": template_id, "bundleId": ""})

    assert made["bundleDownloadPage"] is None and made["downloadPage"].startswith(f"{PUBLIC_URL}/p/")


def test_replace_without_bundle_id_takes_the_pass_out(v3: V3Client, template_id: str) -> None:
    made = create(v3, {"templateId": template_id, "bundleId": "order-1234"})

    replaced = v3.post(f"/pass/{made['identifier']}?async=false", json={"data": {"firstname": "Ada"}}).json["data"]

    assert replaced["bundleId"] is None and replaced["bundleDownloadPage"] is None
    assert replaced["downloadPage"].startswith(f"{PUBLIC_URL}/p/")


def test_a_bulk_update_fills_a_bundle_to_ten_and_reports_the_rest(v3: V3Client, account: Any, template_id: str,
                                                                  run_jobs: Any) -> None:
    ids = add_passes(account.id, template_id, 11)

    response = v3.patch("/pass/bulk", json={"data": {"bundleId": "order-1234"}, "filter": {"identifiers": ids}})
    run_jobs()

    process = v3.get(relative(response.json["data"]["process"])).json["data"]
    assert process["processed"] == 11 and process["failed"] == 1
    assert "at most 10 passes" in process["errors"][0]["error"]
    bundled = [v3.get(f"/pass/{identifier}").json["data"]["bundleId"] for identifier in ids]
    assert bundled.count("order-1234") == 10


def test_a_voided_pass_leaves_room_in_its_bundle(v3: V3Client, account: Any, template_id: str) -> None:
    add_passes(account.id, template_id, 10, voided=True, extra={"bundleId": "order-1234"})

    made = create(v3, {"templateId": template_id, "bundleId": "order-1234"})

    assert made["bundleId"] == "order-1234"


def test_a_bundle_id_that_is_not_text_is_400_and_creates_nothing(v3: V3Client, template_id: str) -> None:
    for bundle_id in (42, ["order-1"], {"id": "order-1"}, "x" * 10_000):
        response = v3.post("/pass?async=false", json={"data": {"templateId": template_id, "bundleId": bundle_id}})
        assert response.status_code == 400, (bundle_id, response.json)
        assert any("bundleId" in error for error in response.json["errors"]), response.json
    assert v3.get("/pass").json["data"] == []
