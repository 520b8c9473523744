"""A campaign's own page (page_url, distributions) and advanced-features.md's remote_form_url."""

from __future__ import annotations

import pytest

from tests.api.conftest import Account
from tests.api.test_campaigns import create, upload
from tests.api.test_templates import new_template
from tests.web.test_download_page import BAYROAST, PUBLIC_URL, local

DISTRIBUTION_KEYS = {"id", "distribution_type", "state", "page_url", "pkpass_url", "preview_url", "page_short_url",
                     "pkpass_short_url", "preview_short_url", "created_at", "updated_at", "published_at"}


def remote_form_example(template_id: str) -> dict:
    """advanced-features.md, "Setting up a campaign with a remote_form_url" (our template's id)."""
    return {"coupon": {"name": "Remote Form URL Example", "template_id": template_id,
                       "remote_form_url": "http://example.org"}}


@pytest.fixture
def template_id(client, account: Account) -> str:  # type: ignore[no-untyped-def]
    created = new_template(client, account, icon_id=upload(client, account))
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def bayroast(client, account: Account, **changes) -> dict:  # type: ignore[no-untyped-def]
    attributes = {**BAYROAST, "icon_id": upload(client, account), "logo_id": upload(client, account, "logo"), **changes}
    created = create(client, account, "store_cards", attributes)
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def test_the_remote_form_example_answers_the_documented_keys(client, account, template_id):  # type: ignore[no-untyped-def]
    response = client.post("/v2/coupons/", json=remote_form_example(template_id), headers=account.basic)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert {"id", "name", "template_id", "organization_name", "barcode", "render_on_short_url", "remote_form_url",
            "created_at", "updated_at", "distributions"} <= set(body)
    assert (body["remote_form_url"], body["render_on_short_url"]) == ("http://example.org", False)
    assert body["barcode"]["alt_text_type"] == "mirror"
    [distribution] = body["distributions"]
    assert set(distribution) == DISTRIBUTION_KEYS
    assert (distribution["distribution_type"], distribution["state"]) == ("downloadPage", "published")
    assert distribution["page_url"] == body["page_url"] and body["page_url"].startswith(f"{PUBLIC_URL}/d/")
    assert distribution["pkpass_url"] == f"{body['page_url']}/pass.pkpass"
    assert distribution["preview_url"] == f"{body['page_url']}/preview.png"
    for name in ("page", "pkpass", "preview"):
        assert distribution[f"{name}_short_url"] == distribution[f"{name}_url"]
    assert client.get(f"/v2/coupons/{body['id']}", headers=account.basic).get_json()["distributions"] == [distribution]


def test_the_page_redirects_to_the_remote_form_with_the_campaign_id(client, account, template_id):  # type: ignore[no-untyped-def]
    body = client.post("/v2/coupons/", json=remote_form_example(template_id), headers=account.basic).get_json()

    response = client.get(local(body["page_url"]))

    # "http://example.org?campaign_id=<campaign_id>", and "The redirect is always a GET request".
    assert response.status_code == 302
    assert response.headers["Location"] == f"http://example.org?campaign_id={body['id']}"


def test_a_query_of_the_remote_form_url_is_kept_and_its_campaign_id_replaced(client, account):  # type: ignore[no-untyped-def]
    campaign = bayroast(client, account, remote_form_url="https://forms.example.com/join?lang=pt&campaign_id=x")

    response = client.get(local(campaign["page_url"]))

    assert response.headers["Location"] == f"https://forms.example.com/join?lang=pt&campaign_id={campaign['id']}"


@pytest.mark.parametrize("url", ["example.org", "ftp://example.org/", "javascript:alert(1)", "http://",
                                 "http://example.org/a b", "http://example.org/\r\nX: 1", 7, "http://x.test/" + "a" * 2048])
