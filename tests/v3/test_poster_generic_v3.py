"""posterGeneric on v3 (iOS 27): the template's switch (v2 `poster_generic`) answered by GET
/api/v3/template/{id} and inherited by its passes; a pass's own true or false replaces it."""

from __future__ import annotations

import json

import pytest

from tests.api.test_pass_features import new_campaign
from tests.api.test_poster_generic import CLUB
from tests.v3.conftest import V3Client
from tests.v3.test_pass_features_v3 import create, created_data, verified_pass_json

PLAIN_CLUB = {**CLUB, "name": "Plain club card", "poster_generic": None, "footer_fields": None}


@pytest.fixture
def club_template(client, account) -> str:
    return new_campaign(client, account, "store_cards", CLUB)


def test_a_v3_pass_inherits_its_templates_poster_face(client, v3: V3Client, club_template, dev_ca_pem, tmp_path):
    assert v3.get(f"/template/{club_template}").json["data"]["posterGeneric"] is True

    inherited = created_data(v3, {"templateId": club_template})

    pass_json = verified_pass_json(client, inherited, dev_ca_pem, tmp_path / "inherited")
    assert pass_json["posterGeneric"]["footerFields"] == [{"key": "member", "label": "MEMBER", "value": "Ada Lovelace"}]
    assert "storeCard" in pass_json  # the classic fallback
    assert v3.get(f"/pass/{inherited['identifier']}").json["data"]["posterGeneric"] is True


def test_a_v3_pass_turns_the_poster_face_on_or_off(client, v3: V3Client, account, club_template, dev_ca_pem,
                                                   tmp_path):
    plain = new_campaign(client, account, "store_cards", PLAIN_CLUB)
    assert v3.get(f"/template/{plain}").json["data"]["posterGeneric"] is None

    on = created_data(v3, {"templateId": plain, "posterGeneric": True})
    pass_json = verified_pass_json(client, on, dev_ca_pem, tmp_path / "on")
    assert pass_json["posterGeneric"]["primaryFields"] == pass_json["storeCard"]["primaryFields"]

    off = created_data(v3, {"templateId": club_template, "posterGeneric": False})
    assert "posterGeneric" not in verified_pass_json(client, off, dev_ca_pem, tmp_path / "off")
    assert v3.get(f"/pass/{off['identifier']}").json["data"]["posterGeneric"] is False


def test_null_gives_the_template_switch_back_on_patch(client, v3: V3Client, club_template, dev_ca_pem, tmp_path):
    off = created_data(v3, {"templateId": club_template, "posterGeneric": False})

    patched = v3.patch(f"/pass/{off['identifier']}?async=false", json={"data": {"posterGeneric": None}})

    assert patched.status_code == 200, patched.json
    assert v3.get(f"/pass/{off['identifier']}").json["data"]["posterGeneric"] is True


@pytest.mark.parametrize("value", ["yes", 1, [True]])
def test_a_poster_switch_that_is_not_a_boolean_is_400(v3: V3Client, club_template, value):
    response = create(v3, {"templateId": club_template, "posterGeneric": value})

    assert response.status_code == 400, response.json
    assert "posterGeneric" in json.dumps(response.json)


def test_the_poster_face_on_an_event_ticket_template_is_400_naming_it(v3: V3Client, template_id):
    response = create(v3, {"templateId": template_id, "posterGeneric": True})

    assert response.status_code == 400, response.json
    assert "posterGeneric: is for coupon, generic, storeCard passes, not eventTicket" in json.dumps(response.json)
