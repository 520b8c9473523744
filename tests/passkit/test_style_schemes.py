"""preferredStyleSchemes: the poster event ticket, its semantic tags and the classic fallback."""

from __future__ import annotations

import pytest

from walletservice.passkit import PassValidationError, build_pass_json, validate_pass

from .factories import NFC_PUBLIC_KEY, make_design

VENUE = {"eventName": "Gala", "venueRegionName": "Hamburg"}


def build(identity, **design):
    return build_pass_json(make_design("eventTicket", **{"preferredStyleSchemes": ["posterEventTicket"], **design}),
                           identity)


def problems(identity, **design) -> list[str]:
    with pytest.raises(PassValidationError) as raised:
        build(identity, **design)
    return raised.value.problems


def test_the_classic_event_ticket_follows_the_poster_as_the_fallback(identity):
    pass_json = build(identity, semantics=VENUE)

    assert pass_json["preferredStyleSchemes"] == ["posterEventTicket", "eventTicket"]
    assert pass_json["eventTicket"]["primaryFields"]  # the classic layout is still written


def test_a_design_that_names_the_fallback_keeps_its_order(identity):
    pass_json = build_pass_json(make_design("eventTicket", preferredStyleSchemes=["eventTicket"]), identity)

    assert pass_json["preferredStyleSchemes"] == ["eventTicket"]


def test_any_one_venue_tag_is_enough(identity):
    for tag in ("venueName", "venueRegionName", "venueRoom"):
        build(identity, semantics={"eventName": "Gala", tag: "Hall"})


def test_without_semantics_every_required_tag_is_named(identity):
    assert problems(identity) == [
        "semantics.eventName is required for a posterEventTicket",
        "semantics.venueName is required (or venueRegionName or venueRoom) for a posterEventTicket",
    ]


def test_a_sports_poster_needs_both_team_abbreviations(identity):
    found = problems(identity, semantics={**VENUE, "eventType": "PKEventTypeSports", "awayTeamAbbreviation": "FCB"})

    assert found == ["semantics.homeTeamAbbreviation is required for a sports posterEventTicket "
                     "(eventType PKEventTypeSports)"]


def test_a_live_performance_poster_needs_performer_names(identity):
    found = problems(identity, semantics={**VENUE, "eventType": "PKEventTypeLivePerformance",
                                          "performerNames": ["", "  "]})

    assert found == ["semantics.performerNames is required (a list of names) for a live performance "
                     "posterEventTicket"]


def test_a_scheme_apple_does_not_list_is_a_problem(identity):
    found = problems(identity, preferredStyleSchemes=["posterGenericPass", "eventTicket"])

    assert found == ["preferredStyleSchemes[0]: 'posterGenericPass' is not one of posterEventTicket, eventTicket, "
                     "semanticBoardingPass, boardingPass"]


def test_the_semantic_boarding_pass_scheme_on_an_event_ticket_is_a_problem(identity):
    found = problems(identity, semantics=VENUE, preferredStyleSchemes=["semanticBoardingPass", "eventTicket"])

    assert found == ["preferredStyleSchemes[0]: semanticBoardingPass is for boardingPass passes, not eventTicket"]


def test_a_design_writes_a_repeated_scheme_once_and_pass_json_may_not_repeat_one(identity):
    pass_json = build(identity, semantics=VENUE, preferredStyleSchemes=["posterEventTicket", "posterEventTicket"])
    assert pass_json["preferredStyleSchemes"] == ["posterEventTicket", "eventTicket"]

    pass_json["preferredStyleSchemes"].append("eventTicket")
    with pytest.raises(PassValidationError) as raised:
        validate_pass(pass_json, ["icon.png", "artwork.png"])
    assert raised.value.problems == ["preferredStyleSchemes: lists a scheme twice"]


def test_nfc_on_a_poster_event_ticket_must_say_whether_it_requires_authentication(identity):
    # Pass Builder's EventTicketValidator: "NFC auth data is required", an error that blocks signing.
    nfc = {"message": "seat-42", "encryptionPublicKey": NFC_PUBLIC_KEY}
    assert problems(identity, semantics=VENUE, nfc=nfc) == [
        "nfc.requiresAuthentication is required (true or false) when a posterEventTicket carries nfc"]
    assert build(identity, semantics=VENUE, nfc={**nfc, "requiresAuthentication": False})["nfc"][
        "requiresAuthentication"] is False
    classic = build_pass_json(make_design("eventTicket", nfc=nfc), identity)
    assert "requiresAuthentication" not in classic["nfc"]
