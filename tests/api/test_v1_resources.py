"""/v1/ping, /v1/assets, /v1/certificates, the v1 OpenAPI document, and how /v1 sits
next to Apple's web service at /wallet/v1."""

from __future__ import annotations

import base64
import io

from tests.api.conftest import Account, p12_bytes, error_text
from tests.api.test_campaigns import create, toy_town, upload
from tests.factories import make_campaign, make_organization, make_pass, png_bytes
from walletservice.api.v1 import v1_api

ASSET_KEYS = {"id", "asset_type", "created_at"}


def v1_upload(client, account: Account, asset_type: str = "background", data: bytes | None = None):
    # v1/assets.md's curl example: multipart asset[asset_type] and asset[file].
    form = {"asset[asset_type]": asset_type,
            "asset[file]": (io.BytesIO(data or png_bytes((360, 440))), "my-background.png")}
    return client.post("/v1/assets", data=form, headers={**account.basic, "Accept": "application/json"},
                       content_type="multipart/form-data")


def test_ping_with_and_without_credentials(client, account):
    assert client.get("/v1/ping").get_json() == {"ping": "pong", "authenticated": False}
    assert client.get("/v1/ping", headers=account.basic).get_json()["authenticated"] is True
    bad = client.get("/v1/ping", headers={"Authorization": "Basic eDp5"})
    assert bad.status_code == 401 and bad.get_json()["errors"]


def test_upload_list_get_and_delete_an_asset_in_v1_shape(client, account):
    uploaded = v1_upload(client, account)
    assert uploaded.status_code == 201, uploaded.get_json()
    asset = uploaded.get_json()
    assert set(asset) == ASSET_KEYS and asset["asset_type"] == "background"
    assert asset["created_at"].endswith("Z")

    listed = client.get("/v1/assets", headers=account.basic)
    assert listed.get_json() == [asset] and listed.headers["X-Total"] == "1"
    assert client.get(f"/v1/assets/{asset['id']}", headers=account.basic).get_json() == asset
    assert client.delete(f"/v1/assets/{asset['id']}", headers=account.basic).get_json() == {"errors": []}
    assert client.get("/v1/assets", headers=account.basic).get_json() == []


def test_bad_asset_uploads_are_refused(client, account):
    wrong_type = v1_upload(client, account, asset_type="banner")
    not_an_image = v1_upload(client, account, data=b"GIF89a-not-really")
    as_json = client.post("/v1/assets", json={"asset": {"asset_type": "icon"}}, headers=account.basic)

    assert wrong_type.status_code == 422 and "asset[asset_type]" in wrong_type.get_json()["errors"]
    assert not_an_image.status_code == 422
    assert as_json.status_code == 400
    assert client.get("/v1/assets", headers=account.basic).get_json() == []


def test_assets_of_others_and_assets_in_use(client, account, other_account):
    icon = upload(client, account)
    assert create(client, account, "generics", toy_town(icon)).status_code == 201

    in_use = client.delete(f"/v1/assets/{icon}", headers=account.basic)

    assert in_use.status_code == 412 and "used by a campaign" in error_text(in_use)
    assert client.get(f"/v1/assets/{icon}", headers=other_account.basic).status_code == 404
    assert client.delete(f"/v1/assets/{icon}", headers=other_account.basic).status_code == 404
    assert client.get("/v1/assets?per_page=x", headers=account.basic).status_code == 422


def test_certificates_list_in_v1_shape(client, account, other_account, pass_certificate, wwdr):
    fields = {"p12": base64.b64encode(p12_bytes(pass_certificate, [wwdr.certificate])).decode(),
              "password": "s3cret"}
    assert client.post("/v2/certificates", json={"certificate": fields}, headers=account.basic).status_code == 201

    mine = client.get("/v1/certificates", headers=account.basic).get_json()
    theirs = client.get("/v1/certificates", headers=other_account.basic).get_json()

    assert [set(item) for item in mine] == [{"id", "team_identifier", "pass_type_identifier", "issued_to",
                                             "expires_at"}]
    assert mine[0]["pass_type_identifier"] == "pass.com.example.toytown" and mine[0]["team_identifier"] == "TOYTOWN123"
    assert theirs == []
    assert client.get("/v1/certificates").status_code == 401


def test_certificates_are_not_created_through_v1(client, account):
    response = client.post("/v1/certificates", json={"certificate": {}}, headers=account.basic)

    assert response.status_code == 405 and response.headers["Allow"] == "GET"
    assert "POST /v2/certificates" in error_text(response)


def test_unknown_v1_paths_and_methods_answer_json(client, account):
    missing = client.get("/v1/tickets", headers=account.basic)
    wrong_method = client.delete("/v1/ping", headers=account.basic)
    campaign_patch = client.patch("/v1/coupons/00000000-0000-0000-0000-000000000000", json={},
                                  headers=account.basic)

    assert missing.status_code == 404 and missing.get_json() == {"errors": {"path": "Not found."}}
    assert wrong_method.status_code == 405 and wrong_method.get_json()["errors"]
    assert campaign_patch.status_code == 405 and "PATCH is not allowed" in error_text(campaign_patch)
    assert client.get("/nowhere").status_code == 404 and client.get("/nowhere").mimetype == "text/html"
    assert client.get("/v2/nowhere").get_json() == {"errors": {"path": "Not found."}}


def test_wallet_web_service_under_wallet_v1_is_untouched(client, app):
    organization, _key = make_organization()
    pass_ = make_pass(make_campaign(organization), serial_number="SKY-0001")
    url = f"/wallet/v1/passes/{pass_.pass_type_identifier}/SKY-0001"
    auth = {"Authorization": f"ApplePass {pass_.authentication_token}"}

    assert client.get(url, headers=auth).status_code == 200
    assert client.get(url.replace("/wallet/v1", "/wallet//v1"), headers=auth).status_code == 200
    # Wallet's calls have no /v1 API counterpart: an unknown path there stays Apple's bare 404,
    # and the same path under the API's /v1 is the API's JSON 404.
    assert client.get("/wallet/v1/nothing").get_json(silent=True) is None
    assert client.get(url.removeprefix("/wallet"), headers=auth).get_json() == {"errors": {"path": "Not found."}}
    # A client joining a base URL that ends in "/" sends //v1/...: collapsed like //wallet.
    assert client.get("/", environ_overrides={"PATH_INFO": "//v1/ping"}).get_json()["ping"] == "pong"


def test_v1_openapi_document_lists_every_v1_route(client):
    document = client.get("/v1/openapi.json").get_json()

    assert document["openapi"].startswith("3.1")
    for operation in v1_api.operations:
        assert operation.method.lower() in document["paths"]["/v1" + operation.openapi_path]
    assert all(path.startswith("/v1/") for path in document["paths"])
    v2_paths = client.get("/v2/openapi.json").get_json()["paths"]
    assert not any(path.startswith("/v1") for path in v2_paths)
