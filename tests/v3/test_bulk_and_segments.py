"""POST/PATCH /api/v3/pass/bulk by identifiers, segment and query; /process; /segment CRUD."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.v3.conftest import V3Client, make_template
from tests.v3.test_list_and_get import add_passes, relative
from tests.v3.test_update_pass import pushes
from walletservice.db import transaction
from walletservice.models import BackgroundJob, Campaign, Pass
from walletservice.services.passcreator import jobs as v3_jobs


def fields_of(pass_ids: list[str]) -> dict[str, dict[str, Any]]:
    with transaction(write=False) as session:
        return {pass_.id: pass_.values.get("fields") or {}
                for pass_ in session.scalars(select(Pass).where(Pass.id.in_(pass_ids)))}


def test_bulk_patch_by_identifiers_updates_and_pushes_them_and_reports_unknown_ones(
        v3: V3Client, account: Any, template_id: str, run_jobs: Any) -> None:
    ids = add_passes(account.id, template_id, 3, values={"fields": {"firstname": "Ada", "country": "Spain"}})
    response = v3.patch("/pass/bulk", json={"data": {"country": "Portugal"},
                                            "filter": {"identifiers": ids[:2] + ["missing-id"]}})
    assert response.status_code == 202, response.json
    assert response.json["description"] == "Queued successfully" and response.json["count"] == 2
    process_path = relative(response.json["data"]["process"])
    assert v3.get(process_path).json["data"]["status"] == "queued"
    run_jobs()
    assert fields_of(ids) == {ids[0]: {"firstname": "Ada", "country": "Portugal"},
                              ids[1]: {"firstname": "Ada", "country": "Portugal"},
                              ids[2]: {"firstname": "Ada", "country": "Spain"}}
    process = v3.get(process_path).json["data"]
    assert process["status"] == "done" and process["total"] == 2 and process["processed"] == 2
    assert process["failed"] == 1 and process["errors"] == [{"identifier": "missing-id", "error": "Object not found"}]
    assert [sorted(ids_) for ids_ in pushes()] == [sorted(ids[:2])]


def test_bulk_post_replaces_the_data_of_the_passes_a_query_selects(
        v3: V3Client, account: Any, template_id: str, run_jobs: Any) -> None:
    old = add_passes(account.id, template_id, 2, values={"fields": {"firstname": "Ada", "age": 70}})
    young = add_passes(account.id, template_id, 2, values={"fields": {"firstname": "Bob", "age": 20}})
    query = {"templateId": template_id, "groups": [[{"field": "age", "operator": "greaterThan", "value": [60]}]]}
    response = v3.post("/pass/bulk", json={"data": {"country": "Spain"}, "filter": {"query": query}})
    assert response.status_code == 202 and response.json["count"] == 2
    run_jobs()
    result = fields_of(old + young)
    assert all(result[pass_id] == {"country": "Spain"} for pass_id in old)  # replaced: the rest is gone
    assert all(result[pass_id]["firstname"] == "Bob" for pass_id in young)


def test_the_documented_bulk_example_runs_in_chunks(v3: V3Client, account: Any, template_id: str,
                                                    run_jobs: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(v3_jobs, "CHUNK_SIZE", 2)
    matching = add_passes(account.id, template_id, 5,
                          values={"fields": {"firstname": "Timothy", "country": "Germany", "age": 61}})
    add_passes(account.id, template_id, 1, values={"fields": {"firstname": "Marc", "country": "France"}})
    body = {"data": {"expirationDate": "2055-12-31 00:00"}, "filter": {"query": {
        "templateId": template_id, "groups": [
            [{"field": "firstname", "operator": "contains", "value": ["David", "Ray", "Timo"]},
             {"field": "country", "operator": "equals", "value": ["Germany"]},
             {"field": "age", "operator": "greaterThan", "value": [60]}],
            [{"field": "firstname", "operator": "contains", "value": ["Alex", "Marc"]},
             {"field": "country", "operator": "equals", "value": ["Spain"]}]]}}}
    response = v3.patch("/pass/bulk", json=body)
    assert response.json["count"] == 5
    run_jobs()
    process = v3.get(relative(response.json["data"]["process"])).json["data"]
    assert process["processed"] == 5 and process["failed"] == 0 and process["status"] == "done"
    assert len(pushes()) == 3  # one push per chunk of two
    listed = v3.get("/pass?fields=identifier,expirationDate").json["data"]
    assert {item["identifier"] for item in listed if item["expirationDate"] == "2055-12-31 00:00"} == set(matching)


def test_bulk_reports_passes_whose_template_lacks_a_property(
        v3: V3Client, account: Any, template_id: str, run_jobs: Any) -> None:
    from tests.v3.conftest import TEMPLATE_DESIGN
    plain_design = {**TEMPLATE_DESIGN, "secondaryFields": [], "auxiliaryFields": []}
    plain = add_passes(account.id, make_template(account.id, "Plain", plain_design), 1)
    fitting = add_passes(account.id, template_id, 1)
    response = v3.patch("/pass/bulk", json={"data": {"country": "Spain"}, "filter": {"identifiers": plain + fitting}})
    run_jobs()
    process = v3.get(relative(response.json["data"]["process"])).json["data"]
    assert process["failed"] == 1 and process["errors"][0]["identifier"] == plain[0]
    assert "not an additional property" in process["errors"][0]["error"]
    assert fields_of(fitting)[fitting[0]] == {"country": "Spain"}


def test_bulk_needs_a_filter_and_a_known_segment(v3: V3Client) -> None:
    assert v3.patch("/pass/bulk", json={"data": {"country": "Spain"}, "filter": {}}).status_code == 400
    assert v3.patch("/pass/bulk", json={"data": {"country": "Spain"}}).status_code == 400
    missing = v3.patch("/pass/bulk", json={"data": {}, "filter": {"segmentId": "nope"}})
    assert missing.status_code == 404 and missing.json["errors"] == ["Object not found"]


def test_segments_crud_and_use_as_segment_id(v3: V3Client, account: Any, template_id: str, run_jobs: Any) -> None:
    spain = add_passes(account.id, template_id, 2, values={"fields": {"country": "Spain"}})
    add_passes(account.id, template_id, 1, values={"fields": {"country": "France"}})
    query = {"groups": [[{"field": "country", "operator": "equals", "value": ["Spain"]}]]}
    created = v3.post("/segment", json={"name": "Spanish fans", "query": query})
    assert created.status_code == 200, created.json
    segment = created.json["data"]
    assert segment["name"] == "Spanish fans" and segment["query"] == query
    assert v3.get("/segment").json["data"] == [segment]
    assert v3.get(f"/segment/{segment['identifier']}").json["data"] == segment
    listed = v3.get(f"/pass?segmentId={segment['identifier']}").json["data"]
    assert {item["identifier"] for item in listed} == set(spain)
    bulk = v3.patch("/pass/bulk", json={"data": {"firstname": "Olé"}, "filter": {"segmentId": segment["identifier"]}})
    assert bulk.json["count"] == 2
    run_jobs()
    assert all(fields["firstname"] == "Olé" for fields in fields_of(spain).values())
    renamed = v3.patch(f"/segment/{segment['identifier']}", json={"name": "Fans in Spain"}).json["data"]
    assert renamed["name"] == "Fans in Spain" and renamed["query"] == query
    assert v3.put(f"/segment/{segment['identifier']}", json={"query": {"searchPhrase": "x"}}).json["data"][
        "query"] == {"searchPhrase": "x"}
    assert v3.delete(f"/segment/{segment['identifier']}").json["description"] == "Successfully deleted!"
    assert v3.get(f"/segment/{segment['identifier']}").status_code == 404


def test_segments_refuse_bad_queries_and_stay_in_their_account(v3: V3Client, client: Any,
                                                               other_account: Any) -> None:
    bad = v3.post("/segment", json={"name": "x", "query": {"groups": [[{"field": "shoe", "operator": "equals",
                                                                        "value": [1]}]]}})
    assert bad.status_code == 400 and "unknown field 'shoe'" in bad.json["errors"][0]
    assert v3.post("/segment", json={"query": {}}).status_code == 400
    segment = v3.post("/segment", json={"name": "mine", "query": {}}).json["data"]
    other = V3Client(client, other_account.api_key)
    assert other.get(f"/segment/{segment['identifier']}").status_code == 404
    assert other.get("/segment").json["data"] == []
    assert other.get(f"/pass?segmentId={segment['identifier']}").status_code == 404


def test_process_of_another_account_is_not_found(v3: V3Client, client: Any, other_account: Any,
                                                  account: Any, template_id: str) -> None:
    ids = add_passes(account.id, template_id, 1)
    process = relative(v3.patch("/pass/bulk", json={"data": {}, "filter": {"identifiers": ids}}).json["data"]["process"])
    assert V3Client(client, other_account.api_key).get(process).status_code == 404
    assert v3.get("/process/nope").json["errors"] == ["Object not found"]


def test_bulk_refuses_data_that_cannot_apply_before_queueing(v3: V3Client, account: Any, template_id: str) -> None:
    ids = add_passes(account.id, template_id, 2)
    cases = [({"expirationDate": "tomorrow"}, "format Y-m-d H:i"),
             ({"urlToLogo": "https://img.example/logo.png"}, "disabled on this server"),
             ({"userProvidedId": "same", "enforceUniqueUserProvidedId": True}, "more than one pass")]
    for data, message in cases:
        response = v3.patch("/pass/bulk", json={"data": data, "filter": {"identifiers": ids}})
        assert response.status_code == 400 and message in response.json["errors"][0], response.json
    with transaction(write=False) as session:
        assert session.scalars(select(BackgroundJob)).first() is None


def test_nul_anywhere_in_a_body_is_refused_before_it_reaches_the_database(v3: V3Client) -> None:
    # PostgreSQL's JSONB cannot hold \u0000, in keys or in values (found by the fuzzer).
    for data in ({"\x00": None}, {"groupingIdentifier": "a\x00b"}, {"list": [{"k": "\x00"}]}):
        response = v3.patch("/pass/bulk", json={"data": data, "filter": {"identifiers": ["x"]}})
        assert response.status_code == 400, data
        assert "NUL" in " ".join(response.get_json()["errors"])
    assert v3.patch("/pass/bulk", data='{"data": {"text": "\\\\u0000 is just text"}}',
                    content_type="application/json").status_code != 500


def jobs_queued() -> int:
    with transaction(write=False) as session:
        return len(session.scalars(select(BackgroundJob)).all())


@pytest.mark.parametrize("method", ["patch", "post"])
@pytest.mark.parametrize("by", ["identifiers", "query"])
def test_bulk_refuses_validation_places_outside_the_selected_passes_templates_and_queues_nothing(
        v3: V3Client, account: Any, template_id: str, method: str, by: str) -> None:
    gates = add_passes(account.id, template_id, 2, values={"fields": {"country": "Spain"}})
    east = make_template(account.id, "East wing")
    with transaction() as session:
        session.get(Campaign, east).settings = {"validValidationPlaces": ["East gate"]}
    east_passes = add_passes(account.id, east, 1, values={"fields": {"country": "France"}})

    def bulk(places: list[str], countries: list[str], ids: list[str]) -> Any:
        query = {"groups": [[{"field": "country", "operator": "equals", "value": countries}]]}
        given = {"identifiers": ids} if by == "identifiers" else {"query": query}
        return getattr(v3, method)("/pass/bulk", json={"data": {"eligibleValidationPlaces": places},
                                                         "filter": given})

    refused = bulk(["North gate", "Back door", "Side door"], ["Spain"], gates)
    assert refused.status_code == 400, refused.json
    assert refused.json["success"] is False and refused.json["data"] == [] and refused.json["count"] == 0
    assert refused.json["errors"] == [f"eligibleValidationPlaces: 'Back door', 'Side door' not among the "
                                      f"validValidationPlaces of template {template_id}"]
    # Valid for one template of the selection is not enough: every selected pass's template must list it.
    spanning = bulk(["North gate"], ["Spain", "France"], gates + east_passes)
    assert spanning.status_code == 400 and f"'North gate' not among the validValidationPlaces of template {east}" \
        in spanning.json["errors"][0] and template_id not in spanning.json["errors"][0]
    assert jobs_queued() == 0
    accepted = bulk(["North gate", "South gate"], ["Spain"], gates)
    assert accepted.status_code == 202 and accepted.json["count"] == 2 and jobs_queued() == 1


def test_a_single_pass_update_with_an_unknown_validation_place_is_still_refused(
        v3: V3Client, account: Any, template_id: str) -> None:
    (pass_id,) = add_passes(account.id, template_id, 1)
    for method in ("patch", "post"):
        response = getattr(v3, method)(f"/pass/{pass_id}", json={"data": {"eligibleValidationPlaces": ["Back door"]}})
        assert response.status_code == 400
        assert response.json["errors"] == ["eligibleValidationPlaces: 'Back door' is not a validation place of "
                                           "the template"]
    assert jobs_queued() == 0
