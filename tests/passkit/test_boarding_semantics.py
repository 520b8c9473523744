"""The semantic boarding pass (iOS 26): Apple's required tags, air only, legacy fallback."""

from __future__ import annotations

import pytest

from walletservice.passkit import PassValidationError, build_pass_json
from walletservice.passkit.boarding_semantics import REQUIRED_TAGS

from .factories import make_design

FLIGHT = {
    "airlineCode": "EX", "flightNumber": 123, "departureAirportCode": "VIE", "departureCityName": "Vienna",
    "departureLocationTimeZone": "Europe/Vienna", "destinationAirportCode": "LHR", "destinationCityName": "London",
    "destinationLocationTimeZone": "Europe/London", "originalBoardingDate": "2026-11-20T07:25:00+01:00",
    "originalDepartureDate": "2026-11-20T08:05:00+01:00", "originalArrivalDate": "2026-11-20T09:35:00+00:00",
    "passengerName": {"givenName": "Ada", "familyName": "Lovelace"},
}


def design(**overrides):
    return make_design("boardingPass", **{"preferredStyleSchemes": ["semanticBoardingPass"], "semantics": FLIGHT,
                                          **overrides})


def problems(identity, **overrides) -> list[str]:
    with pytest.raises(PassValidationError) as raised:
        build_pass_json(design(**overrides), identity)
    return raised.value.problems


def test_the_legacy_boarding_pass_follows_as_the_fallback_with_its_fields(identity):
    pass_json = build_pass_json(design(), identity)

    assert pass_json["preferredStyleSchemes"] == ["semanticBoardingPass", "boardingPass"]
    assert pass_json["boardingPass"]["transitType"] == "PKTransitTypeAir"
    assert pass_json["boardingPass"]["primaryFields"]
    assert pass_json["semantics"] == FLIGHT


def test_the_required_tags_are_apples_list():
    assert set(REQUIRED_TAGS) == set(FLIGHT)


@pytest.mark.parametrize("tag", REQUIRED_TAGS)
def test_each_missing_required_tag_is_named(identity, tag):
    semantics = {key: value for key, value in FLIGHT.items() if key != tag}

    assert problems(identity, semantics=semantics) == [f"semantics.{tag} is required for a semanticBoardingPass"]


@pytest.mark.parametrize(("tag", "value", "expected"), [
    ("flightNumber", "EX123", "semantics.flightNumber: 'EX123' must be the number of the flight code, e.g. 123 for EX123"),
    ("departureLocationTimeZone", "CET+1", "semantics.departureLocationTimeZone: 'CET+1' is not an IANA time zone"),
    ("destinationLocationTimeZone", "../etc/passwd", "semantics.destinationLocationTimeZone: '../etc/passwd' is not"),
    ("originalDepartureDate", "2026-11-20", "semantics.originalDepartureDate: '2026-11-20'"),
    ("airlineCode", " ", "semantics.airlineCode: must be a non-empty string"),
    ("passengerName", "Ada Lovelace", "semantics.passengerName: must be an object of name parts"),
])
def test_a_malformed_required_tag_is_named(identity, tag, value, expected):
    found = problems(identity, semantics={**FLIGHT, tag: value})

    assert len(found) == 1 and found[0].startswith(expected)


def test_only_airline_boarding_passes_may_ask_for_the_semantic_style(identity):
    assert problems(identity, transitType="train") == [
        "boardingPass.transitType: must be PKTransitTypeAir for a semanticBoardingPass "
        "(Apple: airline boarding passes only)"]


def test_without_the_scheme_the_tags_are_not_required(identity):
    pass_json = build_pass_json(make_design("boardingPass", semantics={"airlineCode": "EX"}), identity)

    assert "preferredStyleSchemes" not in pass_json


def test_the_ios_26_boarding_tags_are_known(identity):
    extra = {"boardingZone": "3", "ticketFareClass": "Economy", "membershipProgramStatus": "Gold",
             "passengerCapabilities": ["PKPassengerCapabilityPriorityBoarding"],
             "passengerEligibleSecurityPrograms": ["PKTransitSecurityProgramTSAPreCheck"],
             "departureLocationSecurityPrograms": ["PKTransitSecurityProgramTSAPreCheck"],
             "destinationLocationSecurityPrograms": ["PKTransitSecurityProgramCLEAR"],
             "internationalDocumentsAreVerified": True, "internationalDocumentsVerifiedDeclarationName": "DOCS OK",
             "loungePlaceIDs": ["I1234"], "passengerAirlineSSRs": ["XYZ"], "passengerInformationSSRs": ["INFT"],
             "passengerServiceSSRs": ["WCHR"]}

    assert build_pass_json(design(semantics={**FLIGHT, **extra}), identity)["semantics"]["boardingZone"] == "3"
