"""build_pkpass and its parts: manifest, localizations, reproducible signed ZIP."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile

import pytest

from walletservice.passkit import (
    PassIdentity,
    PassValidationError,
    build_manifest,
    build_pass_json,
    build_pkpass,
    localization_files,
    render_image_set,
    serialize_pass_json,
)

from .factories import PASS_TYPE_ID, TEAM_ID, image_bytes, make_design


@pytest.fixture
def pass_json(identity) -> dict:
    design = make_design("eventTicket", organizationName="Café Müller",
                         barcode={"format": "qr", "message": "TICKET-1"}, backgroundColor="#102030")
    return build_pass_json(design, identity)


@pytest.fixture
def images(icon_files) -> dict[str, bytes]:
    return {**icon_files, **render_image_set(image_bytes((400, 100)), "logo"),
            "de.lproj/thumbnail.png": render_image_set(image_bytes(), "thumbnail")["thumbnail.png"]}


STRINGS = {"en": {"Example pass": "Example pass"}, "de": {"Example pass": "Beispielpass"}}


def unzip(pkpass: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(pkpass)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def build(pass_json, images, signing_identity, **options) -> bytes:
    return build_pkpass(pass_json, images, signing_identity, strings=STRINGS, **options)


def test_bundle_holds_pass_json_images_strings_manifest_and_signature(pass_json, images, signing_identity):
    files = unzip(build(pass_json, images, signing_identity))

    assert sorted(files) == [
        "de.lproj/pass.strings", "de.lproj/thumbnail.png", "en.lproj/pass.strings",
        "icon.png", "icon@2x.png", "icon@3x.png", "logo.png", "logo@2x.png", "logo@3x.png",
        "manifest.json", "pass.json", "signature",
    ]
    assert json.loads(files["pass.json"]) == pass_json


def test_manifest_has_the_sha1_of_every_other_file(pass_json, images, signing_identity):
    files = unzip(build(pass_json, images, signing_identity))

    manifest = json.loads(files["manifest.json"])

    assert set(manifest) == set(files) - {"manifest.json", "signature"}
    for name, digest in manifest.items():
        assert digest == hashlib.sha1(files[name]).hexdigest(), name


def test_zip_has_files_at_the_root_and_no_directory_entries(pass_json, images, signing_identity):
    with zipfile.ZipFile(io.BytesIO(build(pass_json, images, signing_identity))) as archive:
        infos = archive.infolist()

    assert not any(info.is_dir() for info in infos)
    assert [info.filename for info in infos] == sorted(info.filename for info in infos)
    assert "pass.json" in [info.filename for info in infos]  # not inside an enclosing folder
    for info in infos:
        assert info.filename.count("/") == 0 or info.filename.split("/")[0].endswith(".lproj")
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        assert info.compress_type == zipfile.ZIP_DEFLATED


def test_two_builds_differ_only_in_the_signature(pass_json, images, signing_identity):
    first = unzip(build(pass_json, images, signing_identity))
    second = unzip(build(dict(reversed(list(pass_json.items()))), dict(reversed(list(images.items()))), signing_identity))

    assert first.keys() == second.keys()
    assert {name for name in first if first[name] != second[name]} <= {"signature"}


def test_bundle_signature_verifies_with_openssl(openssl, tmp_path, pass_json, images, signing_identity, wwdr):
    files = unzip(build(pass_json, images, signing_identity))
    for name in ("signature", "manifest.json"):
        (tmp_path / name).write_bytes(files[name])
    (tmp_path / "ca.pem").write_bytes(wwdr.certificate_pem())
    command = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "signature",
               "-content", "manifest.json", "-CAfile", "ca.pem", "-purpose", "any", "-out", "/dev/null"]

    verified = subprocess.run([openssl, *command[1:]], cwd=tmp_path, capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
    assert "Verification successful" in verified.stderr

    manifest = json.loads(files["manifest.json"])
    manifest["icon.png"] = hashlib.sha1(b"another icon").hexdigest()
    (tmp_path / "manifest.json").write_bytes(json.dumps(manifest).encode())
    tampered = subprocess.run([openssl, *command[1:]], cwd=tmp_path, capture_output=True, text=True)
    assert tampered.returncode != 0
    assert "Verification successful" not in tampered.stderr


def test_personalization_files_go_in_through_extra_files(pass_json, images, signing_identity):
    personalization = {"personalization.json": b'{"requiredPersonalizationFields": ["PKPassPersonalizationFieldName"]}',
                       "personalizationLogo@2x.png": image_bytes((300, 80))}

    files = unzip(build(pass_json, images, signing_identity, extra_files=personalization))

    assert files["personalization.json"] == personalization["personalization.json"]
    assert "personalization.json" in json.loads(files["manifest.json"])


def bundle_problems(pass_json, images, signing_identity, **options) -> list[str]:
    with pytest.raises(PassValidationError) as caught:
        build_pkpass(pass_json, images, signing_identity, **options)
    return caught.value.problems


def test_pass_without_icon_is_not_built(pass_json, signing_identity):
    assert bundle_problems(pass_json, {}, signing_identity) == [
        "icon.png is required (Wallet silently rejects a pass without an icon)"
    ]


def test_invalid_pass_json_is_not_built(pass_json, images, signing_identity):
    del pass_json["eventTicket"]
    pass_json["boardingPass"] = {}

    assert bundle_problems(pass_json, images, signing_identity) == [
        "boardingPass.transitType is required for boarding passes",
        "de.lproj/thumbnail.png: a boardingPass shows no thumbnail image; it may have icon, logo, footer",
    ]


@pytest.mark.parametrize("name", ["../icon.png", "/etc/icon.png", "en.lproj\\logo.png", ".DS_Store", "__MACOSX/logo.png"])
def test_unsafe_file_names_are_refused(pass_json, images, signing_identity, name):
    [problem] = bundle_problems(pass_json, {**images, name: image_bytes()}, signing_identity)

    assert problem.startswith(repr(name))


@pytest.mark.parametrize("name", ["pass.json", "manifest.json", "signature"])
def test_files_the_builder_writes_cannot_be_given(pass_json, images, signing_identity, name):
    assert bundle_problems(pass_json, {**images, name: b"{}"}, signing_identity) == [f"{name}: is written by the builder"]


def test_non_png_images_are_refused(pass_json, images, signing_identity):
    images["logo.png"] = image_bytes(fmt="JPEG")

    assert bundle_problems(pass_json, images, signing_identity) == [
        "logo.png: is not a PNG file (Wallet reads PNG images only)"
    ]


def test_a_file_given_twice_is_refused(pass_json, images, signing_identity):
    images["en.lproj/pass.strings"] = b'"a" = "b";\n'

    assert bundle_problems(pass_json, images, signing_identity, strings=STRINGS) == [
        "en.lproj/pass.strings: is given twice"
    ]


def test_pass_type_identifier_must_match_the_certificate(images, signing_identity):
    other = build_pass_json(make_design(), PassIdentity("pass.someone.else", "OTHERTEAM", "1"))

    assert bundle_problems(other, images, signing_identity) == [
        f"passTypeIdentifier: 'pass.someone.else' does not match the signing certificate's {PASS_TYPE_ID!r}",
        f"teamIdentifier: 'OTHERTEAM' does not match the signing certificate's {TEAM_ID!r}",
    ]


# -- parts ----------------------------------------------------------------------------

def test_manifest_is_sorted_sha1_json_without_manifest_and_signature():
    manifest = build_manifest({"pass.json": b"{}", "icon.png": b"png", "signature": b"x", "manifest.json": b"y"})

    assert manifest == (
        b'{"icon.png":"' + hashlib.sha1(b"png").hexdigest().encode()
        + b'","pass.json":"' + hashlib.sha1(b"{}").hexdigest().encode() + b'"}'
    )


def test_pass_json_serialization_is_sorted_utf8():
    data = serialize_pass_json({"b": 1, "a": {"d": "Müller", "c": True}})

    assert data == '{"a":{"c":true,"d":"Müller"},"b":1}'.encode("utf-8")


def test_ascii_strings_files_stay_ascii_and_are_sorted():
    files = localization_files({"en": {"zeta": "Z", "alpha": "A"}})

    assert files == {"en.lproj/pass.strings": b'"alpha" = "A";\n"zeta" = "Z";\n'}


def test_quotes_backslashes_and_newlines_are_escaped():
    files = localization_files({"en": {'say "hi"': 'C:\\path\nline two\ttab\r'}})

    assert files["en.lproj/pass.strings"] == b'"say \\"hi\\"" = "C:\\\\path\\nline two\\ttab\\r";\n'


def test_other_control_characters_are_escaped_as_unicode():
    assert localization_files({"en": {"k": "bell\x07"}})["en.lproj/pass.strings"] == b'"k" = "bell\\U0007";\n'


def test_non_ascii_strings_files_are_utf16_with_a_byte_order_mark():
    data = localization_files({"de": {"Example pass": "Beispiel für \"Grüße\""}})["de.lproj/pass.strings"]

    assert data.startswith(b"\xff\xfe")
    assert data.decode("utf-16") == '"Example pass" = "Beispiel für \\"Grüße\\"";\n'


@pytest.mark.parametrize("strings, expected", [
    ({"../en": {"a": "b"}}, "strings: '../en' is not a locale name such as en or zh-Hans"),
    ({"en": {"a": 1}}, "strings.en: must map strings to strings"),
])
def test_bad_localizations_are_rejected(strings, expected):
    with pytest.raises(PassValidationError) as caught:
        localization_files(strings)

    assert caught.value.problems == [expected]


@pytest.mark.parametrize("locale", ["en", "zh-Hans", "pt_BR", "es-419"])
def test_locale_names_become_lproj_folders(locale):
    assert list(localization_files({locale: {}})) == [f"{locale}.lproj/pass.strings"]
