"""The second sign-in limit: per client address, so one machine cannot try a few
passwords on each of many e-mail addresses (docs/dashboard.md, "Guessing").

Counted like the per-e-mail limit (services.attempt_limits: one upsert holding the row's
lock), so parallel attempts are each counted once and never get more comparisons than
the allowance; checked here with threads on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.dashboard.conftest import PASSWORD, Team, post_sign_in
from tests.factories import run_at_once
from walletservice import create_app
from walletservice.db import transaction
from walletservice.models import DashboardSignInAddressAttempts
from walletservice.services import dashboard_users
from walletservice.models.base import utcnow
from walletservice.scheduling.housekeeping import prune_sign_in_attempts
from walletservice.services.attempt_limits import AttemptPolicy
from walletservice.services.dashboard_users import AddressLimit, address_key, count_sign_in

ATTACKER = "203.0.113.7"
NEIGHBOUR = "203.0.113.8"


def _client(app: Flask, address: str = ATTACKER) -> FlaskClient:
    client = app.test_client()
    client.environ_base.update({"wsgi.url_scheme": "https", "REMOTE_ADDR": address})
    return client


def _failures(address: str) -> int | None:
    with transaction(write=False) as session:
        return session.scalar(select(DashboardSignInAddressAttempts.failures)
                              .where(DashboardSignInAddressAttempts.address == address))


def test_one_address_trying_many_e_mail_addresses_is_locked_for_all_of_them(app: Flask, team: Team) -> None:
    app.config.update(WALLET_DASHBOARD_SIGN_IN_MAX_FAILURES_PER_ADDRESS=4, WALLET_DASHBOARD_SIGN_IN_MAX_FAILURES=5)
    attacker = _client(app)
    answers = [post_sign_in(attacker, f"person{n}@toy.test", "a guess").status_code for n in range(4)]
    assert answers == [401, 401, 401, 429]  # each e-mail address was tried once only
    locked = post_sign_in(attacker, team.owner)  # even the right password of an untried address
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "Too many wrong passwords" in locked.get_data(as_text=True)
    assert post_sign_in(_client(app, NEIGHBOUR), team.owner).status_code == 302  # another address is not locked


def test_a_right_password_takes_back_its_own_attempt_only(app: Flask, team: Team) -> None:
    app.config["WALLET_DASHBOARD_SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 3
    client = _client(app)
    assert post_sign_in(client, "someone@toy.test", "a guess").status_code == 401
    assert post_sign_in(client, "someone.else@toy.test", "a guess").status_code == 401
    assert _failures(ATTACKER) == 2
    # Signing in to an account one holds does not reset the count for guessing at others.
    assert post_sign_in(_client(app), team.viewer).status_code == 302
    assert _failures(ATTACKER) == 2
    assert post_sign_in(client, "third@toy.test", "a guess").status_code == 429


def test_the_last_allowed_attempt_with_the_right_password_signs_in_and_lifts_its_lock(
        app: Flask, team: Team) -> None:
    app.config["WALLET_DASHBOARD_SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 2
    assert post_sign_in(_client(app), "someone@toy.test", "a guess").status_code == 401
    assert post_sign_in(_client(app), team.owner).status_code == 302  # the 2nd attempt took the lock, then lifted it
    assert _failures(ATTACKER) == 1
    assert post_sign_in(_client(app), "other@toy.test", "a guess").status_code == 429


def test_the_address_behind_a_trusted_proxy_is_the_forwarded_one(
        team: Team, test_settings: dict[str, object], tmp_path: Path) -> None:
    proxied = create_app({**test_settings, "WALLET_TRUSTED_PROXY_HOPS": 1,
                          "WALLET_DASHBOARD_SIGN_IN_MAX_FAILURES_PER_ADDRESS": 2}, instance_dir=tmp_path / "proxied")
    with proxied.app_context():
        for guess in range(2):
            client = _client(proxied, "10.0.0.1")  # the proxy's own address
            client.environ_base["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{guess}, {ATTACKER}"  # the client wrote the first
            post_sign_in(client, f"person{guess}@toy.test", "a guess")
        assert _failures(ATTACKER) == 2 and _failures("10.0.0.1") is None
        other = _client(proxied, "10.0.0.1")
        other.environ_base["HTTP_X_FORWARDED_FOR"] = NEIGHBOUR
        assert post_sign_in(other, team.owner).status_code == 302


def test_without_trusted_proxies_x_forwarded_for_is_ignored(app: Flask) -> None:
    app.config["WALLET_DASHBOARD_SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 2
    answers = []
    for guess in range(2):
        client = _client(app)
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{guess}"  # a client naming itself anew
        answers.append(post_sign_in(client, f"person{guess}@toy.test", "a guess").status_code)
    assert answers == [401, 429] and _failures(ATTACKER) == 2


@pytest.mark.parametrize(("address", "counted_as"), [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),  # same subscriber network, same count
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("not an address", "not an address"),
])
def test_an_ipv6_client_is_counted_by_its_64(address: str, counted_as: str) -> None:
    assert address_key(address) == counted_as


def _parallel_wrong_sign_ins(app: Flask, count: int, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    monkeypatch.setattr(dashboard_users, "HASHING_WAIT_SECONDS", 120)  # no "busy" answers: every attempt compares
    emails = iter([f"person{n}@toy.test" for n in range(count)])  # a list's iterator: safe across threads

    def attempt(client: FlaskClient) -> int:
        client.environ_base.update({"wsgi.url_scheme": "https", "REMOTE_ADDR": ATTACKER})
        return post_sign_in(client, next(emails), "a guess").status_code
    return run_at_once(app, count, attempt)


def test_parallel_attempts_from_one_address_are_each_counted(
        app: Flask, team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    app.config["WALLET_DASHBOARD_SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 100
    answers = _parallel_wrong_sign_ins(app, 12, monkeypatch)
    assert answers == [401] * 12
    assert _failures(ATTACKER) == 12  # no attempt lost between concurrent upserts


def test_parallel_attempts_never_get_more_comparisons_than_the_allowance(
        app: Flask, team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    app.config["WALLET_DASHBOARD_SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 5
    answers = _parallel_wrong_sign_ins(app, 12, monkeypatch)
    # Attempts 1-4 are compared (401); the 5th takes the lock before comparing; the rest are refused.
    assert sorted(answers) == [401] * 4 + [429] * 8
    assert post_sign_in(_client(app), team.owner, PASSWORD).status_code == 429


def test_address_counts_idle_for_a_day_are_pruned_but_a_lock_in_force_is_kept(app: Flask) -> None:
    now = utcnow()
    with transaction() as session:
        for address, lock_seconds in (("192.0.2.1", 900), ("192.0.2.2", 3 * 86400)):
            count_sign_in(session, "x@toy.test", AttemptPolicy(5, 900), now - dt.timedelta(days=2),
                          AddressLimit(address, AttemptPolicy(1, lock_seconds)))
        count_sign_in(session, "y@toy.test", AttemptPolicy(5, 900), now - dt.timedelta(hours=2),
                      AddressLimit("192.0.2.3", AttemptPolicy(5, 900)))
    with transaction() as session:
        prune_sign_in_attempts(session, now)
        kept = set(session.scalars(select(DashboardSignInAddressAttempts.address)))
    assert kept == {"192.0.2.2", "192.0.2.3"}
