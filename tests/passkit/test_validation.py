"""validate_pass: pass.json and the bundle's file list against Apple's rules."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

from walletservice.passkit import PassValidationError, build_pass_json, validate_pass

from .factories import NFC_PUBLIC_KEY, make_design

ICONS = ["icon.png", "icon@2x.png", "icon@3x.png"]


@pytest.fixture
def coupon(identity) -> dict:
    return build_pass_json(make_design("coupon"), identity)


def problems_for(pass_json: dict, file_names) -> list[str]:
    with pytest.raises(PassValidationError) as caught:
        validate_pass(pass_json, file_names)
    return caught.value.problems


def test_valid_pass_passes(coupon):
    validate_pass(coupon, [*ICONS, "logo.png", "strip@2x.png", "pass.json", "en.lproj/pass.strings"])


def test_error_message_joins_every_problem(coupon):
    del coupon["description"]

    with pytest.raises(PassValidationError) as caught:
        validate_pass(coupon, ["logo.png"])

    assert str(caught.value) == "description is required; icon.png is required (Wallet silently rejects a pass without an icon)"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("key", ["formatVersion", "passTypeIdentifier", "serialNumber", "teamIdentifier"])
def test_required_keys_are_checked(coupon, key):
    del coupon[key]

    expected = "formatVersion: must be 1" if key == "formatVersion" else f"{key} is required"
    assert problems_for(coupon, ICONS) == [expected]


def test_format_version_must_be_1(coupon):
    coupon["formatVersion"] = 2

    assert problems_for(coupon, ICONS) == ["formatVersion: must be 1"]


def test_serial_number_must_be_a_string(coupon):
    coupon["serialNumber"] = 17

    assert problems_for(coupon, ICONS) == ["serialNumber: must be a non-empty string"]


def test_exactly_one_style_key_is_required(coupon):
    coupon["storeCard"] = {}

    assert problems_for(coupon, ICONS) == [
        "style: pass.json needs exactly one of boardingPass, coupon, eventTicket, generic, storeCard; found coupon, storeCard"
    ]


def test_pass_without_style_key_is_rejected(coupon):
    del coupon["coupon"]

    assert problems_for(coupon, ICONS) == [
        "style: pass.json needs exactly one of boardingPass, coupon, eventTicket, generic, storeCard; found none"
    ]


def test_style_key_must_hold_an_object(coupon):
    coupon["coupon"] = []

    assert problems_for(coupon, ICONS) == ["coupon: must be an object holding the field lists"]


def test_field_list_must_be_a_list(coupon):
    coupon["coupon"]["backFields"] = {"key": "k", "value": "v"}

    assert problems_for(coupon, ICONS) == ["coupon.backFields: must be a list of fields"]


def test_colors_must_be_rgb_triples_in_pass_json(coupon):
    coupon["labelColor"] = "#ffffff"

    assert problems_for(coupon, ICONS) == ["labelColor: '#ffffff' is not a color in rgb(r, g, b) form"]


def test_dates_must_be_parseable(coupon):
    coupon["relevantDate"] = "tomorrow"

    [problem] = problems_for(coupon, ICONS)
    assert problem.startswith("relevantDate: 'tomorrow' is not a date;")


def test_web_service_url_and_token_require_each_other(coupon):
    del coupon["authenticationToken"]

    assert problems_for(coupon, ICONS) == ["authenticationToken is required when webServiceURL is set"]


def test_unknown_top_level_keys_in_pass_json_are_left_alone_for_newer_apple_keys(coupon):
    coupon["walletFeatureOfIOS99"] = [{"identifier": "match-2"}]

    validate_pass(coupon, ICONS)


def test_a_poster_event_ticket_scheme_on_a_coupon_is_a_problem(coupon):
    coupon["preferredStyleSchemes"] = ["posterEventTicket", "eventTicket"]

    assert problems_for(coupon, ICONS) == [
        "preferredStyleSchemes[0]: posterEventTicket is for eventTicket passes, not coupon",
        "preferredStyleSchemes[1]: eventTicket is for eventTicket passes, not coupon",
    ]


def test_nfc_requires_a_message(coupon):
    coupon["nfc"] = {"encryptionPublicKey": NFC_PUBLIC_KEY}

    assert problems_for(coupon, ICONS) == ["nfc.message is required"]


def test_nfc_requires_a_p256_encryption_public_key(coupon):
    coupon["nfc"] = {"message": "member-42"}

    assert problems_for(coupon, ICONS) == [
        "nfc.encryptionPublicKey is required (Base64 of a P-256 SubjectPublicKeyInfo)"]


# -- files ----------------------------------------------------------------------------

def test_icon_is_required(coupon):
    assert problems_for(coupon, ["logo.png"]) == [
        "icon.png is required (Wallet silently rejects a pass without an icon)"
    ]


def test_localized_icons_in_every_locale_satisfy_the_icon_rule(coupon):
    validate_pass(coupon, ["en.lproj/icon.png", "de.lproj/icon.png", "de.lproj/pass.strings"])


@pytest.mark.parametrize("style, allowed, forbidden", [
    ("boardingPass", ["logo.png", "footer@2x.png"], ["strip.png", "thumbnail.png", "background.png"]),
    ("coupon", ["logo.png", "strip@3x.png"], ["footer.png", "thumbnail.png", "background.png"]),
    ("eventTicket", ["logo.png", "background.png", "thumbnail@2x.png"], ["footer.png"]),
    ("generic", ["logo.png", "thumbnail.png"], ["strip.png", "footer.png", "background.png"]),
    ("storeCard", ["logo.png", "strip.png"], ["footer.png", "thumbnail.png", "background.png"]),
])
def test_images_allowed_per_style(style, allowed, forbidden, identity):
    pass_json = build_pass_json(make_design(style), identity)
    validate_pass(pass_json, [*ICONS, *allowed])

    problems = problems_for(pass_json, [*ICONS, *allowed, *forbidden])

    assert len(problems) == len(forbidden)
    for name, problem in zip(sorted(forbidden), problems):
        role = name.split("@")[0].removesuffix(".png")
        assert problem.startswith(f"{name}: a {style} shows no {role} image; it may have ")


def test_event_ticket_cannot_have_strip_and_background_or_thumbnail(identity):
    pass_json = build_pass_json(make_design("eventTicket"), identity)
    validate_pass(pass_json, [*ICONS, "strip.png"])

    assert problems_for(pass_json, [*ICONS, "strip.png", "thumbnail.png"]) == [
        "strip.png: an eventTicket has either a strip image or background/thumbnail images, not both"
    ]


@pytest.mark.parametrize("name, expected", [
    (".DS_Store", "'.DS_Store': hidden and system files (like .DS_Store) must not be in a pass"),
    ("en.lproj/.DS_Store", "'en.lproj/.DS_Store': hidden and system files (like .DS_Store) must not be in a pass"),
    ("__MACOSX/icon.png", "'__MACOSX/icon.png': hidden and system files (like .DS_Store) must not be in a pass"),
    ("../icon.png", "'../icon.png': empty, '.' and '..' path parts are not allowed"),
    ("/icon.png", "'/icon.png': use relative paths with forward slashes"),
    ("en.lproj\\logo.png", "'en.lproj\\\\logo.png': use relative paths with forward slashes"),
    ("a/b/logo.png", "'a/b/logo.png': only one folder level (<locale>.lproj/) is allowed"),
    ("images/logo.png", "images/logo.png: the only folders allowed are <locale>.lproj, e.g. en.lproj"),
    ("Logo.png", "Logo.png: is not a file Wallet reads (images are <role>[@2x|@3x].png)"),
    ("logo@4x.png", "logo@4x.png: is not a file Wallet reads (images are <role>[@2x|@3x].png)"),
    ("notes.txt", "notes.txt: is not a file Wallet reads (images are <role>[@2x|@3x].png)"),
    ("en.lproj/notes.txt", "en.lproj/notes.txt: a .lproj folder holds pass.strings and pass images only"),
])
def test_bad_file_names_are_rejected(coupon, name, expected):
    assert problems_for(coupon, [*ICONS, name]) == [expected]


def test_top_level_image_hides_a_localized_one(coupon):
    assert problems_for(coupon, [*ICONS, "logo.png", "fr.lproj/logo.png"]) == [
        "fr.lproj/logo.png: is hidden by the top-level logo.png; ship one or the other"
    ]


def test_personalization_files_are_allowed(coupon):
    validate_pass(coupon, [*ICONS, "personalization.json", "personalizationLogo@2x.png"])


def test_values_json_cannot_write_are_rejected(coupon):
    coupon["relevantDate"] = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    coupon["semantics"] = {"score": float("inf")}

    relevant_date, semantics = problems_for(coupon, ICONS)
    assert relevant_date == "relevantDate: must be plain JSON (Object of type datetime is not JSON serializable)"
    assert semantics.startswith("semantics: must be plain JSON (Out of range float values are not JSON compliant")


def test_validation_error_survives_pickling(coupon):
    del coupon["description"]
    with pytest.raises(PassValidationError) as caught:
        validate_pass(coupon, ICONS)

    copy = pickle.loads(pickle.dumps(caught.value))
    assert copy.problems == ["description is required"] and str(copy) == "description is required"
