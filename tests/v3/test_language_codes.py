"""A language code becomes a `<code>.lproj` folder of the signed bundle: one that is no
locale name must be refused when it is sent, or every later fetch of the pass fails."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.v3.conftest import TEMPLATE_DESIGN, V3Client, make_template
from tests.v3.test_create_pass import create, stored_pass
from tests.v3.test_list_and_get import add_passes
from walletservice.db import transaction
from walletservice.models import BackgroundJob, Pass

BAD_LANGUAGES = ["../../x y", "English", "de.lproj/../x", "", "e"]


def location(language: str) -> dict[str, Any]:
    return {"latitude": 48.1, "longitude": 11.5, "relevantText": "Hi", "localizedRelevantText": {language: "Hola"}}


def fetches(v3: V3Client, identifier: str) -> tuple[int, int]:
    """(download status, device fetch status) of a stored pass."""
    pass_ = stored_pass(identifier)
    download = v3.client.get(f"/download/{pass_.download_id}.pkpass")
    device = v3.client.get(f"/wallet/v1/passes/{pass_.pass_type_identifier}/{pass_.serial_number}",
                           headers={"Authorization": f"ApplePass {pass_.authentication_token}"})
    return download.status_code, device.status_code


def passes_stored() -> int:
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Pass))


@pytest.mark.parametrize("language", BAD_LANGUAGES)
def test_a_bad_localized_relevant_text_language_is_400_and_nothing_is_stored(
        v3: V3Client, template_id: str, language: str) -> None:
    for sync in (True, False):
        response = create(v3, {"templateId": template_id, "locations": [location(language)]}, sync=sync)
        assert response.status_code == 400, response.json
        assert f"{language!r} is not a language code" in " ".join(response.json["errors"]), response.json
    assert passes_stored() == 0


def test_a_patch_with_a_bad_language_is_400_and_the_pass_still_builds(v3: V3Client, template_id: str) -> None:
    identifier = create(v3, {"templateId": template_id, "locations": [location("es")]}).json["data"]["identifier"]
    response = v3.patch(f"/pass/{identifier}?async=false", json={"data": {"locations": [location("English")]}})
    assert response.status_code == 400, response.json
    assert stored_pass(identifier).content["localizations"] == {"es": {"Hi": "Hola"}}
    assert fetches(v3, identifier) == (200, 200)


def test_a_bulk_patch_with_a_bad_language_is_400_before_queueing(
        v3: V3Client, account: Any, template_id: str) -> None:
    ids = add_passes(account.id, template_id, 2)
    response = v3.patch("/pass/bulk", json={"data": {"locations": [location("English")]},
                                            "filter": {"identifiers": ids}})
    assert response.status_code == 400, response.json
    assert "'English' is not a language code" in " ".join(response.json["errors"]), response.json
    with transaction(write=False) as session:
        assert session.scalars(select(BackgroundJob)).first() is None


def test_a_template_whose_strings_cannot_be_built_issues_no_pass(
        v3: V3Client, account: Any, run_jobs: Any) -> None:
    """The store-time check (services.passes.check_content) covers what the request checks
    do not see: here a template's own strings. An async create's job fails the same way."""
    template = make_template(account.id, design={**TEMPLATE_DESIGN, "localizations": {"English": {"EVENT": "E"}}})
    response = create(v3, {"templateId": template})
    assert response.status_code == 400, response.json
    assert "'English' is not a locale name" in " ".join(response.json["errors"]), response.json
    assert create(v3, {"templateId": template}, sync=False).status_code == 200
    run_jobs()
    assert passes_stored() == 0
