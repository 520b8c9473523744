"""featuredActions on v3 (iOS 27): the template's (v2 `featured_actions`) answered by GET
/api/v3/template/{id} and inherited by its passes; a pass's own list replaces it; bad ones are 400."""

from __future__ import annotations

import json

import pytest

from tests.api.test_featured_actions import BENEFITS, LOUNGE, MEMBER_CARD
from tests.api.test_pass_features import new_campaign
from tests.v3.conftest import V3Client
from tests.v3.test_pass_features_v3 import create, created_data, verified_pass_json


def test_a_v3_pass_inherits_its_templates_featured_actions_or_replaces_them(client, v3: V3Client, account,
                                                                            dev_ca_pem, tmp_path):
    template_id = new_campaign(client, account, "store_cards", MEMBER_CARD)
    assert v3.get(f"/template/{template_id}").json["data"]["featuredActions"] == [BENEFITS]

    inherited = created_data(v3, {"templateId": template_id})
    own = created_data(v3, {"templateId": template_id, "featuredActions": [LOUNGE]})

    assert verified_pass_json(client, inherited, dev_ca_pem, tmp_path / "inherited")["featuredActions"] == [BENEFITS]
    assert verified_pass_json(client, own, dev_ca_pem, tmp_path / "own")["featuredActions"] == [LOUNGE]
    assert v3.get(f"/pass/{own['identifier']}").json["data"]["featuredActions"] == [LOUNGE]


@pytest.mark.parametrize(("actions", "named"), [
    ([BENEFITS, {**LOUNGE, "identifier": "benefits"}], "featuredActions[1].identifier: 'benefits' is used twice"),
    ([BENEFITS, LOUNGE, {**LOUNGE, "identifier": "x"}], "featuredActions: has 3 actions"),
    (["benefits"], "data.featuredActions.0: Input should be a valid dictionary"),
])
def test_bad_featured_actions_are_400_naming_the_key(v3: V3Client, template_id, actions, named):
    response = create(v3, {"templateId": template_id, "featuredActions": actions})

    assert response.status_code == 400, response.json
    assert named in json.dumps(response.json)
