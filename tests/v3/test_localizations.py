"""A pass's own translations (localizedRelevantText, localizedBackgroundImages) join the
template's for the same language in the signed bundle instead of replacing them."""

from __future__ import annotations

from typing import Any

from tests.factories import png_bytes
from tests.v3.conftest import TEMPLATE_DESIGN, V3Client, make_template
from tests.v3.test_image_fetch import fetching  # noqa: F401 - a fixture
from tests.v3.test_localized_images import bundle_files, create, images, urls  # noqa: F401 - a fixture
from walletservice.db import transaction
from walletservice.models import Campaign, Organization
from walletservice.services.assets import create_asset
from walletservice.services.pass_content import compose_pass_content

TEMPLATE_SPANISH = {"Summer Gala": "Gala de verano", "EVENT": "EVENTO", "Hi": "Buenas"}


def strings_table(files: dict[str, bytes], language: str) -> dict[str, str]:
    """pass.strings read back: ASCII, or UTF-16 with a BOM (passkit.bundle)."""
    raw = files[f"{language}.lproj/pass.strings"]
    text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("ascii")
    pairs = (line.rstrip(";").split('" = "') for line in text.splitlines() if line)
    return {key.removeprefix('"'): value.removesuffix('"') for key, value in pairs}


def location(**translations: str) -> dict[str, Any]:
    return {"latitude": 48.1, "longitude": 11.5, "relevantText": "Hi", "localizedRelevantText": translations}


def test_localized_relevant_text_keeps_the_templates_strings_for_that_language(
        v3: V3Client, account: Any) -> None:
    template = make_template(account.id, design={**TEMPLATE_DESIGN, "localizations": {"es": TEMPLATE_SPANISH}})
    response = create(v3, {"templateId": template, "locations": [location(es="Hola", de="Hallo")]})
    assert response.status_code == 200, response.json
    files = bundle_files(v3, response.json["data"]["identifier"])
    # The pass's "Hi" wins over the template's; the template's other Spanish strings stay.
    assert strings_table(files, "es") == {"Summer Gala": "Gala de verano", "EVENT": "EVENTO", "Hi": "Hola"}
    assert strings_table(files, "de") == {"Hi": "Hallo"}


def test_a_patch_of_the_locations_keeps_the_templates_strings_too(v3: V3Client, account: Any) -> None:
    template = make_template(account.id, design={**TEMPLATE_DESIGN, "localizations": {"es": TEMPLATE_SPANISH}})
    identifier = create(v3, {"templateId": template}).json["data"]["identifier"]
    response = v3.patch(f"/pass/{identifier}?async=false", json={"data": {"locations": [location(es="Hola")]}})
    assert response.status_code == 200, response.json
    assert strings_table(bundle_files(v3, identifier), "es") == {**TEMPLATE_SPANISH, "Hi": "Hola"}


def test_localized_backgrounds_keep_the_templates_other_localized_images(
        v3: V3Client, account: Any, images: str) -> None:  # noqa: F811 - the imported fixture
    with transaction() as session:
        logo = create_asset(session, session.get(Organization, account.id), "logo", png_bytes((160, 50)))
    template = make_template(account.id, design={**TEMPLATE_DESIGN, "localizations": {"de": {"EVENT": "EVENT"}}})
    with transaction() as session:
        campaign = session.get(Campaign, template)
        campaign.design = {**campaign.design, "localized_images": {"de": {"logo": logo.id}, "fr": {"logo": logo.id}}}
    response = create(v3, {"templateId": template, "localizedBackgroundImages": urls(images, de="de")})
    assert response.status_code == 200, response.json
    files = bundle_files(v3, response.json["data"]["identifier"])
    assert {"de.lproj/logo.png", "de.lproj/background.png", "fr.lproj/logo.png"} <= set(files)


def test_a_pass_merges_its_translations_into_the_designs_string_by_string_and_role_by_role() -> None:
    design = {"localizations": {"es": {"EVENT": "EVENTO", "Hi": "Buenas"}, "fr": {"EVENT": "ÉVÉNEMENT"}},
              "localized_images": {"de": {"logo": "logo-de", "background": "bg-template"}}}
    values = {"localizations": {"es": {"Hi": "Hola"}, "de": {"Hi": "Hallo"}},
              "localized_images": {"de": {"background": "bg-pass"}, "en": {"background": "bg-en"}}}
    content = compose_pass_content(design, values)
    assert content["localizations"] == {"es": {"EVENT": "EVENTO", "Hi": "Hola"}, "fr": {"EVENT": "ÉVÉNEMENT"},
                                        "de": {"Hi": "Hallo"}}
    assert content["localized_images"] == {"de": {"logo": "logo-de", "background": "bg-pass"},
                                           "en": {"background": "bg-en"}}
    assert design["localizations"]["es"] == {"EVENT": "EVENTO", "Hi": "Buenas"}  # the design is not changed
