"""Requests to integrator URLs go to the address that was checked, with the original
name in the Host header and in TLS verification (real HTTP and HTTPS servers on loopback)."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.http_servers import serve_in_thread
from walletservice.passkit import devcerts
from walletservice.plumbing.outbound_http import (
    RefusedDestination,
    literal_address_refused,
    pinned_request,
    public_address,
)

TLS_NAME = "hooks.example.test"


class HostEcho(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = (self.headers.get("Host") or "").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def http_port() -> Iterator[int]:
    yield from serve_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), HostEcho))


@pytest.fixture(scope="module")
def tls_ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[devcerts.KeyPair, Path]:
    ca = devcerts.generate_ca("outbound test CA")
    ca_file = tmp_path_factory.mktemp("outbound") / "ca.pem"
    ca_file.write_bytes(ca.certificate_pem())
    return ca, ca_file


@pytest.fixture
def https_port(tls_ca: tuple[devcerts.KeyPair, Path], tmp_path: Path) -> Iterator[int]:
    server_pair = devcerts.issue_server_certificate(tls_ca[0], [TLS_NAME])
    (tmp_path / "cert.pem").write_bytes(server_pair.certificate_pem())
    (tmp_path / "key.pem").write_bytes(server_pair.private_key_pem())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server = ThreadingHTTPServer(("127.0.0.1", 0), HostEcho)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    yield from serve_in_thread(server)


class Resolver:
    """Answers every name with the given addresses and counts the questions."""

    def __init__(self, *addresses: str) -> None:
        self.addresses, self.calls = addresses, 0

    def __call__(self, host: str, port: int, **_kwargs: Any) -> list[tuple[Any, ...]]:
        self.calls += 1
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [(family[6 if ":" in address else 4], socket.SOCK_STREAM, 6, "", (address, port))
                for address in self.addresses]


def test_the_connection_goes_to_the_checked_address_with_the_original_host(http_port: int) -> None:
    resolver = Resolver("127.0.0.1")
    with httpx.Client(trust_env=False) as client:
        # No resolver knows this name: only the pinned address can reach the server.
        request = pinned_request(client, "GET", f"http://images.rebind.test:{http_port}/logo.png",
                                 allow_private=True, resolve=resolver)
        response = client.send(request)
    assert response.status_code == 200
    assert response.text == f"images.rebind.test:{http_port}"
    assert resolver.calls == 1  # resolved once: nothing can answer differently later


def test_tls_is_verified_against_the_original_name(https_port: int,
                                                   tls_ca: tuple[devcerts.KeyPair, Path]) -> None:
    with httpx.Client(verify=ssl.create_default_context(cafile=str(tls_ca[1])), trust_env=False) as client:
        request = pinned_request(client, "GET", f"https://{TLS_NAME}:{https_port}/",
                                 allow_private=True, resolve=Resolver("127.0.0.1"))
        assert client.send(request).text == f"{TLS_NAME}:{https_port}"
        # The same address under a name the certificate does not carry is refused by TLS.
        wrong_name = pinned_request(client, "GET", f"https://other.example.test:{https_port}/",
                                    allow_private=True, resolve=Resolver("127.0.0.1"))
        with pytest.raises(httpx.ConnectError):
            client.send(wrong_name)


@pytest.mark.parametrize("addresses", [("127.0.0.1",), ("10.1.2.3",), ("169.254.169.254",), ("::1",),
                                       ("93.184.216.34", "192.168.0.10"), ("fd00::1",)])
def test_any_non_public_address_refuses_the_host(addresses: tuple[str, ...]) -> None:
    with pytest.raises(RefusedDestination, match="non-public"):
        public_address("hooks.example.com", 443, False, Resolver(*addresses))


# IPv6 forms that carry an IPv4 address: a NAT64 gateway (DNS64 networks), a 6to4 relay or
# an old stack connects to the IPv4 address inside, so that address must be public too.
@pytest.mark.parametrize("address", ["::ffff:127.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",
                                     "64:ff9b::a00:1", "2002:a00:1::1", "2002:7f00:1::", "::7f00:1",
                                     "64:ff9b:1::a00:1"])
def test_ipv6_addresses_carrying_a_private_ipv4_address_are_refused(address: str) -> None:
    with pytest.raises(RefusedDestination, match="non-public"):
        public_address("hooks.example.com", 443, False, Resolver(address))
    assert literal_address_refused(f"https://[{address}]/hook", allow_private=False) is True


def test_ipv6_addresses_carrying_a_public_ipv4_address_are_accepted() -> None:
    for address in ("64:ff9b::5db8:d822", "2002:5db8:d822::1"):  # 93.184.216.34 inside
        assert public_address("hooks.example.com", 443, False, Resolver(address)) == address


def test_public_addresses_are_accepted_and_the_first_is_used() -> None:
    assert public_address("hooks.example.com", 443, False, Resolver("93.184.216.34", "2606:2800::1")) == "93.184.216.34"


def test_a_name_that_does_not_resolve_is_refused() -> None:
    def no_answer(*_args: Any, **_kwargs: Any) -> list[tuple[Any, ...]]:
        raise socket.gaierror("nodename nor servname provided")
    with pytest.raises(RefusedDestination, match="does not resolve"):
        public_address("nowhere.invalid", 443, False, no_answer)


def test_ipv6_addresses_are_bracketed_in_the_url_and_host_header() -> None:
    with httpx.Client(trust_env=False) as client:
        request = pinned_request(client, "GET", "http://[2606:2800::1]:8080/x?y=1",
                                 allow_private=False, resolve=Resolver("2606:2800::1"))
    assert str(request.url) == "http://[2606:2800::1]:8080/x?y=1"
    assert request.headers["Host"] == "[2606:2800::1]:8080"


@pytest.mark.parametrize(("url", "refused"), [
    ("https://127.0.0.1/hook", True), ("https://[::1]/hook", True), ("http://10.0.0.8:8080/", True),
    ("https://localhost/hook", True), ("https://api.localhost/hook", True),
    ("https://93.184.216.34/hook", False), ("https://hooks.example.com/", False),
])
def test_literal_private_addresses_are_recognised_without_dns(url: str, refused: bool) -> None:
    assert literal_address_refused(url, allow_private=False) is refused
    assert literal_address_refused(url, allow_private=True) is False
