"""Fixtures of the concurrency tests: the app on a real threaded server, and a tenant."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.api.conftest import Account, new_account
from tests.http_servers import wsgi_server


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    """The app served by werkzeug's threaded server: a thread per request, as in production."""
    yield from wsgi_server(app)


@pytest.fixture
def account(app: Flask) -> Account:
    return new_account("Toy Town")
