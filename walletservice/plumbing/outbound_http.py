"""Requests to URLs that integrators give us (images to fetch, webhooks), without SSRF.

The host is resolved once, every address it resolves to must be public unless private
addresses are allowed, and the connection goes to the address that was checked: the
URL's host is replaced by that address while the Host header and the TLS server name
(SNI, and with it certificate verification) keep the original name. A resolver that
answers a public address for the check and a private one for the connection (DNS
rebinding) therefore gains nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

Resolver = Callable[..., list[tuple[Any, ...]]]
DEFAULT_PORTS = {"http": 80, "https": 443}
# IPv6 prefixes whose last 32 bits are an IPv4 address something may connect to: NAT64's
# well-known prefix (RFC 6052) and the deprecated IPv4-compatible form (RFC 4291).
_IPV4_IN_LOW_BITS = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("::/96"))
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: the embedding is the network's own


class RefusedDestination(Exception):
    """The URL may not be requested; the message says why, for the caller's error.

    permanent: a non-public address (asking again will not help); a name that does not
    resolve may resolve later."""

    def __init__(self, message: str, *, permanent: bool = True) -> None:
        super().__init__(message)
        self.permanent = permanent


def literal_address_refused(url: str, allow_private: bool) -> bool:
    """True when the URL names a non-public IP address or localhost outright (no DNS)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return not allow_private
    try:
        return not is_public(ipaddress.ip_address(host)) and not allow_private
    except ValueError:
        return False


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Globally reachable (`is_global`), and so is any IPv4 address an IPv6 one carries (mapped,
    compatible, 6to4, NAT64): a gateway or relay would connect to that one."""
    if not address.is_global:
        return False
    if not isinstance(address, ipaddress.IPv6Address):
        return True
    if address in _LOCAL_NAT64:
        return False
    embedded = [address.ipv4_mapped, address.sixtofour]
    if any(address in network for network in _IPV4_IN_LOW_BITS):
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return all(inner.is_global for inner in embedded if inner is not None)


def public_address(host: str, port: int, allow_private: bool, resolve: Resolver = socket.getaddrinfo) -> str:
    """The address to connect to: the first one the host resolves to, all of them checked."""
    try:
        infos = resolve(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedDestination(f"host {host} does not resolve", permanent=False) from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise RefusedDestination(f"host {host} does not resolve", permanent=False)
    if not allow_private and any(not is_public(address) for address in addresses):
        raise RefusedDestination(f"host {host} resolves to a non-public address; refused")
    return str(addresses[0])


def pinned_request(client: httpx.Client, method: str, url: str, *, allow_private: bool,
                   resolve: Resolver = socket.getaddrinfo, **kwargs: Any) -> httpx.Request:
    """An httpx request for the URL that connects to the checked address only."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise RefusedDestination("only absolute http and https URLs are requested")
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    address = public_address(parts.hostname, port, allow_private, resolve)
    connect_host = f"[{address}]" if ":" in address else address
    pinned = urlunsplit((parts.scheme, f"{connect_host}:{port}", parts.path or "/", parts.query, ""))
    name = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    host_header = name if parts.port in (None, DEFAULT_PORTS[parts.scheme]) else f"{name}:{port}"
    headers = {**kwargs.pop("headers", {}), "Host": host_header}
    return client.build_request(method, pinned, headers=headers,
                                extensions={"sni_hostname": parts.hostname}, **kwargs)
