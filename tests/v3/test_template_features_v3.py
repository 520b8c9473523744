"""Template-level defaults of Apple's current pass features on v3 (issue 18): set on the
template (a v2 campaign), answered by GET /api/v3/template/{id}, inherited by the template's
v3 passes, and replaced by a pass's own value."""

from __future__ import annotations

from tests.api.test_pass_features import CONCERT, VENUE, new_campaign
from tests.api.test_upcoming_events import AWAY_GAME, HOME_GAME
from tests.v3.conftest import V3Client
from tests.v3.test_pass_features_v3 import created_data, verified_pass_json

SEASON = [{**HOME_GAME, "images": {"venueMap": {"reuseExisting": True}}}, AWAY_GAME]


def season_template(client, account) -> str:  # type: ignore[no-untyped-def]
    return new_campaign(client, account, "event_tickets", {**CONCERT, "upcoming_events": SEASON,
                                                           "poster": {"eventLogoText": "Saison 2026"}})


def test_the_template_answers_its_defaults_in_apples_spelling(client, v3: V3Client, account):
    template_id = season_template(client, account)

    data = v3.get(f"/template/{template_id}").json["data"]

    assert data["semantics"] == VENUE
    assert data["preferredStyleSchemes"] == ["posterEventTicket"]
    assert data["upcomingPassInformation"][1] == AWAY_GAME
    assert data["relevantDates"][1] == {"date": "2026-11-20T18:30:00+01:00"}
    assert data["poster"] == {"eventLogoText": "Saison 2026"}
    assert data["nfc"] is None and data["boardingLinks"] is None


def test_a_v3_pass_inherits_the_templates_defaults_and_its_own_values_replace_them(client, v3: V3Client, account,
                                                                                  dev_ca_pem, tmp_path):
    template_id = season_template(client, account)
    inherited = created_data(v3, {"templateId": template_id})
    own_venue = {**VENUE, "venueName": "Stadtpark"}
    overridden = created_data(v3, {"templateId": template_id, "semantics": own_venue,
                                   "upcomingPassInformation": [AWAY_GAME]})

    template_pass = verified_pass_json(client, inherited, dev_ca_pem, tmp_path / "inherited")
    own_pass = verified_pass_json(client, overridden, dev_ca_pem, tmp_path / "overridden")
    assert template_pass["semantics"] == VENUE
    assert [entry["identifier"] for entry in template_pass["upcomingPassInformation"]] == [
        HOME_GAME["identifier"], AWAY_GAME["identifier"]]
    assert template_pass["preferredStyleSchemes"] == ["posterEventTicket", "eventTicket"]
    assert own_pass["semantics"] == own_venue
    assert own_pass["upcomingPassInformation"] == [AWAY_GAME]
    assert own_pass["preferredStyleSchemes"] == ["posterEventTicket", "eventTicket"]  # still the template's


def test_a_template_default_a_pass_breaks_is_refused_naming_the_key(client, v3: V3Client, account):
    template_id = season_template(client, account)

    response = v3.post("/pass?async=false", json={"data": {"templateId": template_id, "semantics": {"eventName": "X"}}})

    assert response.status_code == 400, response.json
    assert "semantics.venueName is required" in str(response.json)
