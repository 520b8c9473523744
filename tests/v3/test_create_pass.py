"""POST /api/v3/pass: the documented fields, async and sync, unique userProvidedId."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from werkzeug.security import check_password_hash

from tests.v3.conftest import V3Client
from walletservice.db import transaction
from walletservice.models import BackgroundJob, Pass


def stored_pass(identifier: str) -> Pass:
    with transaction(write=False) as session:
        pass_ = session.get(Pass, identifier)
        assert pass_ is not None
        session.expunge(pass_)
        return pass_


def create(v3: V3Client, data: dict[str, Any], *, sync: bool = True) -> Any:
    return v3.post("/pass" + ("?async=false" if sync else ""), json={"data": data})


def test_the_documented_example_request_creates_a_pass_with_localized_relevance(
        v3: V3Client, template_id: str) -> None:
    response = create(v3, {
        "templateId": template_id, "emailRecipient": "my@example.com",
        "locations": [{"latitude": 48.395856, "longitude": 11.2060708, "relevantText": "Default Notification",
                       "localizedRelevantText": {"en": "English Notification", "es": "Spanish Notification"}}],
    })
    assert response.status_code == 200, response.json
    body = response.json
    assert body["success"] is True and body["statusCode"] == 200 and body["count"] == 1
    assert body["errors"] == [] and body["description"] == "Pass has been created."
    data = body["data"]
    assert set(data) >= {"identifier", "bundleId", "downloadPage", "barcodeValue", "iPhoneUri", "genericProperties"}
    pass_ = stored_pass(data["identifier"])
    assert data["barcodeValue"] == pass_.serial_number  # no barcodeValue given: the serial
    assert data["iPhoneUri"] == f"https://wallet.example.test/download/{pass_.download_id}.pkpass"
    assert data["downloadPage"] == f"https://wallet.example.test/p/{pass_.download_id}"
    assert pass_.content["locations"] == [{"latitude": 48.395856, "longitude": 11.2060708,
                                           "relevantText": "Default Notification"}]
    assert pass_.content["localizations"] == {"en": {"Default Notification": "English Notification"},
                                              "es": {"Default Notification": "Spanish Notification"}}


def test_every_documented_field_lands_on_the_pass(v3: V3Client, template_id: str) -> None:
    response = create(v3, {
        "templateId": template_id, "userProvidedId": "member-1", "barcodeValue": "3897897988979823497234",
        "groupingIdentifier": "family-7", "expirationDate": "2055-12-31 00:00", "relevantDate": "2054-06-01 19:30",
        "labelColor": "#ff0000", "foregroundColor": "#00ff00", "backgroundColor": "not a color",
        "locations": [{"latitude": 1.5, "longitude": 2.5, "maxDistance": 5000},
                      {"latitude": 3, "longitude": 4, "maxDistance": 50}],
        "storedValue": 12.5, "eligibleValidationPlaces": ["North gate"], "downloadPin": "1234",
        "bundleId": "bundle-1",
        "phoneRecipient": "+4912345", "firstname": "Ada", "Country": "Spain", "age": 61,
    })
    assert response.status_code == 200, response.json
    data = response.json["data"]
    assert data["barcodeValue"] == "3897897988979823497234" and data["bundleId"] == "bundle-1"
    assert data["genericProperties"] == {"firstname": "Ada", "country": "Spain", "age": 61}
    pass_ = stored_pass(data["identifier"])
    assert pass_.user_provided_id == "member-1"
    stored_pin = pass_.extra.pop("downloadPin")
    assert stored_pin.startswith("scrypt:") and check_password_hash(stored_pin, "1234")  # never in plain text
    assert pass_.extra == {"groupingIdentifier": "family-7", "storedValue": 12.5,
                           "eligibleValidationPlaces": ["North gate"], "bundleId": "bundle-1"}
    content = pass_.content
    assert content["groupingIdentifier"] == "family-7"  # an event ticket: it groups
    assert content["expirationDate"] == "2055-12-31T00:00:00Z" and content["relevantDate"] == "2054-06-01T19:30:00Z"
    assert content["labelColor"] == "rgb(255, 0, 0)" and content["foregroundColor"] == "rgb(0, 255, 0)"
    assert content["backgroundColor"] == "rgb(10, 20, 30)"  # invalid: dropped, the template's stays
    assert content["maxDistance"] == 1000  # the largest asked, capped at Apple's event ticket limit
    fields = {field["key"]: field["value"] for field in content["secondaryFields"] + content["auxiliaryFields"]}
    assert fields == {"firstname": "Ada", "country": "Spain", "age": 61}


def test_async_create_answers_the_identifier_at_once_and_the_job_creates_the_pass(
        v3: V3Client, template_id: str, run_jobs: Any) -> None:
    response = create(v3, {"templateId": template_id, "firstname": "Ada"}, sync=False)
    assert response.status_code == 200, response.json
    data = response.json["data"]
    assert data["barcodeValue"] is None  # not known before the job runs (documented)
    assert data["genericProperties"] == {"firstname": "Ada"}
    assert v3.get(f"/pass/{data['identifier']}").status_code == 404
    run_jobs()
    shown = v3.get(f"/pass/{data['identifier']}").json["data"]
    assert shown["firstname"] == "Ada"
    assert data["iPhoneUri"].endswith(stored_pass(data["identifier"]).download_id + ".pkpass")
    process = v3.get(data["process"].removeprefix("https://wallet.example.test/api/v3")).json["data"]
    assert process["status"] == "done" and process["processed"] == 1 and process["failed"] == 0


def test_enforced_unique_user_provided_id_refuses_a_duplicate_with_400(v3: V3Client, template_id: str) -> None:
    first = create(v3, {"templateId": template_id, "userProvidedId": "member-1"})
    assert first.status_code == 200
    duplicate = create(v3, {"templateId": template_id, "userProvidedId": "member-1",
                            "enforceUniqueUserProvidedId": True})
    assert duplicate.status_code == 400
    assert duplicate.json["success"] is False and "already used" in duplicate.json["errors"][0]
    async_duplicate = create(v3, {"templateId": template_id, "userProvidedId": "member-1",
                                  "enforceUniqueUserProvidedId": True}, sync=False)
    assert async_duplicate.status_code == 400
    # Without the flag a duplicate is allowed ("should be unique").
    assert create(v3, {"templateId": template_id, "userProvidedId": "member-1"}).status_code == 200


def test_unique_user_provided_id_is_per_account(v3: V3Client, template_id: str, client: Any,
                                                other_account: Any) -> None:
    from tests.v3.conftest import make_template
    create(v3, {"templateId": template_id, "userProvidedId": "member-1"})
    other = V3Client(client, other_account.api_key)
    response = create(other, {"templateId": make_template(other_account.id), "userProvidedId": "member-1",
                              "enforceUniqueUserProvidedId": True})
    assert response.status_code == 200


def test_grouping_identifier_is_ignored_on_other_pass_styles(v3: V3Client, account: Any) -> None:
    from tests.v3.conftest import TEMPLATE_DESIGN, make_template
    coupon = make_template(account.id, "Coupon", {**TEMPLATE_DESIGN, "style": "coupon"})
    data = create(v3, {"templateId": coupon, "groupingIdentifier": "g"}).json["data"]
    assert "groupingIdentifier" not in stored_pass(data["identifier"]).content


def test_bad_input_answers_400_in_the_envelope_naming_the_problem(v3: V3Client, template_id: str) -> None:
    cases = [
        ({"firstname": "Ada"}, "templateId is required"),
        ({"templateId": "nope"}, "no such template"),
        ({"templateId": template_id, "shoeSize": 42}, "'shoeSize' is not an additional property"),
        ({"templateId": template_id, "event": "Other"}, "'event' is not an additional property"),  # fixed field
        ({"templateId": template_id, "expirationDate": "31.12.2055"}, "format Y-m-d H:i"),
        ({"templateId": template_id, "eligibleValidationPlaces": ["Back door"]}, "'Back door' is not a validation"),
        ({"templateId": template_id, "locations": [{"latitude": 91, "longitude": 0}]}, "data.locations.0.latitude"),
        ({"templateId": template_id, "storedValue": "lots"}, "data.storedValue"),
        ({"templateId": template_id, "urlToLogo": "https://img.example/logo.png"}, "fetching images from URLs is disabled"),
    ]
    for data, message in cases:
        response = create(v3, data)
        assert response.status_code == 400, (data, response.json)
        body = response.json
        assert body["success"] is False and body["statusCode"] == 400 and body["data"] == [] and body["count"] == 0
        assert any(message in error for error in body["errors"]), (message, body["errors"])
    with transaction(write=False) as session:
        assert session.scalars(select(Pass)).first() is None
        assert session.scalars(select(BackgroundJob)).first() is None


def test_additional_properties_are_accepted_by_name_case_insensitively(v3: V3Client, template_id: str) -> None:
    data = create(v3, {"templateId": template_id, "first NAME": "Ada"}).json["data"]
    assert data["genericProperties"] == {"firstname": "Ada"}


def test_hex_colors_without_a_hash_are_colors_and_short_ones_are_dropped(v3: V3Client, template_id: str) -> None:
    response = create(v3, {"templateId": template_id, "labelColor": "ff0000", "foregroundColor": "00FF00",
                           "backgroundColor": "bad"})
    assert response.status_code == 200, response.json
    content = stored_pass(response.json["data"]["identifier"]).content
    assert content["labelColor"] == "rgb(255, 0, 0)" and content["foregroundColor"] == "rgb(0, 255, 0)"
    assert content["backgroundColor"] == "rgb(10, 20, 30)"  # "bad" is dropped: the template's color stays


def test_a_fractional_max_distance_is_rounded_and_a_negative_one_refused(v3: V3Client, template_id: str) -> None:
    response = create(v3, {"templateId": template_id,
                           "locations": [{"latitude": 1.5, "longitude": 2.5, "maxDistance": 100.6}]})
    assert response.status_code == 200, response.json
    assert stored_pass(response.json["data"]["identifier"]).content["maxDistance"] == 101
    refused = create(v3, {"templateId": template_id,
                          "locations": [{"latitude": 1.5, "longitude": 2.5, "maxDistance": -1}]})
    assert refused.status_code == 400 and any("maxDistance" in error for error in refused.json["errors"])
    for method in ("post", "patch"):  # the bulk routes check locations the same way
        bulk = getattr(v3, method)("/pass/bulk", json={"data": {"locations": [
            {"latitude": 1, "longitude": 2, "maxDistance": "far"}]}, "filter": {"identifiers": ["x"]}})
        assert bulk.status_code == 400, bulk.json
