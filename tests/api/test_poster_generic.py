"""The poster generic style (iOS 27) through v2: `poster_generic: true` on a generic, store card or
coupon campaign signs a pass carrying Apple's `posterGeneric` fields AND the campaign's own style
as the fallback for iOS 26 and earlier, with the poster's background and primary logo."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from tests.api.conftest import error_text
from tests.api.test_campaigns import create, upload
from tests.api.test_pass_features import assert_smime_verifies, new_campaign, new_pass, pass_json_of, pkpass_of
from tests.factories import png_bytes
from tests.web.test_bundles import assert_signed_pkpass

CLUB = {
    "name": "Club card", "barcode": {"format": "qrcode"}, "poster_generic": True,
    "header_fields": [{"key": "level", "label": "LEVEL", "value": "Gold"}],
    "primary_fields": [{"key": "club", "value": "Harbour Club"}],  # no label: Wallet shows a bold title
    "secondary_fields": [{"key": "since", "label": "SINCE", "value": "2019"}],
    "back_fields": [{"key": "terms", "label": "Terms", "value": "Be nice."}],
    "footer_fields": [{"key": "member", "label": "MEMBER", "value": "Ada Lovelace"}],
}


def upload_for_poster(client, account, asset_type: str) -> str:
    form = {"asset[asset_type]": asset_type, "asset[style]": "posterGeneric",
            "asset[file]": (io.BytesIO(png_bytes((800, 1000))), "a.png")}
    response = client.post("/v2/assets", data=form, headers=account.basic, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.mark.parametrize(("segment", "style"), [("generics", "generic"), ("store_cards", "storeCard"),
                                                 ("coupons", "coupon")])
def test_a_poster_generic_pass_carries_the_poster_fields_and_its_classic_fallback(
        client, account, segment, style, dev_ca_pem, tmp_path):
    images = {"background_id": upload_for_poster(client, account, "background"),
              "primary_logo_id": upload_for_poster(client, account, "primaryLogo")}
    campaign_id = new_campaign(client, account, segment, {**CLUB, **images})
    created = new_pass(client, account, segment, campaign_id,
                       {"footer_fields": [{"key": "member", "value": "Grace Hopper"}]})
    assert created.status_code == 201, created.get_json()
    pkpass = pkpass_of(client, created.get_json())

    assert_signed_pkpass(pkpass, dev_ca_pem, tmp_path / "cms")
    assert_smime_verifies(pkpass, dev_ca_pem, tmp_path / "smime")
    pass_json = pass_json_of(pkpass)
    header = [{"key": "level", "label": "LEVEL", "value": "Gold"}]
    primary = [{"key": "club", "value": "Harbour Club"}]
    back = [{"key": "terms", "label": "Terms", "value": "Be nice."}]
    assert pass_json["posterGeneric"] == {
        "headerFields": header, "primaryFields": primary, "backFields": back,
        "footerFields": [{"key": "member", "label": "MEMBER", "value": "Grace Hopper"}]}
    # The fallback: the campaign's own style, as before, without the poster's footer.
    assert pass_json[style]["headerFields"] == header and pass_json[style]["primaryFields"] == primary
    assert pass_json[style]["secondaryFields"] == [{"key": "since", "label": "SINCE", "value": "2019"}]
    assert "footerFields" not in pass_json[style]
    archive = zipfile.ZipFile(io.BytesIO(pkpass))
    assert Image.open(archive.open("background.png")).size == (345, 505)
    assert Image.open(archive.open("background@3x.png")).size == (1035, 1515)
    width, height = Image.open(archive.open("primaryLogo@2x.png")).size
    assert width <= 252 and height <= 60
    assert created.get_json()["poster_generic"] is True
    assert created.get_json()["footer_fields"][0]["key"] == "member"


def test_a_pass_can_turn_its_campaigns_poster_face_off(client, account):
    campaign_id = new_campaign(client, account, "store_cards", {**CLUB, "footer_fields": None})
    created = new_pass(client, account, "store_cards", campaign_id, {"poster_generic": False})
    assert created.status_code == 201, created.get_json()

    pass_json = pass_json_of(pkpass_of(client, created.get_json()))
    assert "posterGeneric" not in pass_json and "storeCard" in pass_json


@pytest.mark.parametrize(("segment", "attributes", "named"), [
    ("event_tickets", {}, "posterGeneric: is for coupon, generic, storeCard passes, not eventTicket"),
    ("store_cards", {"footer_fields": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]},
     "posterGeneric.footerFields: has 2 fields; Wallet shows only the first"),
    ("store_cards", {"poster_generic": None}, "footerFields: only the poster generic style shows footer fields"),
    ("store_cards", {"footer_fields": [{"key": "level", "value": "1"}]}, "footer_fields[0].key: 'level' is used twice"),
])
def test_bad_poster_generic_campaigns_are_422_naming_the_key(client, account, segment, attributes, named):
    response = create(client, account, segment, {**CLUB, "icon_id": upload(client, account), **attributes})

    assert response.status_code == 422, response.get_json()
    assert named in error_text(response)


def test_a_primary_logo_needs_the_poster_face(client, account):
    response = create(client, account, "store_cards", {
        **CLUB, "poster_generic": None, "footer_fields": None, "icon_id": upload(client, account),
        "primary_logo_id": upload(client, account, "primaryLogo")})

    assert response.status_code == 422, response.get_json()
    assert "primaryLogo.png: a storeCard shows no primaryLogo image" in error_text(response)
