"""Assets: upload, list, get, download a rendition, delete (v2/assets.md)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.api.conftest import Account, row_counts, error_text
from tests.factories import make_campaign, make_pass, png_bytes
from walletservice.db import transaction
from walletservice.models import Campaign, Organization


def _upload(client, account: Account, data: bytes | None = None, asset_type: str = "logo",
            filename: str = "logo.png"):
    form = {"asset[asset_type]": asset_type}
    if data is not None:
        form["asset[file]"] = (io.BytesIO(data), filename)
    return client.post("/v2/assets", data=form, headers=account.basic, content_type="multipart/form-data")


def _jpeg(size=(300, 100)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_upload_converts_any_common_image_to_png_renditions(client, account: Account):
    response = _upload(client, account, _jpeg(), "logo", "logo.jpg")

    assert response.status_code == 201
    asset = response.get_json()
    assert set(asset) == {"id", "asset_type", "asset_url", "created_at", "renditions"}
    assert asset["asset_type"] == "logo"
    assert asset["created_at"].endswith("Z")
    names = [file["file_name"] for file in asset["renditions"]]
    assert names == ["logo.png", "logo@2x.png", "logo@3x.png"]
    assert asset["asset_url"] == f"https://wallet.example.test/v2/assets/{asset['id']}/logo@3x.png"


def test_a_rendition_downloads_as_png_for_its_owner_only(client, account: Account, other_account: Account):
    asset = _upload(client, account, png_bytes((300, 300)), "icon").get_json()
    path = f"/v2/assets/{asset['id']}/icon@2x.png"

    response = client.get(path, headers=account.basic)

    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (58, 58)
    assert client.get(path, headers=other_account.basic).status_code == 404
    assert client.get(f"/v2/assets/{asset['id']}/nope.png", headers=account.basic).status_code == 404
    assert client.get(f"/v2/assets/{asset['id']}/..%2Fetc", headers=account.basic).status_code == 404


def test_get_and_list_show_the_same_asset(client, account: Account):
    created = _upload(client, account, png_bytes(), "icon").get_json()

    assert client.get(f"/v2/assets/{created['id']}", headers=account.basic).get_json() == created
    assert client.get("/v2/assets", headers=account.bearer).get_json() == [created]


@pytest.mark.parametrize("form, expected", [
    ({"asset[asset_type]": "banner"}, "asset[asset_type]"),
    ({}, "asset[asset_type]"),
])
def test_bad_asset_type_is_422_naming_the_field(client, account: Account, form, expected):
    form = {**form, "asset[file]": (io.BytesIO(png_bytes()), "x.png")}
    response = client.post("/v2/assets", data=form, headers=account.basic, content_type="multipart/form-data")

    assert response.status_code == 422
    assert any(message.startswith(expected) for message in response.get_json()["errors"])
    assert row_counts()["assets"] == 0


def test_missing_file_is_422_naming_it(client, account: Account):
    response = _upload(client, account, None)

    assert response.status_code == 422
    assert any(message.startswith("asset[file]") for message in response.get_json()["errors"])


def test_non_image_upload_is_422(client, account: Account):
    response = _upload(client, account, b"%PDF-1.4 not an image", filename="x.pdf")

    assert response.status_code == 422
    assert "not an image" in error_text(response)
    assert row_counts()["assets"] == 0


def test_image_over_one_megabyte_is_refused(client, account: Account):
    just_over = png_bytes() + b"\0" * (1024 * 1024)  # a valid PNG, padded past 1 MB
    far_over = b"\0" * (3 * 1024 * 1024)

    within_envelope = _upload(client, account, just_over)
    beyond_envelope = _upload(client, account, far_over)

    assert within_envelope.status_code == 422 and "limit" in error_text(within_envelope)
    assert beyond_envelope.status_code == 413 and beyond_envelope.get_json()["errors"]
    assert row_counts()["assets"] == 0


def test_json_sent_to_the_upload_is_a_400(client, account: Account):
    response = client.post("/v2/assets", json={"asset": {"asset_type": "icon"}}, headers=account.basic)

    assert response.status_code == 400
    assert "multipart/form-data" in error_text(response)


def test_another_organizations_asset_is_404_everywhere(client, account: Account, other_account: Account):
    foreign = _upload(client, other_account, png_bytes(), "icon").get_json()

    assert client.get(f"/v2/assets/{foreign['id']}", headers=account.basic).status_code == 404
    assert client.delete(f"/v2/assets/{foreign['id']}", headers=account.basic).status_code == 404
    assert client.get("/v2/assets", headers=account.basic).get_json() == []
    assert row_counts()["assets"] == 1


def test_delete_an_unused_asset(client, account: Account):
    asset = _upload(client, account, png_bytes(), "icon").get_json()

    response = client.delete(f"/v2/assets/{asset['id']}", headers=account.basic)

    assert response.status_code == 200
    assert response.get_json() == {"errors": []}
    assert client.get(f"/v2/assets/{asset['id']}", headers=account.basic).status_code == 404


def _campaign_of(account: Account) -> Campaign:
    with transaction(write=False) as session:
        organization = session.get(Organization, account.id)
    return make_campaign(organization)


def test_delete_is_refused_with_412_while_a_campaign_uses_the_asset(client, account: Account):
    icon_id = _campaign_of(account).design["images"]["icon"]

    response = client.delete(f"/v2/assets/{icon_id}", headers=account.basic)

    assert response.status_code == 412
    assert "used by a campaign" in error_text(response)
    assert row_counts()["assets"] == 1


def test_delete_is_refused_while_only_a_pass_uses_the_asset(client, account: Account):
    campaign = _campaign_of(account)
    logo = _upload(client, account, png_bytes((320, 100)), "logo").get_json()
    make_pass(campaign, {"fields": {"passenger": "Ada"}, "images": {"logo": logo["id"]}})

    response = client.delete(f"/v2/assets/{logo['id']}", headers=account.basic)

    assert response.status_code == 412
    assert row_counts()["assets"] == 2


def test_campaigns_of_other_organizations_do_not_block_a_delete(client, account, other_account):
    _campaign_of(other_account)
    asset = _upload(client, account, png_bytes(), "icon").get_json()

    assert client.delete(f"/v2/assets/{asset['id']}", headers=account.basic).status_code == 200
