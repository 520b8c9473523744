"""The v3 column of docs/pass-format.md, from passes really built through /api/v3/pass:
a key is v3 when a v3 pass body changes it in pass.json."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from tests.factories import png_bytes
from tests.passkit.factories import NFC_PUBLIC_KEY
from tests.factories import BOARDING_DESIGN
from tests.passkit.test_pass_format import BOARDING_LINKS, POSTER_VALUES, UPCOMING_EVENT, _semantic_sample, key_values
from tests.web.test_bundles import assert_signed_pkpass
from tests.v3.conftest import TEMPLATE_DESIGN, V3Client, make_template
from walletservice.db import transaction
from walletservice.models import Organization
from walletservice.passkit.pass_format import PASS_KEYS, keys_where
from walletservice.services.assets import create_asset
from walletservice.passkit.validation import STYLES

# Differ between any two passes, whatever the body says (the barcode's text defaults to the pass's code).
PER_PASS = {"serialNumber", "authenticationToken", "barcode", "barcodes", "barcode.altText", "barcodes[].altText"}
EVERY_V3_VALUE: dict[str, Any] = {
    "groupingIdentifier": "family-7", "expirationDate": "2055-12-31 00:00", "relevantDate": "2054-06-01 19:30",
    "labelColor": "#ff0000", "foregroundColor": "#00ff00", "backgroundColor": "#0000ff",
    "locations": [{"latitude": 1.5, "longitude": 2.5, "altitude": 3.0, "relevantText": "Near", "maxDistance": 50}],
    "firstname": "Ada", "barcodeValue": "ADA-1",
    "relevantDates": [{"date": "2054-06-01 18:00"}, {"startDate": "2054-06-01 19:30", "endDate": "2054-06-01 23:00"}],
    # Every semantic tag: the poster scheme's required ones are among them.
    "semantics": {key.path.removeprefix("semantics."): _semantic_sample(key.type)
                  for key in PASS_KEYS if key.path.startswith("semantics.")},
    "preferredStyleSchemes": ["posterEventTicket"],
    # False: true would also set sharingProhibited (Apple's Pass.NFC), which a v3 body does not expose.
    "nfc": {"message": "member-42", "encryptionPublicKey": NFC_PUBLIC_KEY, "requiresAuthentication": False},
    "poster": POSTER_VALUES,
    "featuredActions": [{"identifier": "benefits", "type": "membershipBenefits", "url": "https://x.example.test/b"}],
}


def _changed_on_a_boarding_pass(client, v3: V3Client, account) -> set[str]:  # type: ignore[no-untyped-def]
    """The keys only a boarding pass takes (the airline links)."""
    template = make_template(account.id, "Flights", BOARDING_DESIGN)
    answers = [v3.post("/pass?async=false", json={"data": {"templateId": template, **extra}})
               for extra in ({}, {"boardingLinks": BOARDING_LINKS})]
    assert all(answer.status_code == 200 for answer in answers), answers[1].json
    before, after = (key_values(pass_json_of(client, answer.json["data"])) for answer in answers)
    return {path for path, values in after.items() if before.get(path) != values} - PER_PASS


def _changed_on_a_store_card(client, v3: V3Client, account) -> set[str]:  # type: ignore[no-untyped-def]
    """The switch only generic, store card and coupon passes take (the poster generic face)."""
    template = make_template(account.id, "Club", {**TEMPLATE_DESIGN, "style": "storeCard"})
    answers = [v3.post("/pass?async=false", json={"data": {"templateId": template, **extra}})
               for extra in ({}, {"posterGeneric": True})]
    assert all(answer.status_code == 200 for answer in answers), answers[1].json
    before, after = (key_values(pass_json_of(client, answer.json["data"])) for answer in answers)
    # Only top-level keys: the face's copied field lists add values to the <style> and <field> paths.
    return {path for path, values in after.items()
            if before.get(path) != values and not path.startswith("<")} - PER_PASS


def uploaded_asset(organization_id: str, asset_type: str = "strip") -> str:
    with transaction() as session:
        return create_asset(session, session.get(Organization, organization_id), asset_type, png_bytes((600, 200))).id


def pass_json_of(client, data: dict[str, Any]) -> dict[str, Any]:
    response = client.get(data["iPhoneUri"].removeprefix("https://wallet.example.test"))
    assert response.status_code == 200
    return json.loads(zipfile.ZipFile(io.BytesIO(response.data)).read("pass.json"))


def test_every_key_a_v3_body_changes_is_marked_v3_and_the_reverse(client, v3: V3Client, account):
    design = {key: value for key, value in TEMPLATE_DESIGN.items() if key != "backgroundColor"}
    template = make_template(account.id, design=design, with_background=True)
    bare = v3.post("/pass?async=false", json={"data": {"templateId": template, "firstname": "Bob"}})
    upcoming = [{**UPCOMING_EVENT, "images": {"headerImage": {"asset_id": uploaded_asset(account.id)},
                                              "venueMap": {"reuseExisting": True}}}]
    full = v3.post("/pass?async=false", json={"data": {"templateId": template, **EVERY_V3_VALUE,
                                                       "upcomingPassInformation": upcoming}})
    assert bare.status_code == full.status_code == 200, full.json
    before, after = (key_values(pass_json_of(client, answer.json["data"])) for answer in (bare, full))

    changed = {path for path, values in after.items() if before.get(path) != values} - PER_PASS
    if any(path.startswith("<field>.") for path in changed):  # their style dictionary and list change with them
        changed = {path for path in changed if path not in STYLES and not path.startswith("<style>.")}
    changed |= _changed_on_a_boarding_pass(client, v3, account)
    changed |= _changed_on_a_store_card(client, v3, account)

    assert sorted(changed - keys_where("v3")) == []
    assert sorted(keys_where("v3") - changed) == []


def test_a_v3_pass_sets_relevant_dates_and_older_ios_gets_the_earliest(client, v3: V3Client, template_id, dev_ca_pem,
                                                                          tmp_path):
    created = v3.post("/pass?async=false", json={"data": {"templateId": template_id, "relevantDates": [
        {"startDate": "2054-06-01 19:30", "endDate": "2054-06-01 23:00"}, {"date": "2054-06-01 18:00"}]}})
    assert created.status_code == 200, created.json
    response = client.get(created.json["data"]["iPhoneUri"].removeprefix("https://wallet.example.test"))

    assert_signed_pkpass(response.data, dev_ca_pem, tmp_path / "v3")
    pass_json = json.loads(zipfile.ZipFile(io.BytesIO(response.data)).read("pass.json"))
    assert pass_json["relevantDates"] == [{"startDate": "2054-06-01T19:30:00Z", "endDate": "2054-06-01T23:00:00Z"},
                                          {"date": "2054-06-01T18:00:00Z"}]
    assert pass_json["relevantDate"] == "2054-06-01T18:00:00Z"


@pytest.mark.parametrize(("relevant_dates", "named"), [
    ([{"when": "2054-06-01 18:00"}], "relevantDates[0].when is not a key"),
    ([{"date": "tomorrow"}], "relevantDates[0].date must be a date in the format Y-m-d H:i"),
    ([{"startDate": "2054-06-01 19:30", "endDate": "2054-06-01 19:00"}], "relevantDates[0].endDate"),
])
def test_bad_v3_relevant_dates_are_refused_naming_the_key(v3: V3Client, template_id, relevant_dates, named):
    response = v3.post("/pass?async=false", json={"data": {"templateId": template_id, "relevantDates": relevant_dates}})

    assert response.status_code in (400, 422), response.json
    assert named in json.dumps(response.json)
