"""Browser tests: the real app served on 127.0.0.1 by a real server thread, driven by
Playwright through Debian's Chromium (`apt-get install chromium`; .ci/run installs it).

Playwright cannot download its own browsers here, so it launches /usr/bin/chromium.
One browser serves the whole session; each test gets a fresh context (no cookies
shared) whose every request to anywhere but the test server is aborted and recorded,
so a page that needs the internet fails here as it would offline.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask

from tests.api.conftest import pass_certificate, wwdr  # noqa: F401  (fixtures for the certificates page)
from tests.conftest import _delete_all_rows
from tests.http_servers import wsgi_server
from walletservice import create_app
from walletservice.extensions import db

CHROMIUM = os.environ.get("WALLET_TEST_CHROMIUM", "/usr/bin/chromium")
# Where screenshots of each page go (CI keeps them as artifacts); default: the test's tmp dir.
ARTIFACTS = os.environ.get("WALLET_TEST_ARTIFACTS", "")

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements.txt)")


@dataclass
class LiveServer:
    app: Flask
    url: str


@dataclass
class BrowserPage:
    page: object  # playwright.sync_api.Page
    base_url: str
    blocked: list[str] = field(default_factory=list)  # requests that tried to leave 127.0.0.1


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (as .ci/run does)")
    with sync_api.sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def live_server(test_settings: dict[str, object], tmp_path: Path) -> Iterator[LiveServer]:
    """The app on plain http://127.0.0.1 (so the session cookie is not Secure), empty tables."""
    app = create_app({**test_settings, "WALLET_PUBLIC_URL": "http://127.0.0.1"}, instance_dir=tmp_path / "instance")
    with app.app_context():
        _delete_all_rows()
        for url in wsgi_server(app):
            app.config["WALLET_PUBLIC_URL"] = url
            yield LiveServer(app, url)
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def browser_page(browser, live_server: LiveServer) -> Iterator[BrowserPage]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(15000)  # an upper bound: the machine may be busy; passing tests do not wait it out
    result = BrowserPage(context.new_page(), live_server.url)

    def only_the_test_server(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(live_server.url + "/"):
            route.continue_()
        else:
            result.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_test_server)
    yield result
    context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = Path(ARTIFACTS) if ARTIFACTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True) -> Path:  # type: ignore[no-untyped-def]
        path = folder / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path
    return take
