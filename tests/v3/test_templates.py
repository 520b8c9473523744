"""/api/v3/template (list, get, fields) and the template's validValidationPlaces, set with the
v2 campaign attribute valid_validation_places and enforced on eligibleValidationPlaces."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.api.conftest import error_text
from tests.v3.conftest import V3Client, make_template
from tests.v3.test_email_sendout import campaign, create_pass
from walletservice.db import transaction
from walletservice.models import Pass

PLACES = ["North gate", "South gate"]
FIELDS = {"primary_fields": [{"key": "firstname", "label": "First name", "behaviour": "dynamic"}],
          "secondary_fields": [{"key": "level", "label": "Level", "value": "Bronze", "behaviour": "dynamic"},
                               {"key": "venue", "label": "Venue", "value": "Arena", "behaviour": "fixed"}]}


def gala(client, account, **attributes) -> str:
    created = campaign(client, account, **{**FIELDS, **attributes})
    assert created.status_code == 201, created.get_json()
    return str(created.get_json()["id"])


def pass_count() -> int:
    with transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(Pass)))


def test_templates_are_listed_and_read_with_their_fields(v3: V3Client, client, account, app):
    template_id = gala(client, account, valid_validation_places=PLACES, sms_sendout={"text": "{downloadPage}"})
    create_pass(v3, template_id, firstname="Ada")

    listed = v3.get("/template")
    read = v3.get(f"/template/{template_id}")
    fields = v3.get(f"/template/{template_id}/fields")

    assert listed.status_code == 200 and listed.json["data"] == [{"identifier": template_id, "name": "Summer Gala"}]
    assert read.status_code == 200, read.json
    data = read.json["data"]
    assert (data["identifier"], data["name"], data["type"], data["numberOfCreatedPasses"]) == (
        template_id, "Summer Gala", "generic", 1)
    assert data["createPassUrl"] == app.config["WALLET_PUBLIC_URL"] + "/api/v3/pass"
    assert data["validValidationPlaces"] == PLACES
    assert (data["emailSendout"], data["smsSendout"], data["downloadPinEnabled"]) == (False, True, False)
    assert data["dynamicFields"] == {"additionalProperties": {"First name": "firstname", "Level": "level"}}
    assert fields.status_code == 200 and fields.json["count"] == 2
    assert fields.json["data"] == data["fields"] == [
        {"id": "firstname", "name": "First name", "type": "text", "section": "primaryFields", "defaultValue": None,
         "required": False},
        {"id": "level", "name": "Level", "type": "text", "section": "secondaryFields", "defaultValue": "Bronze",
         "required": False}]


def test_every_listed_field_is_accepted_by_id_and_by_name_when_creating_a_pass(v3: V3Client, client, account):
    template_id = gala(client, account)
    fields = v3.get(f"/template/{template_id}/fields").json["data"]

    by_id = create_pass(v3, template_id, **{field["id"]: "x" for field in fields})
    by_name = create_pass(v3, template_id, **{field["name"]: "y" for field in fields})
    fixed = create_pass(v3, template_id, venue="Somewhere else")

    assert by_id.status_code == 200 and by_id.json["data"]["genericProperties"] == {"firstname": "x", "level": "x"}
    assert by_name.status_code == 200 and by_name.json["data"]["genericProperties"] == {"firstname": "y",
                                                                                        "level": "y"}
    assert fixed.status_code == 400 and "'venue' is not an additional property" in error_text(fixed)


def test_another_accounts_template_is_404_and_credentials_are_required(v3: V3Client, client, account,
                                                                       other_account):
    template_id = gala(client, account)
    other = V3Client(client, other_account.api_key)

    for path in (f"/template/{template_id}", f"/template/{template_id}/fields", "/template/nope"):
        response = other.get(path)
        assert response.status_code == 404 and response.json["errors"] == ["Object not found"]
    assert other.get("/template").json["data"] == []
    assert client.get("/api/v3/template").status_code == 401


def test_valid_validation_places_set_through_v2_make_the_eligible_places_check_fire(v3: V3Client, client, account,
                                                                                   run_jobs):
    template_id = gala(client, account, valid_validation_places=PLACES)

    accepted = create_pass(v3, template_id, eligibleValidationPlaces=["North gate"])
    refused = [create_pass(v3, template_id, asynchronous=asynchronous, eligibleValidationPlaces=["North gate",
                                                                                                  "Back door"])
               for asynchronous in (False, True)]
    identifier = accepted.json["data"]["identifier"]
    refused_update = v3.patch(f"/pass/{identifier}?async=false", json={"data": {"eligibleValidationPlaces": ["X"]}})
    refused_bulk = v3.patch("/pass/bulk", json={"data": {"eligibleValidationPlaces": ["X"]},
                                                "filter": {"identifiers": [identifier]}})

    assert accepted.status_code == 200, accepted.json
    assert v3.get(f"/pass/{identifier}").json["data"]["eligibleValidationPlaces"] == ["North gate"]
    for response in refused:
        assert response.status_code == 400
        assert error_text(response) == "eligibleValidationPlaces: 'Back door' is not a validation place of the template"
    assert refused_update.status_code == 400 and "eligibleValidationPlaces" in error_text(refused_update)
    assert refused_bulk.status_code == 400 and f"validValidationPlaces of template {template_id}" in error_text(
        refused_bulk)
    run_jobs()
    assert pass_count() == 1

    cleared = client.patch(f"/v2/generics/{template_id}", json={"generic": {"valid_validation_places": None}},
                           headers=account.basic)
    assert cleared.status_code == 200 and cleared.get_json()["valid_validation_places"] is None
    assert create_pass(v3, template_id, eligibleValidationPlaces=["Back door"]).status_code == 200


def test_valid_validation_places_are_kept_by_a_v2_patch_that_does_not_name_them(client, account):
    template_id = gala(client, account, valid_validation_places=PLACES)
    path = f"/v2/generics/{template_id}"

    kept = client.patch(path, json={"generic": {"og_description": "Hello"}}, headers=account.basic)
    replaced = client.patch(path, json={"generic": {"valid_validation_places": ["Gate 7"]}}, headers=account.basic)

    assert kept.get_json()["valid_validation_places"] == PLACES
    assert replaced.get_json()["valid_validation_places"] == ["Gate 7"]


def test_places_stored_under_passcreators_name_read_as_the_attribute_and_move_to_it_on_save(v3: V3Client, client,
                                                                                          account):
    template_id = make_template(account.id)  # settings["validValidationPlaces"], as stored before the attribute
    path = f"/v2/event_tickets/{template_id}"

    assert client.get(path, headers=account.basic).get_json()["valid_validation_places"] == PLACES
    client.patch(path, json={"event_ticket": {"og_description": "Hello"}}, headers=account.basic)

    assert v3.get(f"/template/{template_id}").json["data"]["validValidationPlaces"] == PLACES
    refused = create_pass(v3, template_id, eligibleValidationPlaces=["Back door"])
    assert refused.status_code == 400


@pytest.mark.parametrize("places", ["North gate", [""], [42], ["x" * 256], [None]])
def test_malformed_valid_validation_places_are_422_naming_them(client, account, places):
    refused = campaign(client, account, valid_validation_places=places)

    assert refused.status_code == 422
    assert "valid_validation_places" in error_text(refused)
