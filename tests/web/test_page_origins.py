"""Campaign CSS/JavaScript never runs in the API's origin (issue 13, item 6): pages move to
WALLET_PAGES_URL when it is set, and are sandboxed into an opaque origin when it is not."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.web.page_parsing import parse_page
from tests.web.test_download_page import PUBLIC_URL, issue, local
from tests.web.test_download_pin import PIN, PIN_CAMPAIGN, post_pin, protected
from walletservice.config import load_settings
from walletservice.db import transaction
from walletservice.models import Pass
from walletservice.web.access import UNLOCK_COOKIE
from walletservice.web.pages import CONTENT_SECURITY_POLICY, SANDBOXED_CONTENT_SECURITY_POLICY

PAGES_URL = "https://pages.example.test"
NO_CODE = {"stylesheet": "", "javascript": ""}


def _policy_directives(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [directive.strip() for directive in response.headers["Content-Security-Policy"].split(";")]


def test_page_with_campaign_code_is_sandboxed_without_same_origin(client, account):
    issued = issue(client, account)

    response = client.get(local(issued["page_url"]))

    assert response.status_code == 200
    sandbox = [directive for directive in _policy_directives(response) if directive.startswith("sandbox")]
    assert sandbox and "allow-scripts" in sandbox[0] and "allow-same-origin" not in sandbox[0]
    assert parse_page(response.get_data(as_text=True)).scripts  # the campaign's script is still loaded


def test_page_with_only_campaign_css_is_sandboxed_too(client, account):
    issued = issue(client, account, {"javascript": ""})
    assert client.get(local(issued["page_url"])).headers["Content-Security-Policy"] == SANDBOXED_CONTENT_SECURITY_POLICY


def test_page_without_campaign_code_keeps_the_plain_policy(client, account):
    issued = issue(client, account, NO_CODE)
    assert client.get(local(issued["page_url"])).headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_sandboxed_unlocked_page_gives_its_files_the_unlock_value(client, account):
    issued = protected(client, account)
    assert post_pin(client, issued, PIN).status_code == 303
    page = client.get(local(issued["page_url"]))
    parsed = parse_page(page.get_data(as_text=True))
    files = [*parsed.stylesheets, *(str(script["src"]) for script in parsed.scripts)]
    own_files = [path for path in files if path.startswith("/p/")]
    assert own_files and all("unlock=" in path for path in own_files)

    client.delete_cookie(UNLOCK_COOKIE, path=local(issued["page_url"]))
    for path in own_files:  # no cookie: the value in the link opens the file
        assert client.get(path).status_code == 200, path
        assert client.get(path.split("unlock=")[0] + "unlock=junk").status_code == 403, path


def test_pages_url_must_be_another_origin_than_the_api():
    with pytest.raises(ValueError, match="another origin"):
        load_settings({}, overrides={"WALLET_PUBLIC_URL": PUBLIC_URL, "WALLET_PAGES_URL": PUBLIC_URL + "/"})
    with pytest.raises(ValueError, match="scheme://host"):
        load_settings({}, overrides={"WALLET_PUBLIC_URL": PUBLIC_URL, "WALLET_PAGES_URL": "pages.example.test"})


@pytest.fixture
def pages_origin(app):  # type: ignore[no-untyped-def]
    app.config["WALLET_PAGES_URL"] = PAGES_URL
    return PAGES_URL


def test_with_pages_url_a_page_on_the_api_origin_moves_there(client, account, pages_origin):
    issued = issue(client, account)
    path = local(issued["page_url"])

    moved = client.get(path + "?preview=x")
    pin_form = client.post(path + "/pin", data={"pin": "1"})

    assert moved.status_code == 308 and moved.headers["Location"] == f"{PAGES_URL}{path}?preview=x"
    assert pin_form.status_code == 308 and pin_form.headers["Location"] == f"{PAGES_URL}{path}/pin"


def test_with_pages_url_the_page_is_served_there_unsandboxed(client, account, pages_origin):
    issued = issue(client, account)
    response = client.get(local(issued["page_url"]), base_url=PAGES_URL)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert client.get(local(issued["page_url"]) + "/custom.js", base_url=PAGES_URL).status_code == 200


@pytest.mark.parametrize("method, path", [
    ("GET", "/v2/ping"), ("GET", "/v2/assets"), ("GET", "/api/v3/passes"), ("POST", "/wallet/v1/log"),
    ("GET", "/healthz"),
])
def test_with_pages_url_the_pages_origin_answers_nothing_but_pages(client, account, pages_origin, method, path):
    response = client.open(path, method=method, base_url=PAGES_URL, headers=account.basic, json={"logs": ["x"]})
    assert response.status_code == 404


def test_with_pages_url_customer_links_point_to_the_pages_origin(client, account, pages_origin):
    campaign = issue(client, account, PIN_CAMPAIGN)
    created = client.post("/api/v3/pass?async=false", headers={"Authorization": account.api_key},
                          json={"data": {"templateId": campaign["campaign_id"]}})
    identifier = created.get_json()["data"]["identifier"]
    with transaction(write=False) as session:
        download_id = session.scalar(select(Pass.download_id).where(Pass.id == identifier))
    assert created.get_json()["data"]["downloadPage"] == f"{PAGES_URL}/p/{download_id}"
