"""Pass fetches recorded in batches by a thread (the production default), not in the request."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from flask import Flask
from sqlalchemy import select

from walletservice import create_app
from walletservice.db import transaction
from walletservice.models import Pass, PassEvent
from walletservice.runtime import runtime
from walletservice.services.events import PassFetch, WalletClient

pytestmark = pytest.mark.timeout(30)
IPHONE = {"User-Agent": "PassKit/1.0 CFNetwork/1496.0.7 Darwin/23.5.0"}


@pytest.fixture
def batching_app(app: Flask, test_settings, tmp_path) -> Flask:  # type: ignore[no-untyped-def]
    return create_app({**test_settings, "WALLET_FETCH_EVENTS_FLUSH_SECONDS": 0.05},
                      instance_dir=tmp_path / "batching")


def _fetch_events() -> list[PassEvent]:
    with transaction(write=False) as session:
        return list(session.scalars(select(PassEvent).where(PassEvent.kind == "fetched")))


def test_a_fetch_is_answered_first_and_counted_by_the_recorder_thread(batching_app: Flask, issued) -> None:  # type: ignore[no-untyped-def]
    with batching_app.app_context():
        response = batching_app.test_client().get(issued.pass_url, headers={**issued.auth, **IPHONE})
        assert response.status_code == 200
        deadline = time.monotonic() + 10
        while not _fetch_events() and time.monotonic() < deadline:
            time.sleep(0.02)
        [event] = _fetch_events()
        assert (event.pass_id, event.device_os, event.wallet) == (issued.pass_.id, "ios", "passbook")
        with transaction(write=False) as session:
            assert session.get(Pass, issued.pass_.id).last_fetched_at is not None


def test_one_flush_writes_every_waiting_fetch_and_the_latest_time(batching_app: Flask, issued) -> None:  # type: ignore[no-untyped-def]
    earlier = dt.datetime(2031, 1, 1, 9, tzinfo=dt.timezone.utc)
    later = earlier + dt.timedelta(minutes=5)
    with batching_app.app_context():
        recorder = runtime().fetches
        assert recorder is not None
        recorder.flush()  # nothing waiting
        for at in (later, earlier):
            recorder._pending.append(PassFetch(issued.pass_.id, issued.pass_.organization_id,
                                               issued.campaign.id, WalletClient(), at))
        assert recorder.flush() == 2 and recorder.flush() == 0
        assert sorted(event.occurred_at for event in _fetch_events()) == [earlier, later]
        with transaction(write=False) as session:
            assert session.get(Pass, issued.pass_.id).last_fetched_at == later