def test_a_bad_remote_form_url_is_422_json(client, account, url):  # type: ignore[no-untyped-def]
    attributes = {**BAYROAST, "icon_id": upload(client, account), "remote_form_url": url}

    response = create(client, account, "store_cards", attributes)

    assert response.status_code == 422 and response.is_json
    assert "remote_form_url" in str(response.get_json()["errors"])


def test_null_removes_the_remote_form_and_the_page_issues_passes_again(client, account):  # type: ignore[no-untyped-def]
    campaign = bayroast(client, account, remote_form_url="https://forms.example.com/join")
    patched = client.patch(f"/v2/store_cards/{campaign['id']}", json={"store_card": {"remote_form_url": None}},
                           headers=account.basic)
    assert patched.status_code == 200 and patched.get_json()["remote_form_url"] is None

    page = client.get(local(campaign["page_url"]))

    assert page.status_code == 200 and 'id="add-to-wallet"' in page.get_data(as_text=True)


def test_the_page_issues_one_new_pass_per_visitor_and_window(client, account):  # type: ignore[no-untyped-def]
    campaign = bayroast(client, account)
    page = client.get(local(campaign["page_url"]))
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "Bayroast Coffee Store Cards" in html and f'href="{campaign["page_url"]}/pass.pkpass"' in html
    assert client.head(local(campaign["distributions"][0]["pkpass_url"])).status_code == 200  # issues nothing
    passes = f"/v2/store_cards/{campaign['id']}/passes"
    assert client.get(passes, headers=account.basic).headers["X-Total"] == "0"

    issued = client.get(local(campaign["distributions"][0]["pkpass_url"]))

    assert issued.status_code == 303
    assert issued.headers["Location"].startswith(f"{PUBLIC_URL}/download/")
    downloaded = client.get(local(issued.headers["Location"]))
    assert downloaded.status_code == 200 and downloaded.mimetype == "application/vnd.apple.pkpass"
    listed = client.get(passes, headers=account.basic)
    assert listed.headers["X-Total"] == "1"
    assert listed.get_json()[0]["pkpass_url"] == issued.headers["Location"]
    again = client.get(local(campaign["distributions"][0]["pkpass_url"]))
    assert again.status_code == 429 and "try again later" in again.get_data(as_text=True)
    assert client.get(passes, headers=account.basic).headers["X-Total"] == "1"


def test_a_paused_campaigns_page_issues_nothing(client, account):  # type: ignore[no-untyped-def]
    campaign = bayroast(client, account)
    paused = client.post(f"/v2/store_cards/{campaign['id']}/pause", headers=account.basic).get_json()
    assert paused["distributions"][0]["state"] == "paused"

    page = client.get(local(campaign["page_url"]))
    pkpass = client.get(local(campaign["distributions"][0]["pkpass_url"]))

    assert page.status_code == 200 and "issues no passes" in page.get_data(as_text=True)
    assert 'id="add-to-wallet"' not in page.get_data(as_text=True)
    assert pkpass.status_code == 409
    assert client.get(f"/v2/store_cards/{campaign['id']}/passes", headers=account.basic).headers["X-Total"] == "0"


def test_the_preview_is_the_campaigns_logo(client, account):  # type: ignore[no-untyped-def]
    campaign = bayroast(client, account)

    preview = client.get(local(campaign["distributions"][0]["preview_url"]))

    assert preview.status_code == 200 and preview.mimetype == "image/png"
    assert preview.data.startswith(b"\x89PNG")


@pytest.mark.parametrize("suffix", ["", "/pass.pkpass", "/preview.png"])
def test_a_forged_or_deleted_campaigns_page_is_the_not_found_page(client, account, suffix):  # type: ignore[no-untyped-def]
    campaign = bayroast(client, account)
    token = local(campaign["page_url"]).removeprefix("/d/")
    forged = client.get(f"/d/{token[:-2]}xx{suffix}")
    assert forged.status_code == 404 and forged.mimetype == "text/html"
    assert client.delete(f"/v2/store_cards/{campaign['id']}", headers=account.basic).status_code == 200
    assert client.get(f"/d/{token}{suffix}").status_code == 404
