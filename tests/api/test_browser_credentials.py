"""Credentials a browser holds for the API serve only the API's own origin (issue 13, item 6).

A browser caches HTTP Basic credentials after a prompt and attaches them to later
requests to the API, even ones a script on another origin (or a sandboxed page) makes.
So cross-site browser requests are refused, and a browser is never sent the challenge
that makes it prompt; clients without fetch metadata (curl, SDKs) keep the challenge.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.api.test_campaigns import upload
from walletservice.extensions import db
from walletservice.models import Campaign


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_cross_site_browser_request_with_credentials_is_401(client, account, site):
    response = client.get("/v2/assets", headers={**account.basic, "Sec-Fetch-Site": site, "Sec-Fetch-Mode": "cors"})
    assert response.status_code == 401


@pytest.mark.parametrize("site", ["same-origin", "none"])
def test_same_origin_or_typed_browser_request_is_served(client, account, site):
    response = client.get("/v2/assets", headers={**account.basic, "Sec-Fetch-Site": site, "Sec-Fetch-Mode": "cors"})
    assert response.status_code == 200


def test_cross_site_text_plain_post_creates_nothing(client, account):
    # text/plain needs no CORS preflight, and the API reads JSON whatever the Content-Type.
    body = json.dumps({"coupon": {"name": "Forged", "icon_id": upload(client, account)}})
    response = client.post("/v2/coupons", data=body, content_type="text/plain",
                           headers={**account.basic, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"})
    assert response.status_code == 401
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Campaign)).scalar_one() == 0


def test_browser_gets_no_basic_challenge(client):
    response = client.get("/v2/assets", headers={"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "none"})
    assert response.status_code == 401
    assert "WWW-Authenticate" not in response.headers


def test_api_client_without_fetch_metadata_keeps_the_basic_challenge(client):
    response = client.get("/v2/assets")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="walletservice"'
