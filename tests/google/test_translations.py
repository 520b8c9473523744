"""Every Google field that takes a LocalizedString carries the pass.strings translations: event
seat labels and seat info, flight airports, loyalty points label, image descriptions and push
messages; checked in the mapping and in the requests the stand-in received."""

from __future__ import annotations

from tests.google.conftest import ISSUER_ID
from tests.google.test_mapping import design, mapped
from tests.google.test_sync import create_campaign, issue_pass, run_jobs
from walletservice.db import transaction
from walletservice.models import Campaign

GERMAN = {"de": {"SEAT": "PLATZ", "SECTION": "BEREICH", "Balcony": "Balkon", "Doors open at 7": "Einlass um 7",
                 "Toy Town": "Spielzeugstadt", "LISBON": "LISSABON", "POINTS": "PUNKTE",
                 "Toy Town pass": "Spielzeugstadt-Pass"}}


def german(localized_string: dict) -> str | None:
    for entry in localized_string.get("translatedValues", []):
        if entry["language"] == "de":
            return entry["value"]
    return None


def test_event_ticket_seat_labels_and_seat_info_are_translated():
    content = design("eventTicket", localizations=GERMAN,
                     primaryFields=[{"key": "seat", "label": "SEAT", "value": "12"}],
                     secondaryFields=[{"key": "section", "label": "SECTION", "value": "Balcony"}])
    _kind, klass, obj = mapped(content)

    assert german(klass["customSeatLabel"]) == "PLATZ"
    assert german(klass["customSectionLabel"]) == "BEREICH"
    assert "customRowLabel" not in klass  # no field keyed row
    assert german(obj["seatInfo"]["section"]) == "Balkon"
    assert obj["seatInfo"]["seat"] == {"defaultValue": {"language": "en", "value": "12"}}


def test_flight_airports_take_the_translated_field_labels():
    content = design("boardingPass", transitType="PKTransitTypeAir", relevantDate="2030-05-01T08:15:00Z",
                     localizations=GERMAN, headerFields=[{"key": "flight", "label": "FLIGHT", "value": "TP1350"}],
                     primaryFields=[{"key": "origin", "label": "LISBON", "value": "LIS"},
                                    {"key": "destination", "label": "LONDON", "value": "LHR"}],
                     secondaryFields=[{"key": "passenger", "label": "PASSENGER", "value": "Ada"}])
    _kind, klass, _obj = mapped(content)

    assert klass["origin"]["airportIataCode"] == "LIS"
    assert german(klass["origin"]["airportNameOverride"]) == "LISSABON"
    assert klass["destination"]["airportNameOverride"] == {"defaultValue": {"language": "en", "value": "LONDON"}}


def test_loyalty_points_label_and_image_descriptions_are_translated():
    content = design("storeCard", localizations=GERMAN,
                     primaryFields=[{"key": "points", "label": "POINTS", "value": 120}])
    _kind, klass, obj = mapped(content)

    assert obj["loyaltyPoints"]["label"] == "POINTS"  # Google's plain field keeps the text
    assert german(obj["loyaltyPoints"]["localizedLabel"]) == "PUNKTE"
    # Apple's description is the pass's accessibility text, as contentDescription is Google's.
    assert german(klass["programLogo"]["contentDescription"]) == "Spielzeugstadt-Pass"
    assert german(klass["heroImage"]["contentDescription"]) == "Spielzeugstadt-Pass"


def test_the_stand_in_receives_translated_seat_labels_seat_info_and_messages(
        google_app, client, account, icon, google_sim):
    campaign = create_campaign(client, account, "event_tickets", icon, secondary_fields=[
        {"key": "section", "label": "SECTION", "value": "Balcony"}])
    with transaction() as session:
        stored = session.get(Campaign, campaign["id"])
        stored.design = {**stored.design, "localizations": GERMAN}
    pass_ = issue_pass(client, account, "event_tickets", campaign["id"])
    run_jobs(google_app)
    push = f"/v2/event_tickets/{campaign['id']}/passes/{pass_['id']}/push"
    assert client.post(push, json={"pass": {"push_message": "Doors open at 7"}},
                       headers=account.basic).status_code == 202
    run_jobs(google_app)

    [class_insert] = google_sim.requests("POST", "eventTicketClass")
    assert german(class_insert.body["customSeatLabel"]) == "PLATZ"
    [object_insert] = [record for record in google_sim.requests("POST", "eventTicketObject")
                       if record.resource_id is None]
    assert german(object_insert.body["seatInfo"]["section"]) == "Balkon"
    [message] = [record.body["message"] for record in google_sim.requests("POST", "eventTicketObject")
                 if record.resource_id == f"{ISSUER_ID}.p-{pass_['id']}/addMessage"]
    assert message["body"] == "Doors open at 7"
    assert german(message["localizedBody"]) == "Einlass um 7"
    assert german(message["localizedHeader"]) == "Spielzeugstadt"
