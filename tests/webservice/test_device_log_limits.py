"""POST /v1/log within limits: calls per client address, entries per call, rows in all
(services/device_logs.py), each drop counted in /metrics. The state is in the database,
so separate apps (as separate web processes are) share one limit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.factories import run_at_once
from tests.operations.test_metrics import scrape
from walletservice import create_app
from walletservice.db import transaction
from walletservice.extensions import db
from walletservice.models import DeviceLogClientWindow, DeviceLogEntry
from walletservice.services import device_logs

LOG = "/wallet/v1/log"


def _post(client, count: int = 1, address: str = "198.51.100.7", **headers: str):  # type: ignore[no-untyped-def]
    return client.post(LOG, json={"logs": [f"entry {n}" for n in range(count)]},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def _stored() -> list[str]:
    with transaction(write=False) as session:
        return list(session.scalars(select(DeviceLogEntry.message).order_by(DeviceLogEntry.id)))


def _dropped() -> dict[str, int]:
    with transaction(write=False) as session:
        return device_logs.dropped_entries(session)


def test_calls_over_the_rate_are_429_with_retry_after_and_counted(app, client):
    app.config["WALLET_DEVICE_LOG_RATE_PER_MINUTE"] = 3

    answers = [_post(client, count=2) for _ in range(5)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 429]
    refused = answers[3]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.is_json and "too many log calls" in refused.get_json()["error"]
    assert len(_stored()) == 6
    assert _dropped() == {"rate_limited": 4, "storage_cap": 0, "too_large": 0}
    assert _post(client, address="203.0.113.9").status_code == 200  # another client has its own count


def test_the_limit_holds_across_processes_and_concurrent_calls(app, test_settings, tmp_path: Path):
    app.config["WALLET_DEVICE_LOG_RATE_PER_MINUTE"] = 5
    other = create_app({**test_settings, "WALLET_DEVICE_LOG_RATE_PER_MINUTE": 5}, instance_dir=tmp_path / "other")

    statuses = run_at_once(app, 6, lambda client: _post(client).status_code)
    statuses += [_post(other.test_client()).status_code for _ in range(2)]

    assert sorted(statuses) == [200] * 5 + [429] * 3
    assert len(_stored()) == 5
    for engine in db.engines.values():
        engine.dispose()


def test_the_next_minute_admits_again_and_housekeeping_forgets_ended_minutes(app):
    now = dt.datetime(2030, 1, 1, 12, 0, 30, tzinfo=dt.timezone.utc)
    with transaction() as session:
        assert device_logs.seconds_until_admitted(session, "a", 1, now) == 0
        assert device_logs.seconds_until_admitted(session, "a", 1, now) == 30
        assert device_logs.seconds_until_admitted(session, "a", 1, now + dt.timedelta(seconds=30)) == 0
        assert device_logs.prune_client_windows(session, now + dt.timedelta(seconds=90)) == 1
        assert session.scalar(select(func.count()).select_from(DeviceLogClientWindow)) == 0


def test_x_forwarded_for_is_ignored_unless_proxies_are_trusted(app, client, test_settings, tmp_path: Path):
    app.config["WALLET_DEVICE_LOG_RATE_PER_MINUTE"] = 1
    assert _post(client, **{"X-Forwarded-For": "192.0.2.1"}).status_code == 200
    assert _post(client, **{"X-Forwarded-For": "192.0.2.2"}).status_code == 429  # same REMOTE_ADDR

    behind_proxy = create_app({**test_settings, "WALLET_DEVICE_LOG_RATE_PER_MINUTE": 1,
                               "WALLET_TRUSTED_PROXY_HOPS": 1}, instance_dir=tmp_path / "proxied").test_client()
    # One trusted hop: the address the proxy appended, not what the client wrote before it.
    assert _post(behind_proxy, **{"X-Forwarded-For": "192.0.2.1, 192.0.2.3"}).status_code == 200
    assert _post(behind_proxy, **{"X-Forwarded-For": "192.0.2.9, 192.0.2.3"}).status_code == 429
    assert _post(behind_proxy, **{"X-Forwarded-For": "192.0.2.4"}).status_code == 200
    with transaction(write=False) as session:
        addresses = set(session.scalars(select(DeviceLogEntry.remote_addr)))
    assert addresses == {"198.51.100.7", "192.0.2.3", "192.0.2.4"}


def test_the_table_keeps_the_newest_rows_within_the_cap(app, client):
    app.config.update(WALLET_DEVICE_LOG_RATE_PER_MINUTE=0, WALLET_DEVICE_LOG_MAX_ROWS=10)
    for call in range(5):
        client.post(LOG, json={"logs": [f"{call}-{n}" for n in range(5)]})

    assert _stored() == [f"{call}-{n}" for call in (3, 4) for n in range(5)]
    assert _dropped()["storage_cap"] == 15


def test_entries_beyond_the_per_call_limit_are_counted_as_too_large(app, client):
    app.config["WALLET_MAX_LOG_ENTRIES"] = 3

    assert _post(client, count=10).status_code == 200

    assert len(_stored()) == 3
    assert _dropped()["too_large"] == 7


def test_metrics_report_the_drops_per_reason(app: Flask, client):
    app.config.update(WALLET_DEVICE_LOG_RATE_PER_MINUTE=1, WALLET_MAX_LOG_ENTRIES=2)
    _post(client, count=5)
    _post(client, count=4)

    samples = scrape(client)

    assert {reason: samples[("walletservice_device_logs_dropped_total", (("reason", reason),))]
            for reason in ("rate_limited", "storage_cap", "too_large")} == {
        "rate_limited": 4, "storage_cap": 0, "too_large": 3}


@pytest.mark.parametrize("body", [b"{", b'{"logs": "x"}'])
def test_a_refused_call_with_a_body_that_is_no_log_counts_no_entries(app, client, body):
    app.config["WALLET_DEVICE_LOG_RATE_PER_MINUTE"] = 1
    _post(client)

    response = client.post(LOG, data=body, content_type="application/json", environ_base={"REMOTE_ADDR": "198.51.100.7"})

    assert response.status_code == 429
    assert _dropped()["rate_limited"] == 0


def test_a_forwarded_address_that_is_no_address_is_kept_to_the_column(client, test_settings, tmp_path: Path):
    # More hops declared than there are proxies: the header's first entry is the client's own text.
    over_trusting = create_app({**test_settings, "WALLET_TRUSTED_PROXY_HOPS": 2},
                               instance_dir=tmp_path / "proxied").test_client()

    response = _post(over_trusting, **{"X-Forwarded-For": "x" * 500 + "\x00, 192.0.2.3"})

    assert response.status_code == 200
    with transaction(write=False) as session:
        assert session.scalar(select(DeviceLogEntry.remote_addr)) == "x" * 64
