"""The address of the client of the current request, for per-address limits."""

from __future__ import annotations

from flask import request


def request_client_address() -> str:
    """The connection's address, or X-Forwarded-For's when proxies are trusted
    (WALLET_TRUSTED_PROXY_HOPS, create_app). If more hops are declared than there are
    proxies, it is the client's own text, so keep it to what a column holds."""
    address = request.remote_addr or "unknown"
    return address.replace("\x00", "")[:64]
