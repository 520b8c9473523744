"""relevantDates (iOS 18) and the relevantDate fallback the builder writes for older iOS."""

from __future__ import annotations

import pytest

from walletservice.passkit import PassValidationError, build_pass_json

from .factories import make_design

INTERVAL = {"startDate": "2026-05-01T19:00+02:00", "endDate": "2026-05-01T23:00+02:00"}


def problems(identity, **design) -> list[str]:
    with pytest.raises(PassValidationError) as raised:
        build_pass_json(make_design("eventTicket", **design), identity)
    return raised.value.problems


def test_dates_are_written_in_wallets_form_and_the_earliest_becomes_relevant_date(identity):
    pass_json = build_pass_json(make_design("eventTicket", relevantDates=[
        INTERVAL, {"date": "2026-05-01T16:30Z"}]), identity)

    assert pass_json["relevantDates"] == [
        {"startDate": "2026-05-01T19:00:00+02:00", "endDate": "2026-05-01T23:00:00+02:00"},
        {"date": "2026-05-01T16:30:00Z"}]
    # 16:30Z is 18:30+02:00: earlier than the interval's start, whatever the zones.
    assert pass_json["relevantDate"] == "2026-05-01T16:30:00Z"


def test_a_relevant_date_the_design_sets_is_kept(identity):
    pass_json = build_pass_json(make_design("eventTicket", relevantDates=[INTERVAL],
                                            relevantDate="2026-04-30T12:00Z"), identity)

    assert pass_json["relevantDate"] == "2026-04-30T12:00:00Z"


def test_without_relevant_dates_no_relevant_date_is_invented(identity):
    assert "relevantDate" not in build_pass_json(make_design("eventTicket"), identity)


@pytest.mark.parametrize(("entries", "expected"), [
    ([{**INTERVAL, "endDate": INTERVAL["startDate"]}],
     "relevantDates[0].endDate: '2026-05-01T19:00:00+02:00' must be after startDate"),
    ([{"endDate": INTERVAL["endDate"]}], "relevantDates[0].startDate is required when endDate is set"),
    ([{"date": "2026-05-01T19:00Z", **INTERVAL}], "relevantDates[0]: has both date and startDate/endDate"),
    ([{"date": "tomorrow"}], "relevantDates[0].date: 'tomorrow' is not a date"),
    (["2026-05-01T19:00Z"], "relevantDates[0]: must be an object"),
    ([], "relevantDates: must be a non-empty list"),
    ([{"date": "2026-05-01T19:00Z"}] * 101, "relevantDates: at most 100 allowed, got 101"),
])
def test_each_broken_rule_is_a_problem_naming_the_key(identity, entries, expected):
    found = problems(identity, relevantDates=entries)

    assert any(problem.startswith(expected) for problem in found), found
