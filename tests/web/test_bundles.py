"""The bundle page (/b/<token>) and its .pkpasses: the passes of one organization that share
a Passcreator bundleId download with one link (docs/download-page.md, "Bundle page")."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from tests.api.conftest import Account
from tests.v3.conftest import V3Client, make_template
from tests.web.page_parsing import parse_page
from tests.web.test_download_page import events, local
from walletservice.db import transaction
from walletservice.models import Campaign, Pass

PUBLIC_URL = "https://wallet.example.test"


@pytest.fixture
def template_id(account: Account) -> str:
    return make_template(account.id)


@pytest.fixture
def v3(client: FlaskClient, account: Account) -> V3Client:
    return V3Client(client, account.api_key)


def create(v3: V3Client, template_id: str, **data: Any) -> dict[str, Any]:
    response = v3.post("/pass?async=false", json={"data": {"templateId": template_id, **data}})
    assert response.status_code == 200, response.json
    return dict(response.json["data"])


def patch(v3: V3Client, identifier: str, **data: Any) -> dict[str, Any]:
    response = v3.patch(f"/pass/{identifier}?async=false", json={"data": data})
    assert response.status_code == 200, response.json
    return dict(response.json["data"])


def own_page(created: dict[str, Any]) -> str:
    return local(created["iPhoneUri"]).replace("/download/", "/p/").removesuffix(".pkpass")


def serial_of(identifier: str) -> str:
    with transaction(write=False) as session:
        return session.get(Pass, identifier).serial_number


def entries(client: FlaskClient, bundle_link: str) -> dict[str, bytes]:
    response = client.get(local(bundle_link) + "/passes.pkpasses")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/vnd.apple.pkpasses"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def pass_json(pkpass: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(pkpass)) as archive:
        return dict(json.loads(archive.read("pass.json")))


def serials(client: FlaskClient, bundle_link: str) -> list[str]:
    return [pass_json(content)["serialNumber"] for content in entries(client, bundle_link).values()]


def assert_signed_pkpass(pkpass: bytes, ca_pem: Path, folder: Path) -> None:
    """Every file is in the manifest with its SHA-1, and the signature verifies with openssl."""
    with zipfile.ZipFile(io.BytesIO(pkpass)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files["manifest.json"])
    assert manifest == {name: hashlib.sha1(data).hexdigest() for name, data in files.items()
                        if name not in ("manifest.json", "signature")}
    folder.mkdir()
    (folder / "manifest.json").write_bytes(files["manifest.json"])
    (folder / "signature").write_bytes(files["signature"])
    verified = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "signature", "-content", "manifest.json",
         "-CAfile", str(ca_pem), "-purpose", "any", "-out", "/dev/null"],
        cwd=folder, capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr


def enable_pin(campaign_id: str) -> None:
    with transaction() as session:
        campaign = session.get(Campaign, campaign_id)
        campaign.settings = {**(campaign.settings or {}), "download_pin_enabled": True}


def test_passes_with_the_same_bundle_id_share_one_link_that_does_not_show_the_bundle_id(v3, template_id):
    first = create(v3, template_id, bundleId="order-1234")
    second = create(v3, template_id, bundleId="order-1234")
    other = create(v3, template_id, bundleId="order-1235")
    alone = create(v3, template_id)

    link = first["downloadPage"]
    assert link.startswith(f"{PUBLIC_URL}/b/") and "order-1234" not in link
    assert second["downloadPage"] == link == first["bundleDownloadPage"] == second["bundleDownloadPage"]
    assert other["downloadPage"] != link
    assert alone["downloadPage"] == f"{PUBLIC_URL}{own_page(alone)}" and alone["bundleDownloadPage"] is None


def test_bundle_page_lists_the_passes_with_one_add_all_button(client, v3, template_id):
    first = create(v3, template_id, bundleId="order-1234", firstname="Ada")
    second = create(v3, template_id, bundleId="order-1234", firstname="Grace")

    response = client.get(local(first["downloadPage"]))

    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store"
    page = parse_page(response.get_data(as_text=True))
    assert page.links["add-all-to-wallet"] == first["downloadPage"] + "/passes.pkpasses"
    assert "Add all to Apple Wallet" in page.texts
    assert [page.links["own-page-1"], page.links["own-page-2"]] == [own_page(first), own_page(second)]
    assert "Summer Gala" in page.texts and "too-large" not in page.ids
    assert len(events("viewed")) == 2


def test_pkpasses_is_a_zip_of_each_pass_signed_pkpass(client, v3, template_id, dev_ca_pem, tmp_path):
    first = create(v3, template_id, bundleId="order-1234")
    second = create(v3, template_id, bundleId="order-1234")

    files = entries(client, first["downloadPage"])

    assert list(files) == ["pass-1.pkpass", "pass-2.pkpass"]
    assert [pass_json(content)["serialNumber"] for content in files.values()] == [
        serial_of(first["identifier"]), serial_of(second["identifier"])]
    for number, content in enumerate(files.values()):
        assert_signed_pkpass(content, dev_ca_pem, tmp_path / str(number))
    # The same signed bytes the single download serves: one builder, one cache.
    assert files["pass-1.pkpass"] == client.get(local(first["iPhoneUri"])).data


def test_downloading_the_bundle_records_a_download_per_pass(client, v3, template_id):
    first = create(v3, template_id, bundleId="order-1234")
    second = create(v3, template_id, bundleId="order-1234")

    entries(client, first["downloadPage"])

    assert sorted(event.pass_id for event in events("downloaded")) == sorted(
        [first["identifier"], second["identifier"]])
    with transaction(write=False) as session:
        assert all(pass_.first_downloaded_at is not None for pass_ in session.scalars(select(Pass)))


def test_head_requests_of_the_bundle_record_no_view_and_no_download(client, v3, template_id):
    first = create(v3, template_id, bundleId="order-1234")
    create(v3, template_id, bundleId="order-1234")

    page = client.head(local(first["downloadPage"]))
    download = client.head(local(first["downloadPage"]) + "/passes.pkpasses")

    assert page.status_code == 200 and download.status_code == 200
    assert download.mimetype == "application/vnd.apple.pkpasses"
    assert events("viewed") == [] and events("downloaded") == []
    with transaction(write=False) as session:
        assert all(pass_.first_downloaded_at is None for pass_ in session.scalars(select(Pass)))


def test_another_organization_with_the_same_bundle_id_gets_its_own_bundle(client, v3, template_id, other_account):
    ours = create(v3, template_id, bundleId="order-1234")
    create(v3, template_id, bundleId="order-1234")
    theirs = create(V3Client(client, other_account.api_key), make_template(other_account.id), bundleId="order-1234")

    assert theirs["downloadPage"] != ours["downloadPage"]
    assert serials(client, theirs["downloadPage"]) == [serial_of(theirs["identifier"])]
    page = parse_page(client.get(local(theirs["downloadPage"])).get_data(as_text=True))
    assert page.links["own-page-1"] == own_page(theirs) and "own-page-2" not in page.links


def test_unknown_or_tampered_tokens_are_the_html_404_page(client, v3, template_id):
    link = local(create(v3, template_id, bundleId="order-1234")["downloadPage"])
    tampered = link[:-2] + ("AA" if not link.endswith("AA") else "BB")

    for path in ("/b/not-a-token", tampered, tampered + "/passes.pkpasses", "/b/x.y/passes.pkpasses"):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "text/html", path
        assert "Pass not found" in parse_page(response.get_data(as_text=True)).texts


def test_a_bundle_whose_passes_are_all_deleted_is_404(client, v3, template_id):
    first = create(v3, template_id, bundleId="order-1234")
    second = create(v3, template_id, bundleId="order-1234")
    for created in (first, second):
        assert v3.delete(f"/pass/{created['identifier']}").status_code == 200

    assert client.get(local(first["downloadPage"])).status_code == 404
    assert client.get(local(first["downloadPage"]) + "/passes.pkpasses").status_code == 404


def test_a_pin_protected_pass_is_left_out_of_the_file_and_linked_to_its_own_page(client, v3, account, template_id):
    pin_template = make_template(account.id, "Backstage")
    enable_pin(pin_template)
    open_pass = create(v3, template_id, bundleId="order-1234")
    protected = create(v3, pin_template, bundleId="order-1234", downloadPin="4711", firstname="Secret Ada")

    page_html = client.get(local(open_pass["downloadPage"])).get_data(as_text=True)

    page = parse_page(page_html)
    assert page.links["pin-page-2"] == own_page(protected) and "own-page-2" not in page.links
    assert "Secret Ada" not in page_html and protected["barcodeValue"] not in page_html
    assert serials(client, open_pass["downloadPage"]) == [serial_of(open_pass["identifier"])]
    assert "pin" in parse_page(client.get(own_page(protected)).get_data(as_text=True)).ids  # its own page asks
    assert [event.pass_id for event in events("downloaded")] == [open_pass["identifier"]]


def test_a_bundle_of_only_pin_protected_passes_offers_no_file(client, v3, account):
    pin_template = make_template(account.id, "Backstage")
    enable_pin(pin_template)
    protected = create(v3, pin_template, bundleId="order-1234", downloadPin="4711")

    page = parse_page(client.get(local(protected["downloadPage"])).get_data(as_text=True))

    assert "add-all-to-wallet" not in page.links and page.links["pin-page-1"] == own_page(protected)
    assert client.get(local(protected["downloadPage"]) + "/passes.pkpasses").status_code == 404


def test_a_voided_pass_is_listed_as_no_longer_valid_and_left_out(client, v3, template_id):
    valid = create(v3, template_id, bundleId="order-1234")
    voided = create(v3, template_id, bundleId="order-1234")
    with transaction() as session:
        session.execute(update(Pass).where(Pass.id == voided["identifier"]).values(voided=True))

    page = parse_page(client.get(local(valid["downloadPage"])).get_data(as_text=True))

    assert "voided-2" in page.ids and "own-page-2" not in page.links and "voided-1" not in page.ids
    assert serials(client, valid["downloadPage"]) == [serial_of(valid["identifier"])]


def test_patch_moves_a_pass_between_bundles_and_null_takes_it_out(client, v3, template_id):
    first = create(v3, template_id, bundleId="order-1")
    moving = create(v3, template_id, bundleId="order-1")
    other = create(v3, template_id, bundleId="order-2")

    moved = patch(v3, moving["identifier"], bundleId="order-2")

    assert moved["bundleId"] == "order-2" and moved["downloadPage"] == other["downloadPage"]
    assert serials(client, first["downloadPage"]) == [serial_of(first["identifier"])]
    # In creation order: the pass that moved was made first.
    assert serials(client, other["downloadPage"]) == [serial_of(moving["identifier"]), serial_of(other["identifier"])]

    removed = patch(v3, moving["identifier"], bundleId=None)

    assert removed["bundleId"] is None and removed["bundleDownloadPage"] is None
    assert removed["downloadPage"] == f"{PUBLIC_URL}{own_page(moving)}"
    assert serials(client, other["downloadPage"]) == [serial_of(other["identifier"])]


def test_an_eleventh_pass_is_refused_and_a_bundle_grown_past_ten_is_not_offered(client, v3, template_id):
    bundled = [create(v3, template_id, bundleId="order-1234") for _ in range(10)]
    extra = create(v3, template_id)

    refused = v3.post("/pass?async=false", json={"data": {"templateId": template_id, "bundleId": "order-1234"}})
    assert refused.status_code == 400 and "at most 10 passes" in refused.json["errors"][0]
    assert v3.patch(f"/pass/{extra['identifier']}?async=false",
                    json={"data": {"bundleId": "order-1234"}}).status_code == 400

    with transaction() as session:  # as two simultaneous creations could leave it
        session.get(Pass, extra["identifier"]).extra = {"bundleId": "order-1234"}
    link = local(bundled[0]["downloadPage"])
    page = parse_page(client.get(link).get_data(as_text=True))
    assert "too-large" in page.ids and "add-all-to-wallet" not in page.links
    too_large = client.get(link + "/passes.pkpasses")
    assert too_large.status_code == 409 and too_large.mimetype == "text/html"
    assert "at most 10 passes" in too_large.get_data(as_text=True) and events("downloaded") == []


def test_a_token_with_characters_appended_outside_its_alphabet_is_404(client, v3, template_id):
    # itsdangerous drops non-ASCII before checking the signature: "token" + "ÿ" would open the bundle.
    link = local(create(v3, template_id, bundleId="order-1234")["downloadPage"])

    for path in (link + "%FF%FE", link + "%C3%BF", link + "%C3%BF/passes.pkpasses"):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "text/html", path
