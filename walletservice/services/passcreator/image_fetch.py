"""Fetching a pass image from an integrator's URL (Passcreator's urlToLogo & co.), safely.

Only hosts on the allow list are fetched; every address the host resolves to must be
public unless private addresses are allowed; redirects are not followed (they could
lead anywhere); the body is read in chunks and abandoned past the size cap or when
the fetch has taken longer than the timeout (httpx's timeout is per read, so a server
trickling bytes would otherwise hold the request as long as it liked); the content type
must be an image. The request goes to the address that was checked
(services.outbound_http), so DNS rebinding cannot redirect it.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from walletservice.errors import BadRequest
from walletservice.plumbing.outbound_http import RefusedDestination, Resolver, pinned_request

IMAGE_CONTENT_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


@dataclass(frozen=True)
class FetchPolicy:
    allowed_hosts: tuple[str, ...]
    max_bytes: int
    timeout_seconds: float
    allow_private: bool

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FetchPolicy:
        hosts = tuple(host.strip().lower() for host in config["WALLET_IMAGE_FETCH_ALLOWED_HOSTS"].split(",")
                      if host.strip())
        return cls(hosts, config["WALLET_IMAGE_FETCH_MAX_BYTES"],
                   config["WALLET_IMAGE_FETCH_TIMEOUT_SECONDS"], config["WALLET_IMAGE_FETCH_ALLOW_PRIVATE"])

    def allows_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == allowed or (allowed.startswith("*.") and host.endswith(allowed[1:]))
                   for allowed in self.allowed_hosts)


def check_image_url(url: Any, policy: FetchPolicy, name: str) -> str:
    """The URL if it may be fetched under the policy (no network yet); BadRequest otherwise."""
    if not policy.allowed_hosts:
        raise BadRequest(f"{name}: fetching images from URLs is disabled on this server "
                         "(WALLET_IMAGE_FETCH_ALLOWED_HOSTS is empty)")
    if not isinstance(url, str):
        raise BadRequest(f"{name} must be a URL")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest(f"{name} must be an http or https URL")
    if parts.username or parts.password:
        raise BadRequest(f"{name} must not carry credentials")
    if not policy.allows_host(parts.hostname):
        raise BadRequest(f"{name}: host {parts.hostname} is not allowed for image fetching")
    return url


def fetch_image(url: str, policy: FetchPolicy, name: str, resolve: Resolver = socket.getaddrinfo) -> bytes:
    """The image's bytes; BadRequest saying why when it cannot or may not be fetched."""
    check_image_url(url, policy, name)
    deadline = time.monotonic() + policy.timeout_seconds
    try:
        with httpx.Client(timeout=policy.timeout_seconds, follow_redirects=False, trust_env=False) as client:
            request = pinned_request(client, "GET", url, allow_private=policy.allow_private, resolve=resolve,
                                     headers={"Accept": ", ".join(IMAGE_CONTENT_TYPES)})
            response = client.send(request, stream=True)
            try:
                _check_response(response, name)
                return _read_capped(response, policy, deadline, name)
            finally:
                response.close()
    except RefusedDestination as exc:
        raise BadRequest(f"{name}: {exc}") from None
    except httpx.HTTPError as exc:
        raise BadRequest(f"{name}: the image could not be fetched ({type(exc).__name__})") from None


def _check_response(response: httpx.Response, name: str) -> None:
    if response.status_code != 200:
        raise BadRequest(f"{name}: the image URL answered {response.status_code}, not 200")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in IMAGE_CONTENT_TYPES:
        raise BadRequest(f"{name}: the URL is not an image (content type {content_type or 'missing'})")


def _read_capped(response: httpx.Response, policy: FetchPolicy, deadline: float, name: str) -> bytes:
    max_bytes = policy.max_bytes
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise BadRequest(f"{name}: the image is larger than {max_bytes} bytes")
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise BadRequest(f"{name}: the image is larger than {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise BadRequest(f"{name}: the image took longer than {policy.timeout_seconds:g} seconds to fetch")
    return bytes(body)
