"""localizedBackgroundImages: each language's background is fetched from a real local HTTP
server and shipped as <language>.lproj/background.png (@2x, @3x) in the signed pass."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.factories import png_bytes
from tests.http_servers import loopback_server
from tests.v3.conftest import TEMPLATE_DESIGN, V3Client, make_template
from tests.v3.test_create_pass import stored_pass
from tests.v3.test_image_fetch import fetching  # noqa: F401 - a fixture
from walletservice.db import transaction
from walletservice.models import Asset, Campaign, Organization
from walletservice.passkit import PassValidationError, render_image_set, validate_pass
from walletservice.services.assets import asset_in_use, create_asset

COLORS = {"de": (0, 0, 200), "en": (0, 160, 0), "fr": (230, 200, 0), "default": (200, 0, 0)}
IMAGES = {f"/{name}.png": png_bytes((360, 440), color) for name, color in COLORS.items()}
SCALES = ("background.png", "background@2x.png", "background@3x.png")
PROCESS_PREFIX = "https://wallet.example.test/api/v3"


class ColoredImages(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        ColoredImages.requests.append(self.path)
        body = IMAGES.get(self.path, b"<html></html>")
        self.send_response(200 if self.path in IMAGES or self.path == "/page.html" else 404)
        self.send_header("Content-Type", "image/png" if self.path in IMAGES else "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def images(fetching: Any) -> Iterator[str]:  # noqa: F811 - the imported fixture
    ColoredImages.requests = []
    yield from loopback_server(ColoredImages)


def bundle_files(v3: V3Client, identifier: str) -> dict[str, bytes]:
    """The signed .pkpass as a device downloads it, checked against its manifest."""
    pass_ = stored_pass(identifier)
    response = v3.client.get(f"/download/{pass_.download_id}.pkpass")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files["manifest.json"])
    assert manifest == {name: hashlib.sha1(data).hexdigest() for name, data in files.items()
                        if name not in ("manifest.json", "signature")}
    return files


def background_color(files: dict[str, bytes], language: str) -> tuple[int, int, int]:
    with Image.open(io.BytesIO(files[f"{language}.lproj/background@2x.png"])) as image:
        return image.convert("RGB").getpixel((10, 10))  # type: ignore[return-value]


def urls(server: str, **languages: str | None) -> dict[str, str | None]:
    return {language: f"{server}/{name}.png" if name else name for language, name in languages.items()}


def create(v3: V3Client, data: dict[str, Any], *, sync: bool = True) -> Any:
    return v3.post("/pass" + ("?async=false" if sync else ""), json={"data": data})


def process_of(v3: V3Client, answer: dict[str, Any]) -> dict[str, Any]:
    return v3.get(answer["process"].removeprefix(PROCESS_PREFIX)).json["data"]


def background_assets() -> int:
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Asset).where(Asset.asset_type == "background")) or 0


def test_sync_create_ships_each_language_background_in_its_lproj_folder(
        v3: V3Client, template_id: str, images: str) -> None:
    given = urls(images, de="de", en="en")
    response = create(v3, {"templateId": template_id, "localizedBackgroundImages": given})
    assert response.status_code == 200, response.json
    identifier = response.json["data"]["identifier"]
    files = bundle_files(v3, identifier)
    rendered = render_image_set(IMAGES["/de.png"], "background", "eventTicket")
    assert all(files[f"de.lproj/{name}"] == rendered[name] for name in SCALES)  # the served image, resized
    assert background_color(files, "de") == COLORS["de"] and background_color(files, "en") == COLORS["en"]
    assert {name for name in files if "background" in name} == {f"{lang}.lproj/{name}" for lang in ("de", "en")
                                                                for name in SCALES}
    assert "localized_images" not in json.loads(files["pass.json"])
    assert stored_pass(identifier).extra == {"localizedBackgroundImages": given}


def test_async_create_fetches_the_languages_in_the_job_not_the_request(
        v3: V3Client, template_id: str, images: str, run_jobs: Any) -> None:
    answer = create(v3, {"templateId": template_id, "localizedBackgroundImages": urls(images, de="de", en="en")},
                    sync=False).json["data"]
    assert ColoredImages.requests == [] and background_assets() == 0
    run_jobs()
    assert process_of(v3, answer)["failed"] == 0
    files = bundle_files(v3, answer["identifier"])
    assert background_color(files, "de") == COLORS["de"] and background_color(files, "en") == COLORS["en"]


def test_one_url_for_several_languages_is_fetched_once(v3: V3Client, template_id: str, images: str) -> None:
    create(v3, {"templateId": template_id, "localizedBackgroundImages": urls(images, de="de", at="de", ch="de")})
    assert ColoredImages.requests == ["/de.png"] and background_assets() == 1


def test_patch_changes_one_language_and_keeps_the_others(v3: V3Client, template_id: str, images: str) -> None:
    identifier = create(v3, {"templateId": template_id,
                             "localizedBackgroundImages": urls(images, de="de", en="en")}).json["data"]["identifier"]
    response = v3.patch(f"/pass/{identifier}?async=false",
                        json={"data": {"localizedBackgroundImages": urls(images, de="fr")}})
    assert response.status_code == 200, response.json
    files = bundle_files(v3, identifier)
    assert background_color(files, "de") == COLORS["fr"] and background_color(files, "en") == COLORS["en"]
    assert stored_pass(identifier).extra == {"localizedBackgroundImages": urls(images, de="fr", en="en")}


def test_patch_removes_a_language_given_empty_or_null_and_all_given_null(
        v3: V3Client, template_id: str, images: str) -> None:
    identifier = create(v3, {"templateId": template_id, "localizedBackgroundImages": urls(
        images, de="de", en="en", fr="fr")}).json["data"]["identifier"]
    v3.patch(f"/pass/{identifier}?async=false", json={"data": {"localizedBackgroundImages": {"en": "", "fr": None}}})
    files = bundle_files(v3, identifier)
    assert {name for name in files if "background" in name} == {f"de.lproj/{name}" for name in SCALES}
    assert stored_pass(identifier).extra == {"localizedBackgroundImages": urls(images, de="de")}
    v3.patch(f"/pass/{identifier}?async=false", json={"data": {"localizedBackgroundImages": None}})
    assert not any("background" in name for name in bundle_files(v3, identifier))
    assert stored_pass(identifier).extra is None and "localized_images" not in stored_pass(identifier).values


def test_patch_without_the_key_keeps_the_localized_images(v3: V3Client, template_id: str, images: str) -> None:
    identifier = create(v3, {"templateId": template_id,
                             "localizedBackgroundImages": urls(images, de="de")}).json["data"]["identifier"]
    v3.patch(f"/pass/{identifier}?async=false", json={"data": {"firstname": "Ada"}})
    assert background_color(bundle_files(v3, identifier), "de") == COLORS["de"]


def test_replace_removes_the_languages_not_given(v3: V3Client, template_id: str, images: str) -> None:
    identifier = create(v3, {"templateId": template_id,
                             "localizedBackgroundImages": urls(images, de="de", en="en")}).json["data"]["identifier"]
    v3.post(f"/pass/{identifier}?async=false", json={"data": {"localizedBackgroundImages": urls(images, en="fr")}})
    files = bundle_files(v3, identifier)
    assert {name for name in files if "background" in name} == {f"en.lproj/{name}" for name in SCALES}
    assert background_color(files, "en") == COLORS["fr"]
    v3.post(f"/pass/{identifier}?async=false", json={"data": {"firstname": "Ada"}})
    assert not any("background" in name for name in bundle_files(v3, identifier))
    assert stored_pass(identifier).extra is None


def test_bulk_patch_adds_a_language_to_every_selected_pass_fetching_once(
        v3: V3Client, template_id: str, images: str, run_jobs: Any) -> None:
    identifiers = [create(v3, {"templateId": template_id, "localizedBackgroundImages": urls(images, de="de")}
                          ).json["data"]["identifier"] for _ in range(2)]
    answer = v3.patch("/pass/bulk", json={"data": {"localizedBackgroundImages": urls(images, fr="fr")},
                                          "filter": {"identifiers": identifiers}})
    assert answer.status_code == 202, answer.json
    run_jobs()
    assert process_of(v3, answer.json["data"])["failed"] == 0
    for identifier in identifiers:
        files = bundle_files(v3, identifier)
        assert background_color(files, "de") == COLORS["de"] and background_color(files, "fr") == COLORS["fr"]
    assert ColoredImages.requests.count("/fr.png") == 1


@pytest.mark.parametrize(("given", "message"), [
    ({"de!": "/de.png"}, "'de!' is not a language code"),
    ({"de.lproj/../x": "/de.png"}, "is not a language code"),
    ({"de": "ftp://127.0.0.1/de.png"}, "localizedBackgroundImages.de must be an http or https URL"),
    ({"de": "http://images.example.com/de.png"}, "host images.example.com is not allowed"),
    ({"de": "http://user:pw@127.0.0.1/de.png"}, "must not carry credentials"),
    ({"de": 5}, "localizedBackgroundImages"),
    (["/de.png"], "localizedBackgroundImages"),
])
def test_bad_language_codes_and_urls_are_400_naming_the_key(
        v3: V3Client, template_id: str, images: str, given: Any, message: str) -> None:
    if isinstance(given, dict):
        given = {key: images + value if isinstance(value, str) and value.startswith("/") else value
                 for key, value in given.items()}
    for sync in (True, False):
        response = create(v3, {"templateId": template_id, "localizedBackgroundImages": given}, sync=sync)
        assert response.status_code == 400 and message in " ".join(response.json["errors"]), response.json
    bulk = v3.patch("/pass/bulk", json={"data": {"localizedBackgroundImages": given}, "filter": {"identifiers": []}})
    assert bulk.status_code == 400 and message in " ".join(bulk.json["errors"])
    assert ColoredImages.requests == [] and v3.get("/pass").json["data"] == []


def test_fetching_disabled_on_the_server_is_400(v3: V3Client, template_id: str, app: Any) -> None:
    app.config["WALLET_IMAGE_FETCH_ALLOWED_HOSTS"] = ""
    response = create(v3, {"templateId": template_id,
                           "localizedBackgroundImages": {"de": "https://img.example/de.png"}})
    assert response.status_code == 400 and "disabled on this server" in response.json["errors"][0]


@pytest.mark.parametrize("key", ["localizedBackgroundImages", "urlToBackground"])
def test_a_template_style_without_background_refuses_the_key_before_fetching(
        v3: V3Client, account: Any, images: str, key: str) -> None:
    generic = make_template(account.id, design={**TEMPLATE_DESIGN, "style": "generic"})
    value = urls(images, de="de") if key == "localizedBackgroundImages" else f"{images}/de.png"
    for sync in (True, False):
        response = create(v3, {"templateId": generic, key: value}, sync=sync)
        assert response.status_code == 400
        assert response.json["errors"][0].startswith(f"{key}: a generic pass shows no background image")
    assert ColoredImages.requests == []


def test_an_event_ticket_template_with_a_strip_refuses_localized_backgrounds(
        v3: V3Client, account: Any, images: str) -> None:
    template = make_template(account.id)
    with transaction() as session:
        campaign = session.get(Campaign, template)
        strip = create_asset(session, session.get(Organization, account.id), "strip", png_bytes())
        campaign.design = {**campaign.design, "images": {**campaign.design["images"], "strip": strip.id}}
    response = create(v3, {"templateId": template, "localizedBackgroundImages": urls(images, de="de")})
    assert response.status_code == 400 and "strip image" in response.json["errors"][0]


def test_removing_languages_is_allowed_on_any_style(v3: V3Client, account: Any) -> None:
    generic = make_template(account.id, design={**TEMPLATE_DESIGN, "style": "generic"})
    response = create(v3, {"templateId": generic, "localizedBackgroundImages": {"de": None}})
    assert response.status_code == 200, response.json


def test_a_failed_fetch_in_an_async_create_is_a_process_error_and_leaves_nothing(
        v3: V3Client, template_id: str, images: str, run_jobs: Any) -> None:
    given = {"de": f"{images}/de.png", "en": f"{images}/page.html"}
    answer = create(v3, {"templateId": template_id, "localizedBackgroundImages": given}, sync=False).json["data"]
    run_jobs()
    process = process_of(v3, answer)
    assert process["failed"] == 1 and "localizedBackgroundImages.en: the URL is not an image" in \
        process["errors"][0]["error"]
    assert v3.get(f"/pass/{answer['identifier']}").status_code == 404
    assert "/de.png" in ColoredImages.requests and background_assets() == 0


def test_a_failed_fetch_in_an_async_patch_changes_nothing(
        v3: V3Client, template_id: str, images: str, run_jobs: Any) -> None:
    identifier = create(v3, {"templateId": template_id,
                             "localizedBackgroundImages": urls(images, de="de")}).json["data"]["identifier"]
    answer = v3.patch(f"/pass/{identifier}", json={"data": {"localizedBackgroundImages": {
        "en": f"{images}/en.png", "fr": f"{images}/missing.png"}}}).json["data"]
    run_jobs()
    process = process_of(v3, answer)
    assert process["failed"] == 1 and "localizedBackgroundImages.fr" in process["errors"][0]["error"]
    files = bundle_files(v3, identifier)
    assert {name for name in files if "background" in name} == {f"de.lproj/{name}" for name in SCALES}
    assert background_assets() == 1  # the en image fetched before the failure is not kept


def test_the_template_background_moves_into_the_translated_languages_without_their_own(
        v3: V3Client, account: Any, images: str) -> None:
    with transaction() as session:
        default = create_asset(session, session.get(Organization, account.id), "background", IMAGES["/default.png"])
    template = make_template(account.id, design={
        **TEMPLATE_DESIGN, "localizations": {"en": {"EVENT": "EVENT"}, "fr": {"EVENT": "ÉVÉNEMENT"}}})
    with transaction() as session:
        campaign = session.get(Campaign, template)
        campaign.design = {**campaign.design, "images": {**campaign.design["images"], "background": default.id}}
    identifier = create(v3, {"templateId": template, "localizedBackgroundImages": urls(images, de="de")}
                        ).json["data"]["identifier"]
    files = bundle_files(v3, identifier)
    # Apple: a top-level background.png would hide every localized one.
    assert "background.png" not in files
    assert background_color(files, "de") == COLORS["de"]
    assert background_color(files, "en") == COLORS["default"] and background_color(files, "fr") == COLORS["default"]


def test_an_asset_shown_only_as_a_localized_image_is_in_use(v3: V3Client, template_id: str, images: str) -> None:
    identifier = create(v3, {"templateId": template_id,
                             "localizedBackgroundImages": urls(images, de="de")}).json["data"]["identifier"]
    asset_id = stored_pass(identifier).values["localized_images"]["de"]["background"]
    with transaction(write=False) as session:
        assert asset_in_use(session, session.get(Asset, asset_id))


def test_passkit_accepts_localized_backgrounds_only_where_the_style_shows_one() -> None:
    base = {"formatVersion": 1, "passTypeIdentifier": "pass.example", "teamIdentifier": "TEAM123456",
            "serialNumber": "1", "organizationName": "Toy Town", "description": "Ticket"}
    names = ["icon.png", "de.lproj/background.png", "de.lproj/background@2x.png"]
    validate_pass({**base, "eventTicket": {}}, names)
    with pytest.raises(PassValidationError) as refused:
        validate_pass({**base, "generic": {}}, names)
    assert any("de.lproj/background.png" in problem and "shows no background" in problem
               for problem in refused.value.problems)
