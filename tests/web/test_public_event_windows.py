"""Public page views and downloads are recorded once per client address per window
(WALLET_PUBLIC_EVENT_WINDOW_SECONDS): a loop of GETs is served every time but writes
no unbounded rows, webhooks or report counts (docs/security.md)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from tests.operations.test_metrics import scrape
from tests.web.test_download_page import events, issue, local
from walletservice.db import transaction
from walletservice.models import PublicEventWindow, WebhookDelivery
from walletservice.services import public_events

ADDRESS_A, ADDRESS_B = "198.51.100.7", "203.0.113.9"


def _get(client, url: str, address: str = ADDRESS_A):  # type: ignore[no-untyped-def]
    return client.get(url, environ_base={"REMOTE_ADDR": address})


def _deliveries() -> int:
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(WebhookDelivery))


def _with_webhook(client, account) -> dict:  # type: ignore[no-untyped-def]
    answer = client.put("/v2/webhook", json={"webhook_url": "https://hooks.example.test/a"}, headers=account.basic)
    assert answer.status_code == 200, answer.get_json()
    issued = issue(client, account)
    assert _deliveries() == 1  # "created"
    return issued


def test_twenty_downloads_from_one_address_are_one_event_and_one_webhook(client, account):
    pkpass = local(_with_webhook(client, account)["pkpass_url"])

    statuses = [_get(client, pkpass).status_code for _ in range(20)]

    assert statuses == [200] * 20  # every one is served
    assert len(events("downloaded")) == 1
    assert _deliveries() == 2
    assert scrape(client)[("walletservice_public_events_deduplicated_total", (("kind", "downloaded"),))] == 19


def test_downloads_from_two_addresses_are_two_events(client, account):
    pkpass = local(_with_webhook(client, account)["pkpass_url"])

    for _ in range(5):
        _get(client, pkpass, ADDRESS_A)
        _get(client, pkpass, ADDRESS_B)

    assert len(events("downloaded")) == 2
    assert _deliveries() == 3


def test_page_views_are_recorded_once_per_address_and_window(client, account):
    page = local(issue(client, account)["page_url"])

    for _ in range(10):
        assert _get(client, page).status_code == 200
    _get(client, page, ADDRESS_B)

    assert len(events("viewed")) == 2


def test_a_window_of_zero_records_every_event(app, client, account):
    app.config["WALLET_PUBLIC_EVENT_WINDOW_SECONDS"] = 0
    pkpass = local(issue(client, account)["pkpass_url"])

    for _ in range(3):
        _get(client, pkpass)

    assert len(events("downloaded")) == 3


def test_the_next_window_records_again_and_housekeeping_deletes_ended_windows_keeping_the_count(app):
    start = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
    visit = public_events.PublicVisit(ADDRESS_A, None, 3600, start)
    later = public_events.PublicVisit(ADDRESS_A, None, 3600, start + dt.timedelta(hours=1))
    with transaction() as session:
        assert [public_events.first_in_window(session, "p1", "viewed", visit) for _ in range(3)] == [True, False, False]
        assert public_events.first_in_window(session, "p1", "viewed", later)
        assert public_events.prune_event_windows(session, start + dt.timedelta(hours=1, minutes=30), 3600) == 1
        assert session.scalar(select(func.count()).select_from(PublicEventWindow)) == 1
        assert public_events.deduplicated_events(session) == {"viewed": 2, "downloaded": 0, "issued": 0}
        assert public_events.prune_event_windows(session, start + dt.timedelta(hours=3), 3600) == 1
        assert public_events.deduplicated_events(session) == {"viewed": 2, "downloaded": 0, "issued": 0}


def test_the_address_is_stored_as_a_hash(client, account):
    _get(client, local(issue(client, account)["pkpass_url"]))

    with transaction(write=False) as session:
        stored = session.scalar(select(PublicEventWindow.client_hash))
    assert stored and ADDRESS_A not in stored and len(stored) == 64
