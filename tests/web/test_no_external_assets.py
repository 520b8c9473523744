"""No page we serve loads script or style from another host: /docs and the dashboard
work on a machine with no internet (the vendored files are served by us, and
docs/vendored-assets.md records where each came from and its sha256)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import Account, new_account
from tests.dashboard.conftest import add_user, signed_in_client
from tests.web.test_download_page import issue, local
from walletservice.web import vendor_assets

ROOT = Path(__file__).resolve().parents[2]
VENDOR_DIR = ROOT / "walletservice" / "web" / "static" / "vendor"
# <script src=...>, <link href=...>, CSS url(...) and @import: anything a browser fetches to run or style a page.
LOADED = re.compile(r"""<script[^>]*\bsrc=["']?([^"' >]+)|<link[^>]*\bhref=["']?([^"' >]+)|url\(\s*["']?([^"')]+)|"""
                    r"""@import\s+["']([^"']+)""", re.IGNORECASE)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


def external_references(html: str) -> list[str]:
    references = [next(group for group in match.groups() if group) for match in LOADED.finditer(html)]
    return [reference for reference in references if EXTERNAL.match(reference)]


def test_the_check_finds_a_cdn_script_a_stylesheet_and_a_font() -> None:
    html = ('<script src="https://cdn.jsdelivr.net/x.js"></script><link rel="stylesheet" href="//fonts.example/a.css">'
            '<style>@font-face { src: url("http://fonts.gstatic.com/f.woff") }</style><script src="/static/a.js">')
    assert len(external_references(html)) == 3


@pytest.mark.parametrize("query", ["", "?api=v2", "?api=v3", "?api=v1", "?api=wallet"])
def test_docs_load_only_our_own_redoc(client: FlaskClient, query: str) -> None:
    response = client.get(f"/docs{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and external_references(html) == []
    assert vendor_assets.REDOC_SCRIPT in html
    assert "https:" not in response.headers["Content-Security-Policy"]


def test_dashboard_pages_reference_nothing_elsewhere(app: Flask, client: FlaskClient) -> None:
    pages = {"/dashboard/login": client.get("/dashboard/login")}
    signed_in = signed_in_client(app, add_user(new_account("Toy Town").id, "owner@toy.test", "owner"))
    for path in ("/dashboard", "/dashboard/campaigns", "/dashboard/audit"):
        pages[path] = signed_in.get(path)
    for path, response in pages.items():
        assert response.status_code == 200, path
        assert external_references(response.get_data(as_text=True)) == [], path
        assert "https:" not in response.headers["Content-Security-Policy"], path


def test_the_download_page_references_nothing_elsewhere(client: FlaskClient, account: Account) -> None:
    response = client.get(local(issue(client, account)["page_url"]))
    assert response.status_code == 200 and external_references(response.get_data(as_text=True)) == []


def test_our_stylesheets_and_scripts_fetch_nothing_elsewhere() -> None:
    package = ROOT / "walletservice"
    for path in [*package.glob("*/static/*.css"), *package.glob("*/static/*.js")]:
        assert external_references(path.read_text()) == [], path


@pytest.mark.parametrize("path", [vendor_assets.REDOC_SCRIPT, vendor_assets.HTMX_SCRIPT,
                                  vendor_assets.UPLOT_SCRIPT, vendor_assets.UPLOT_STYLESHEET])
def test_each_vendored_file_is_served_and_matches_its_recorded_sha256(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    digest = hashlib.sha256(response.get_data()).hexdigest()
    recorded = (ROOT / "docs" / "vendored-assets.md").read_text()
    assert f"`{path.removeprefix('/static/vendor/')}`" in recorded and digest in recorded


def test_every_vendored_library_ships_its_license() -> None:
    folders = [folder for folder in VENDOR_DIR.iterdir() if folder.is_dir()]
    assert len(folders) == 3
    assert all((folder / "LICENSE").is_file() for folder in folders)
