"""urlToLogo / urlToThumbnail / urlToBackground: fetched only from allowed hosts, with limits,
from a real local HTTP server (loopback allowed only by the test configuration)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from tests.factories import png_bytes
from tests.http_servers import loopback_server, trickle
from tests.v3.conftest import V3Client
from tests.v3.test_create_pass import stored_pass
from walletservice.db import transaction
from walletservice.errors import BadRequest
from walletservice.models import Asset
from walletservice.services.passcreator.image_fetch import FetchPolicy, fetch_image

PNG = png_bytes((160, 160))


class ImageHandler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, bytes]] = {
        "/logo.png": (200, "image/png", PNG),
        "/big.png": (200, "image/png", PNG + b"\0" * 50_000),
        "/page.html": (200, "text/html", b"<html></html>"),
        "/missing.png": (404, "text/plain", b"no"),
        "/moved.png": (302, "text/plain", b""),
    }

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/slow.png":
            time.sleep(1.5)
        if self.path == "/trickle.png":
            trickle(self, "image/png", 30_000, seconds=30)
            return
        status, content_type, body = self.routes.get(self.path, (200, "image/png", PNG))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if status == 302:
            self.send_header("Location", "http://169.254.169.254/latest/meta-data")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def image_server() -> Iterator[str]:
    yield from loopback_server(ImageHandler)


@pytest.fixture
def fetching(app: Any) -> dict[str, Any]:
    app.config.update(WALLET_IMAGE_FETCH_ALLOWED_HOSTS="127.0.0.1", WALLET_IMAGE_FETCH_ALLOW_PRIVATE=True,
                      WALLET_IMAGE_FETCH_MAX_BYTES=40_000, WALLET_IMAGE_FETCH_TIMEOUT_SECONDS=0.5)
    return app.config


def policy(**changes: Any) -> FetchPolicy:
    base = {"allowed_hosts": ("127.0.0.1",), "max_bytes": 40_000, "timeout_seconds": 0.5, "allow_private": True}
    return FetchPolicy(**{**base, **changes})


def test_sync_create_fetches_the_images_into_the_pass(v3: V3Client, template_id: str, image_server: str,
                                                       fetching: Any) -> None:
    response = v3.post("/pass?async=false", json={"data": {
        "templateId": template_id, "urlToLogo": f"{image_server}/logo.png",
        "urlToThumbnail": f"{image_server}/logo.png", "urlToBackground": f"{image_server}/logo.png"}})
    assert response.status_code == 200, response.json
    images = stored_pass(response.json["data"]["identifier"]).content["images"]
    assert set(images) == {"icon", "logo", "thumbnail", "background"}
    with transaction(write=False) as session:
        assert session.get(Asset, images["logo"]).asset_type == "logo"


def test_async_create_fetches_in_the_job_not_the_request(v3: V3Client, template_id: str, image_server: str,
                                                          fetching: Any, run_jobs: Any) -> None:
    response = v3.post("/pass", json={"data": {"templateId": template_id, "urlToLogo": f"{image_server}/logo.png"}})
    identifier = response.json["data"]["identifier"]
    with transaction(write=False) as session:
        assert session.query(Asset).filter_by(asset_type="logo").count() == 0
    run_jobs()
    assert "logo" in stored_pass(identifier).content["images"]


def test_an_async_create_whose_image_fails_reports_it_in_the_process(
        v3: V3Client, template_id: str, image_server: str, fetching: Any, run_jobs: Any) -> None:
    data = v3.post("/pass", json={"data": {"templateId": template_id,
                                           "urlToLogo": f"{image_server}/page.html"}}).json["data"]
    run_jobs()
    process = v3.get(data["process"].removeprefix("https://wallet.example.test/api/v3")).json["data"]
    assert process["status"] == "done" and process["failed"] == 1
    assert "not an image" in process["errors"][0]["error"]
    assert v3.get(f"/pass/{data['identifier']}").status_code == 404


@pytest.mark.parametrize(("path", "changes", "message"), [
    ("/page.html", {}, "not an image (content type text/html)"),
    ("/missing.png", {}, "answered 404"),
    ("/moved.png", {}, "answered 302"),  # redirects are not followed
    ("/big.png", {}, "larger than 40000 bytes"),
    ("/slow.png", {}, "could not be fetched (ReadTimeout)"),
    ("/logo.png", {"allow_private": False}, "non-public address"),
    ("/logo.png", {"allowed_hosts": ("images.example.com",)}, "host 127.0.0.1 is not allowed"),
    ("/logo.png", {"allowed_hosts": ()}, "disabled on this server"),
])
def test_fetches_outside_the_policy_are_refused(image_server: str, path: str, changes: dict[str, Any],
                                                message: str) -> None:
    with pytest.raises(BadRequest) as refused:
        fetch_image(image_server + path, policy(**changes), "urlToLogo")
    assert message in refused.value.message


def test_a_trickling_image_is_abandoned_when_the_fetch_time_is_up(image_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(BadRequest) as refused:
        fetch_image(image_server + "/trickle.png", policy(timeout_seconds=0.5), "urlToLogo")

    # The timeout bounds the whole fetch, not only each read (30 s of bytes here).
    assert time.monotonic() - started < 2
    assert "took longer than 0.5 seconds" in refused.value.message


def test_only_http_urls_without_credentials_are_fetched() -> None:
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/x.png", "http://user:pw@127.0.0.1/x.png", "nonsense"):
        with pytest.raises(BadRequest):
            fetch_image(url, policy(), "urlToLogo")


def test_wildcard_hosts_allow_subdomains_only() -> None:
    allowed = policy(allowed_hosts=("*.cdn.example.com",))
    assert allowed.allows_host("img.cdn.example.com") and not allowed.allows_host("cdn.example.com.evil.test")
    assert not allowed.allows_host("evilcdn.example.com")


def test_a_refused_url_in_a_sync_create_is_a_400_and_creates_nothing(
        v3: V3Client, template_id: str, image_server: str, fetching: Any) -> None:
    response = v3.post("/pass?async=false", json={"data": {"templateId": template_id,
                                                           "urlToLogo": f"{image_server}/page.html"}})
    assert response.status_code == 400 and "not an image" in response.json["errors"][0]
    assert v3.get("/pass").json["data"] == []
