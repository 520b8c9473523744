"""build_pass_json: a design in Apple's key names becomes a checked pass.json."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from walletservice.passkit import STYLES, PassIdentity, PassValidationError, build_pass_json

from .factories import NFC_PUBLIC_KEY, P384_PUBLIC_KEY, PASS_TYPE_ID, TEAM_ID, make_design


def problems_for(design: dict, identity: PassIdentity) -> list[str]:
    with pytest.raises(PassValidationError) as caught:
        build_pass_json(design, identity)
    return caught.value.problems


@pytest.mark.parametrize("style", STYLES)
def test_every_style_builds_with_fields_inside_the_style_key(style, identity):
    pass_json = build_pass_json(make_design(style), identity)

    assert pass_json[style]["primaryFields"] == [{"key": "name", "label": "Name", "value": "Ada"}]
    assert "primaryFields" not in pass_json
    assert "style" not in pass_json
    assert pass_json["formatVersion"] == 1


def test_identity_keys_are_added(identity):
    pass_json = build_pass_json(make_design(), identity)

    assert pass_json["passTypeIdentifier"] == PASS_TYPE_ID
    assert pass_json["teamIdentifier"] == TEAM_ID
    assert pass_json["serialNumber"] == "SERIAL-0001"
    assert pass_json["webServiceURL"] == "https://wallet.example.com/passes"
    assert pass_json["authenticationToken"] == "a-token-of-at-least-16-chars"


@pytest.mark.parametrize("token, url", [(None, "https://wallet.example.com"), ("a" * 16, None)])
def test_web_service_keys_are_left_out_unless_both_are_given(token, url):
    identity = PassIdentity(PASS_TYPE_ID, TEAM_ID, "1", authentication_token=token, web_service_url=url)

    pass_json = build_pass_json(make_design(), identity)

    assert "webServiceURL" not in pass_json and "authenticationToken" not in pass_json


def test_short_authentication_token_is_rejected():
    identity = PassIdentity(PASS_TYPE_ID, TEAM_ID, "1", authentication_token="short", web_service_url="https://x.example")

    assert problems_for(make_design(), identity) == [
        "authenticationToken: must be a string of at least 16 characters"
    ]


@pytest.mark.parametrize("url", ["http://wallet.example.com", "ftp://wallet.example.com", "wallet.example.com"])
def test_web_service_url_must_be_https(url):
    identity = PassIdentity(PASS_TYPE_ID, TEAM_ID, "1", authentication_token="a" * 16, web_service_url=url)

    assert problems_for(make_design(), identity) == [
        f"webServiceURL: {url!r} must be an https URL (http only for localhost)"
    ]


@pytest.mark.parametrize("url", ["http://localhost:5000/", "http://127.0.0.1:8080/wallet"])
def test_plain_http_web_service_url_is_allowed_on_loopback_for_development(url):
    identity = PassIdentity(PASS_TYPE_ID, TEAM_ID, "1", authentication_token="a" * 16, web_service_url=url)

    assert build_pass_json(make_design(), identity)["webServiceURL"] == url


def test_output_key_order_does_not_depend_on_design_order(identity):
    design = make_design("coupon", backgroundColor="#000000", logoText="Logo", voided=False)
    reversed_design = dict(reversed(list(design.items())))

    first = build_pass_json(design, identity)
    second = build_pass_json(reversed_design, identity)

    assert json.dumps(first) == json.dumps(second)
    assert list(first)[:4] == ["formatVersion", "passTypeIdentifier", "teamIdentifier", "serialNumber"]


def test_building_does_not_change_the_design(identity):
    design = make_design(relevantDate=dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.timezone.utc), userInfo={"a": [1]})
    before = json.dumps(design, default=str, sort_keys=True)

    pass_json = build_pass_json(design, identity)
    pass_json["userInfo"]["a"].append(2)

    assert json.dumps(design, default=str, sort_keys=True) == before


# -- required and unknown keys --------------------------------------------------------

def test_missing_style_is_rejected(identity):
    assert problems_for(make_design(style=None), identity) == [
        "style is required (one of boardingPass, coupon, eventTicket, generic, storeCard)"
    ]


def test_unknown_style_is_rejected(identity):
    assert problems_for(make_design(style="ticket"), identity) == [
        "style: 'ticket' is not one of boardingPass, coupon, eventTicket, generic, storeCard"
    ]


def test_missing_organization_name_and_description_are_both_reported(identity):
    problems = problems_for(make_design(organizationName=None, description=None), identity)

    assert problems == ["organizationName is required", "description is required"]


def test_unknown_top_level_key_is_rejected_with_a_suggestion(identity):
    assert problems_for(make_design(backgroundColour="#fff"), identity) == [
        "backgroundColour: unknown key; did you mean backgroundColor?"
    ]


def test_identity_keys_in_a_design_are_rejected(identity):
    assert problems_for(make_design(serialNumber="X"), identity) == [
        "serialNumber: comes from the pass identity, not the design"
    ]


def test_a_style_key_in_a_design_points_to_the_style_value(identity):
    assert problems_for(make_design("coupon", coupon={"primaryFields": []}), identity) == [
        'coupon: set "style": "coupon" and put the field lists at the top level'
    ]


def test_non_string_description_is_rejected(identity):
    assert problems_for(make_design(description=42), identity) == ["description: must be a non-empty string"]


def test_all_problems_are_reported_not_just_the_first(identity):
    design = make_design(
        "boardingPass", transitType=None, backgroundColor="blue", locations=[{"latitude": 1, "longitude": 2}] * 11
    )

    problems = problems_for(design, identity)

    assert set(problems) == {
        "backgroundColor: 'blue' is not a color; use #rrggbb or rgb(r, g, b)",
        "boardingPass.transitType is required for boarding passes",
        "locations: at most 10 allowed, got 11",
    }
    assert "boardingPass.transitType is required for boarding passes" in str(
        pytest.raises(PassValidationError, build_pass_json, design, identity).value
    )


# -- transit type ---------------------------------------------------------------------

def test_boarding_pass_without_transit_type_is_rejected(identity):
    assert problems_for(make_design("boardingPass", transitType=None), identity) == [
        "boardingPass.transitType is required for boarding passes"
    ]


@pytest.mark.parametrize("given, expected", [
    ("air", "PKTransitTypeAir"), ("Boat", "PKTransitTypeBoat"), ("bus", "PKTransitTypeBus"),
    ("generic", "PKTransitTypeGeneric"), ("train", "PKTransitTypeTrain"), ("PKTransitTypeTrain", "PKTransitTypeTrain"),
])
def test_transit_type_accepts_short_and_apple_names(given, expected, identity):
    pass_json = build_pass_json(make_design("boardingPass", transitType=given), identity)

    assert pass_json["boardingPass"]["transitType"] == expected


def test_unknown_transit_type_is_rejected_once(identity):
    assert problems_for(make_design("boardingPass", transitType="plane"), identity) == [
        "boardingPass.transitType: 'plane' is not a transit type; use air|boat|bus|generic|train or PKTransitType…"
    ]


def test_transit_type_on_other_styles_is_rejected(identity):
    assert problems_for(make_design("coupon", transitType="air"), identity) == [
        "transitType: only boarding passes have a transit type"
    ]


# -- colors and dates -----------------------------------------------------------------

@pytest.mark.parametrize("given, expected", [
    ("#17bb52", "rgb(23, 187, 82)"), ("#FFF", "rgb(255, 255, 255)"), ("rgb(1,2,3)", "rgb(1, 2, 3)"),
    ("rgb( 10 , 20 , 30 )", "rgb(10, 20, 30)"),
])
def test_colors_are_written_as_rgb_triples(given, expected, identity):
    pass_json = build_pass_json(make_design(foregroundColor=given, backgroundColor=given, labelColor=given), identity)

    assert pass_json["foregroundColor"] == pass_json["backgroundColor"] == pass_json["labelColor"] == expected


@pytest.mark.parametrize("color", ["blue", "#12345", "rgb(256, 0, 0)", "rgba(1, 2, 3, 0.5)", 0xFFFFFF])
def test_values_that_are_not_colors_are_rejected(color, identity):
    [problem] = problems_for(make_design(backgroundColor=color), identity)

    assert problem == f"backgroundColor: {color!r} is not a color; use #rrggbb or rgb(r, g, b)"


@pytest.mark.parametrize("given, expected", [
    ("2025-06-01T19:30+02:00", "2025-06-01T19:30:00+02:00"),
    ("2025-06-01T19:30:15Z", "2025-06-01T19:30:15Z"),
    ("2025-06-01T19:30:15.250+00:00", "2025-06-01T19:30:15Z"),
    ("2025-06-01 19:30:00-0530", "2025-06-01T19:30:00-05:30"),
    (dt.datetime(2025, 6, 1, 19, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))), "2025-06-01T19:30:00+02:00"),
    (dt.datetime(2025, 6, 1, 19, 30, tzinfo=dt.timezone.utc), "2025-06-01T19:30:00Z"),
])
def test_dates_are_normalised(given, expected, identity):
    pass_json = build_pass_json(make_design(relevantDate=given, expirationDate=given), identity)

    assert pass_json["relevantDate"] == pass_json["expirationDate"] == expected


@pytest.mark.parametrize("given, reason", [
    ("2025-06-01", "is not a date; use an ISO-8601 date with hours, minutes and a time zone, e.g. 2025-06-01T19:30:00+02:00"),
    ("2025-06-01T19:30", "is not a date; use an ISO-8601 date with hours, minutes and a time zone, e.g. 2025-06-01T19:30:00+02:00"),
    ("2025-02-30T10:00Z", "is not a real date (day is out of range for month)"),
    (dt.datetime(2025, 6, 1, 19, 30), "has no time zone"),
])
def test_dates_without_time_or_zone_are_rejected(given, reason, identity):
    [problem] = problems_for(make_design(expirationDate=given), identity)

    assert problem == f"expirationDate: {given!r} {reason}"


# -- fields ---------------------------------------------------------------------------

def test_fields_whose_value_is_none_are_left_out(identity):
    design = make_design(secondaryFields=[{"key": "gate", "value": None}, {"key": "seat", "value": "12A"}],
                         backFields=[{"key": "terms", "value": None}])

    pass_json = build_pass_json(design, identity)

    assert pass_json["generic"]["secondaryFields"] == [{"key": "seat", "value": "12A"}]
    assert "backFields" not in pass_json["generic"]


def test_field_keys_come_out_in_a_fixed_order(identity):
    field = {"textAlignment": "PKTextAlignmentRight", "value": 3, "changeMessage": "Now %@", "key": "k", "label": "L"}

    pass_json = build_pass_json(make_design(headerFields=[field]), identity)

    assert list(pass_json["generic"]["headerFields"][0]) == ["key", "label", "value", "changeMessage", "textAlignment"]


def test_unknown_field_key_is_rejected(identity):
    design = make_design(secondaryFields=[{"key": "k", "value": "v", "lable": "Gate"}])

    assert problems_for(design, identity) == ["generic.secondaryFields[0].lable: unknown key; did you mean label?"]


def test_field_without_key_is_rejected(identity):
    assert problems_for(make_design(primaryFields=[{"value": "v"}]), identity) == [
        "generic.primaryFields[0].key is required"
    ]


def test_field_without_value_is_rejected(identity):
    assert problems_for(make_design(primaryFields=[{"key": "k"}]), identity) == [
        "generic.primaryFields[0].value is required"
    ]


@pytest.mark.parametrize("value", [["a"], {"a": 1}, True, float("nan"), 10 ** 400, -(10 ** 400)])
def test_field_value_must_be_a_string_number_or_date(value, identity):
    assert problems_for(make_design(primaryFields=[{"key": "k", "value": value}]), identity) == [
        "generic.primaryFields[0].value: must be a string, a number or an ISO-8601 date string"
    ]


def test_field_keys_must_be_unique_across_the_pass(identity):
    design = make_design(backFields=[{"key": "name", "value": "again"}])

    assert problems_for(design, identity) == [
        "generic.backFields[0].key: 'name' is already used by generic.primaryFields[0]; keys must be unique across the pass"
    ]


def test_change_message_without_placeholder_is_rejected(identity):
    design = make_design(primaryFields=[{"key": "gate", "value": "A1", "changeMessage": "Gate changed"}])

    assert problems_for(design, identity) == [
        "generic.primaryFields[0].changeMessage: must contain %@ (Wallet puts the new value there)"
    ]


def test_date_field_values_are_normalised(identity):
    design = make_design(secondaryFields=[
        {"key": "doors", "value": "2025-06-01T19:30+02:00", "dateStyle": "PKDateStyleShort"},
        {"key": "starts", "value": dt.datetime(2025, 6, 1, 20, 0, tzinfo=dt.timezone.utc)},
    ])

    fields = build_pass_json(design, identity)["generic"]["secondaryFields"]

    assert [field["value"] for field in fields] == ["2025-06-01T19:30:00+02:00", "2025-06-01T20:00:00Z"]


def test_date_styled_field_with_a_non_date_value_is_rejected(identity):
    design = make_design(secondaryFields=[{"key": "doors", "value": "soon", "timeStyle": "PKDateStyleShort"}])

    [problem] = problems_for(design, identity)

    assert problem.startswith("generic.secondaryFields[0].value: 'soon' is not a date;")


@pytest.mark.parametrize("key, value, expected", [
    ("dateStyle", "short", "'short' is not one of PKDateStyleNone, PKDateStyleShort, PKDateStyleMedium, PKDateStyleLong, PKDateStyleFull"),
    ("numberStyle", "PKNumberStyleMoney", "'PKNumberStyleMoney' is not one of PKNumberStyleDecimal, PKNumberStylePercent, PKNumberStyleScientific, PKNumberStyleSpellOut"),
    ("textAlignment", "left", "'left' is not one of PKTextAlignmentLeft, PKTextAlignmentCenter, PKTextAlignmentRight, PKTextAlignmentNatural"),
    ("currencyCode", "EURO", "'EURO' is not an ISO 4217 code such as EUR"),
    ("isRelative", "yes", "must be true or false"),
    ("label", 5, "must be a string"),
])
def test_field_option_values_are_checked(key, value, expected, identity):
    field = {"key": "k", "value": 12 if key != "dateStyle" else "2025-06-01T10:00Z", key: value}

    assert problems_for(make_design(secondaryFields=[field]), identity) == [
        f"generic.secondaryFields[0].{key}: {expected}"
    ]


def test_currency_code_is_upper_cased_and_needs_a_number(identity):
    ok = build_pass_json(make_design(secondaryFields=[{"key": "k", "value": 9.5, "currencyCode": "eur"}]), identity)
    assert ok["generic"]["secondaryFields"][0]["currencyCode"] == "EUR"

    design = make_design(secondaryFields=[{"key": "k", "value": "9.50", "currencyCode": "EUR"}])
    assert problems_for(design, identity) == ["generic.secondaryFields[0].value: must be a number when currencyCode is set"]


def test_text_alignment_is_not_allowed_on_primary_fields(identity):
    design = make_design(primaryFields=[{"key": "k", "value": "v", "textAlignment": "PKTextAlignmentLeft"}])

    assert problems_for(design, identity) == ["generic.primaryFields[0].textAlignment: is not allowed on primary or back fields"]


def fields(prefix: str, count: int) -> list[dict]:
    return [{"key": f"{prefix}{index}", "value": str(index)} for index in range(count)]


@pytest.mark.parametrize("style, list_name, limit", [
    ("generic", "headerFields", 3), ("generic", "primaryFields", 1), ("boardingPass", "primaryFields", 2),
    ("eventTicket", "secondaryFields", 4), ("coupon", "auxiliaryFields", 4), ("boardingPass", "auxiliaryFields", 5),
])
def test_field_counts_are_limited_per_style(style, list_name, limit, identity):
    assert build_pass_json(make_design(style, **{list_name: fields("f", limit)}), identity)

    assert problems_for(make_design(style, **{list_name: fields("f", limit + 1)}), identity) == [
        f"{style}.{list_name}: at most {limit} allowed on a {style}, got {limit + 1}"
    ]


@pytest.mark.parametrize("style", ["coupon", "storeCard", "generic"])
@pytest.mark.parametrize("barcode_format", ["qr", "aztec"])
def test_square_barcode_leaves_room_for_four_secondary_and_auxiliary_fields(style, barcode_format, identity):
    design = make_design(style, secondaryFields=fields("s", 3), auxiliaryFields=fields("a", 2),
                         barcode={"format": barcode_format, "message": "m"})

    assert problems_for(design, identity) == [
        f"{style}.secondaryFields: with a square (QR or Aztec) barcode a {style} has room for at most 4 "
        "secondary and auxiliary fields together, got 5"
    ]


def test_rectangular_barcode_keeps_separate_secondary_and_auxiliary_rows(identity):
    design = make_design("coupon", secondaryFields=fields("s", 4), auxiliaryFields=fields("a", 4),
                         barcode={"format": "pdf417", "message": "m"})

    assert build_pass_json(design, identity)["coupon"]["auxiliaryFields"]


def test_event_tickets_are_not_subject_to_the_shared_row_rule(identity):
    design = make_design("eventTicket", secondaryFields=fields("s", 4), auxiliaryFields=fields("a", 4),
                         barcode={"format": "qr", "message": "m"})

    assert build_pass_json(design, identity)


# -- other top-level keys -------------------------------------------------------------

@pytest.mark.parametrize("style", ["boardingPass", "eventTicket"])
def test_grouping_identifier_is_allowed_on_boarding_passes_and_event_tickets(style, identity):
    assert build_pass_json(make_design(style, groupingIdentifier="trip-1"), identity)["groupingIdentifier"] == "trip-1"


def test_grouping_identifier_is_rejected_on_other_styles(identity):
    assert problems_for(make_design("coupon", groupingIdentifier="g"), identity) == [
        "groupingIdentifier: is only allowed on boarding passes and event tickets"
    ]


def test_pass_through_keys_are_kept(identity):
    design = make_design(
        voided=True, sharingProhibited=True, suppressStripShine=False, associatedStoreIdentifiers=[123456789],
        appLaunchURL="app://open", userInfo={"customer": {"tier": "gold"}}, semantics={"eventName": "Gig"},
        maxDistance=50, nfc={"message": "hello", "encryptionPublicKey": NFC_PUBLIC_KEY}, logoText="Logo",
    )

    pass_json = build_pass_json(design, identity)

    for key in ("voided", "sharingProhibited", "suppressStripShine", "associatedStoreIdentifiers", "appLaunchURL",
                "userInfo", "semantics", "maxDistance", "nfc", "logoText"):
        assert pass_json[key] == design[key]


def test_nfc_that_requires_authentication_prohibits_sharing_unless_the_design_says(identity):
    nfc = {"message": "member-42", "encryptionPublicKey": NFC_PUBLIC_KEY, "requiresAuthentication": True}

    assert build_pass_json(make_design(nfc=nfc), identity)["sharingProhibited"] is True
    assert build_pass_json(make_design(nfc=nfc, sharingProhibited=False), identity)["sharingProhibited"] is False
    assert "sharingProhibited" not in build_pass_json(
        make_design(nfc={**nfc, "requiresAuthentication": False}), identity)


@pytest.mark.parametrize("key, value, expected", [
    ("voided", "no", "voided: must be true or false"),
    ("associatedStoreIdentifiers", ["123"], "associatedStoreIdentifiers: must be a list of numeric App Store ids"),
    ("appLaunchURL", "app://x", "appLaunchURL: requires associatedStoreIdentifiers"),
    ("maxDistance", -5, "maxDistance: -5 is not a positive number of metres"),
    ("userInfo", {"when": dt.date(2025, 1, 1)}, "userInfo: must be plain JSON (Object of type date is not JSON serializable)"),
    ("semantics", [], "semantics: must be an object"),
    ("nfc", {"message": "x" * 65, "encryptionPublicKey": NFC_PUBLIC_KEY}, "nfc.message: must be at most 64 bytes"),
    ("nfc", {"message": "é" * 33, "encryptionPublicKey": NFC_PUBLIC_KEY}, "nfc.message: must be at most 64 bytes"),
    ("nfc", {"message": "hi"}, "nfc.encryptionPublicKey is required (Base64 of a P-256 SubjectPublicKeyInfo)"),
    ("nfc", {"message": "\ud800", "encryptionPublicKey": NFC_PUBLIC_KEY},
     "nfc.message: must be valid Unicode text (it holds a lone surrogate)"),
    ("nfc", {"message": "hi", "encryptionPublicKey": "MDkw"},
     "nfc.encryptionPublicKey: must be the Base64 of an X.509 SubjectPublicKeyInfo (DER), as `nfc-key create` prints"),
    ("nfc", {"message": "hi", "encryptionPublicKey": P384_PUBLIC_KEY},
     "nfc.encryptionPublicKey: must be an elliptic-curve key on P-256 (secp256r1)"),
    ("nfc", {"message": "hi", "encryptionPublicKey": NFC_PUBLIC_KEY, "requiresAuthentication": "yes"},
     "nfc.requiresAuthentication: must be true or false"),
    ("nfc", {"message": "hi", "encryptionPublicKey": NFC_PUBLIC_KEY, "requireAuthentication": True},
     "nfc.requireAuthentication: unknown key; did you mean requiresAuthentication?"),
    ("logoText", 3, "logoText: must be a string"),
])
def test_top_level_value_types_are_checked(key, value, expected, identity):
    assert problems_for(make_design(**{key: value}), identity) == [expected]
