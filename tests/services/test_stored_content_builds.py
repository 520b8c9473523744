"""services.passes.check_content: what is stored must build, so it runs the bundle
builder's pass.strings check too (every API's passes, templates and merges go through it)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.factories import make_campaign, make_organization, make_pass
from tests.conftest import TEST_PASS_TYPE, TEST_TEAM
from walletservice.db import transaction
from walletservice.errors import InvalidInput
from walletservice.models import Campaign, Pass
from walletservice.services.bundles import build_bundle
from walletservice.services.pass_content import compose_pass_content
from walletservice.services.passes import check_content, update_pass_values
from walletservice.runtime import runtime


@pytest.mark.parametrize(("localizations", "message"), [
    ({"English": {"a": "b"}}, "strings: 'English' is not a locale name"),
    ({"../../x y": {"a": "b"}}, "is not a locale name"),
    ({"en": {"a": 1}}, "strings.en: must map strings to strings"),
    ({"en": ["a"]}, "strings.en: must map strings to strings"),
    (["en"], "strings: must map locale names to strings tables"),
])
def test_content_whose_strings_cannot_be_built_is_refused(
        app: Flask, localizations: Any, message: str) -> None:
    organization, _ = make_organization()
    campaign = make_campaign(organization)
    content = {**compose_pass_content(campaign.design, {}), "localizations": localizations}
    with pytest.raises(InvalidInput) as caught:
        check_content(content, TEST_PASS_TYPE, TEST_TEAM)
    assert any(message in problem for problem in caught.value.details), caught.value.details


def test_an_update_with_a_bad_language_leaves_the_pass_as_it_was_and_buildable(app: Flask) -> None:
    organization, _ = make_organization()
    campaign = make_campaign(organization)
    pass_id = make_pass(campaign).id
    with pytest.raises(InvalidInput), transaction() as session:
        update_pass_values(session, session.get(Pass, pass_id), session.get(Campaign, campaign.id),
                           {"localizations": {"English": {"GATE": "Gate"}}})
    with transaction() as session:
        pass_ = session.get(Pass, pass_id)
        assert "localizations" not in pass_.content
        assert build_bundle(session, pass_, runtime().bundles).startswith(b"PK")
