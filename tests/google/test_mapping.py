"""Each campaign style as a Google class and object (google_wallet.mapping), checked against the
fields Google requires (the stand-in's schemas)."""

from __future__ import annotations

import pytest

from walletservice.google_sim.schemas import problems
from walletservice.google_wallet.mapping import MappingError, PassState, class_body, google_type, object_body

IMAGES = {"icon": "icon-asset", "logo": "logo-asset", "strip": "strip-asset"}


def url(asset_id: str) -> str:
    return f"https://wallet.example.test/google/images/{asset_id}.png"


def design(style: str, **extra) -> dict:
    return {"style": style, "organizationName": "Toy Town", "description": "Toy Town pass",
            "backgroundColor": "rgb(197, 31, 31)", "images": IMAGES,
            "barcode": {"format": "PKBarcodeFormatPDF417", "message": "TT-1", "altText": "TT 1"},
            "locations": [{"latitude": 38.7, "longitude": -9.1, "relevantText": "near"}], **extra}


def mapped(content: dict, state: PassState = PassState()) -> tuple[str, dict, dict]:
    kind = google_type(content)
    klass = class_body(content, issuer_name="Toy Town Ltd", image_url=url)
    obj = object_body(content, class_id="1.c", serial_number="S1", state=state, image_url=url)
    assert problems(f"{kind}Class", {**klass, "id": "1.c"}, "1") == []
    assert problems(f"{kind}Object", {**obj, "id": "1.o"}, "1") == []
    return kind, klass, obj


def test_store_card_is_a_loyalty_class_with_logo_colour_and_points():
    content = design("storeCard", logoText="Toy Club", primaryFields=[{"key": "points", "label": "POINTS", "value": 120}],
                     secondaryFields=[{"key": "name", "label": "MEMBER", "value": "Ada"}])
    kind, klass, obj = mapped(content)
    assert kind == "loyalty"
    assert klass["programName"] == "Toy Club"
    assert klass["programLogo"]["sourceUri"]["uri"] == url("logo-asset")
    assert klass["heroImage"]["sourceUri"]["uri"] == url("strip-asset")
    assert klass["hexBackgroundColor"] == "#c51f1f"
    assert klass["locations"] == [{"latitude": 38.7, "longitude": -9.1}]
    assert obj["loyaltyPoints"] == {"label": "POINTS", "balance": {"string": "120"}}
    assert (obj["accountId"], obj["accountName"], obj["state"]) == ("S1", "Ada", "ACTIVE")
    assert obj["barcode"] == {"type": "PDF_417", "value": "TT-1", "alternateText": "TT 1"}
    assert [module["id"] for module in obj["textModulesData"]] == ["points", "name"]


def test_event_ticket_is_an_event_ticket_with_date_and_seat():
    content = design("eventTicket", relevantDate="2027-05-01T20:00:00+01:00",
                     auxiliaryFields=[{"key": "seat", "label": "SEAT", "value": "12"},
                                      {"key": "row", "label": "ROW", "value": "F"}])
    kind, klass, obj = mapped(content)
    assert kind == "eventTicket"
    assert klass["eventName"]["defaultValue"]["value"] == "Toy Town pass"
    assert klass["dateTime"] == {"start": "2027-05-01T20:00:00+01:00"}
    assert obj["seatInfo"]["seat"]["defaultValue"]["value"] == "12"
    assert obj["seatInfo"]["row"]["defaultValue"]["value"] == "F"


def test_air_boarding_pass_is_a_flight_from_its_fields():
    content = design("boardingPass", transitType="PKTransitTypeAir", relevantDate="2027-05-01T08:15:00+01:00",
                     primaryFields=[{"key": "origin", "value": "LIS"}, {"key": "destination", "value": "LHR"}],
                     headerFields=[{"key": "flight", "label": "FLIGHT", "value": "TP1350"}],
                     secondaryFields=[{"key": "passenger", "label": "PASSENGER", "value": "Ada Lovelace"},
                                      {"key": "seat", "label": "SEAT", "value": "3A"}])
    kind, klass, obj = mapped(content)
    assert kind == "flight"
    assert klass["flightHeader"] == {"carrier": {"carrierIataCode": "TP"}, "flightNumber": "1350"}
    assert (klass["origin"], klass["destination"]) == ({"airportIataCode": "LIS"}, {"airportIataCode": "LHR"})
    assert klass["localScheduledDepartureDateTime"] == "2027-05-01T08:15:00"
    assert obj["passengerName"] == "Ada Lovelace"
    assert obj["reservationInfo"] == {"confirmationCode": "TT-1"}
    assert obj["boardingAndSeatingInfo"] == {"seatNumber": "3A"}


def test_a_flight_without_a_passenger_is_refused_with_the_reason():
    content = design("boardingPass", transitType="PKTransitTypeAir")
    with pytest.raises(MappingError, match="passenger"):
        object_body(content, class_id="1.c", serial_number="S1", state=PassState(), image_url=url)
    with pytest.raises(MappingError, match="origin and destination"):
        class_body(content, issuer_name="x", image_url=url)


def test_train_boarding_pass_is_generic():
    content = design("boardingPass", transitType="PKTransitTypeTrain",
                     primaryFields=[{"key": "from", "value": "Lisboa"}])
    kind, _klass, obj = mapped(content)
    assert kind == "generic"
    assert obj["header"]["defaultValue"]["value"] == "Lisboa"


