"""Apps on databases other than the suite's: an empty one, one behind, one unreachable."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from walletservice import create_app
from walletservice.extensions import db


@pytest.fixture
def make_app(test_settings: dict[str, object], tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """create_app with the suite's settings and these overrides; engines disposed afterwards."""
    apps: list[Flask] = []

    def make(**overrides: object) -> Flask:
        made = create_app({**test_settings, **overrides}, instance_dir=tmp_path / f"instance-{len(apps)}")
        apps.append(made)
        return made

    yield make
    for made in apps:
        with made.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture
def empty_database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