def test_coupon_is_an_offer():
    content = design("coupon", primaryFields=[{"key": "off", "label": "OFF", "value": "20%"}])
    kind, klass, _obj = mapped(content)
    assert kind == "offer"
    assert (klass["title"], klass["provider"], klass["redemptionChannel"]) == ("20%", "Toy Town", "BOTH")
    assert klass["titleImage"]["sourceUri"]["uri"] == url("logo-asset")


def test_generic_carries_its_look_on_the_object():
    content = design("generic", primaryFields=[{"key": "member", "value": "Ada"}],
                     secondaryFields=[{"key": "since", "value": "2020"}])
    kind, klass, obj = mapped(content)
    assert kind == "generic"
    assert "hexBackgroundColor" not in klass
    assert obj["cardTitle"]["defaultValue"]["value"] == "Toy Town"
    assert (obj["header"]["defaultValue"]["value"], obj["subheader"]["defaultValue"]["value"]) == ("Ada", "2020")
    assert (obj["hexBackgroundColor"], obj["logo"]["sourceUri"]["uri"]) == ("#c51f1f", url("logo-asset"))


@pytest.mark.parametrize(("state", "expected"), [
    (PassState(voided=True), "INACTIVE"), (PassState(expired=True), "EXPIRED"),
    (PassState(redeemed=True, voided=True), "COMPLETED"), (PassState(), "ACTIVE"),
])
def test_voided_expired_and_redeemed_map_to_the_object_state(state, expected):
    assert mapped(design("coupon"), state)[2]["state"] == expected


def test_expiration_date_is_the_end_of_the_valid_time_interval():
    obj = mapped(design("coupon", expirationDate="2027-01-01T00:00:00+00:00"))[2]
    assert obj["validTimeInterval"] == {"end": {"date": "2027-01-01T00:00:00+00:00"}}


def test_a_barcode_format_of_none_sends_no_barcode():
    assert "barcode" not in mapped(design("coupon", barcode={"format": "none", "message": "x"}))[2]


LOCALIZATIONS = {"de": {"Toy Club": "Spielzeugklub", "POINTS": "PUNKTE", "Toy Town pass": "Spielzeugstadt-Pass"},
                 "pt_BR": {"POINTS": "PONTOS"}, "en": {"POINTS": "Points"}}


def test_pass_strings_become_googles_translated_values():
    content = design("storeCard", logoText="Toy Club", localizations=LOCALIZATIONS,
                     primaryFields=[{"key": "points", "label": "POINTS", "value": 120}])
    _kind, klass, obj = mapped(content)

    assert klass["programName"] == "Toy Club"  # Google's plain field keeps the text
    assert klass["localizedProgramName"] == {"defaultValue": {"language": "en", "value": "Toy Club"},
                                             "translatedValues": [{"language": "de", "value": "Spielzeugklub"}]}
    points = obj["textModulesData"][0]
    assert points["localizedHeader"] == {  # en's own table gives the default; pt_BR is pt-BR to Google
        "defaultValue": {"language": "en", "value": "Points"},
        "translatedValues": [{"language": "de", "value": "PUNKTE"}, {"language": "pt-BR", "value": "PONTOS"}]}
    assert "localizedBody" not in points  # 120 has no translation
    assert "localizedIssuerName" not in klass


def test_generic_and_event_strings_carry_translations():
    generic = design("generic", localizations=LOCALIZATIONS)
    event = design("eventTicket", localizations=LOCALIZATIONS)

    assert mapped(generic)[2]["header"]["translatedValues"] == [{"language": "de", "value": "Spielzeugstadt-Pass"}]
    assert mapped(event)[1]["eventName"]["translatedValues"] == [{"language": "de", "value": "Spielzeugstadt-Pass"}]
    assert "translatedValues" not in mapped(design("generic"))[2]["header"]


def test_an_image_given_only_per_language_reaches_google_as_the_english_one():
    # Google's Image holds one sourceUri: a `<lang>.lproj` logo cannot be sent per language.
    content = design("storeCard", images={"icon": "icon-asset"}, localized_images={
        "de": {"logo": "logo-de", "strip": "strip-de"}, "en": {"logo": "logo-en"}},
        localizations={"de": {"Toy Town pass": "Toy-Town-Karte"}})
    _, klass, _ = mapped(content)
    assert klass["programLogo"]["sourceUri"] == {"uri": url("logo-en")}
    assert klass["heroImage"]["sourceUri"] == {"uri": url("strip-de")}  # no English strip: the first language's
    assert klass["programLogo"]["contentDescription"]["translatedValues"] == [
        {"language": "de", "value": "Toy-Town-Karte"}]  # the description is translated per language


def test_a_top_level_image_wins_over_localized_ones():
    content = design("storeCard", localized_images={"en": {"logo": "logo-en"}})
    _, klass, _ = mapped(content)
    assert klass["programLogo"]["sourceUri"] == {"uri": url("logo-asset")}


def test_a_loyalty_logo_given_only_in_german_is_not_refused():
    content = design("storeCard", images={}, localized_images={"de": {"logo": "logo-de"}})
    _, klass, _ = mapped(content)
    assert klass["programLogo"]["sourceUri"] == {"uri": url("logo-de")}
