"""Signing in to the dashboard: the form, the session cookie, CSRF, lockout, disabling."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.dashboard.conftest import PASSWORD, Team, csrf_from, post_sign_in, signed_in_client
from walletservice import create_app
from walletservice.db import transaction
from walletservice.models import DashboardSignInAttempts
from walletservice.models.base import utcnow
from walletservice.scheduling.housekeeping import prune_sign_in_attempts
from walletservice.services.attempt_limits import AttemptPolicy
from walletservice.db import in_write_transaction
from walletservice.dashboard import access
from walletservice.services import dashboard_users
from walletservice.services.dashboard_users import count_sign_in, disable_user, find_user, set_password


def test_sign_in_with_the_right_password_opens_the_overview(team: Team, https_client: FlaskClient) -> None:
    response = post_sign_in(https_client, team.owner)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    page = https_client.get("/dashboard")
    assert page.status_code == 200
    assert 'data-testid="figure-passes_issued"' in page.get_data(as_text=True)


def test_session_cookie_is_httponly_samesite_lax_secure_on_https_and_only_for_the_dashboard(
        team: Team, https_client: FlaskClient) -> None:
    response = post_sign_in(https_client, team.owner)
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("wallet_dashboard="))
    attributes = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite", "path"} <= set(attributes)
    assert attributes["samesite"].strip() == "SameSite=Lax" and attributes["path"].strip() == "Path=/dashboard"


def test_session_cookie_is_not_secure_when_the_public_url_is_http(test_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app({**test_settings, "WALLET_PUBLIC_URL": "http://127.0.0.1:5000"}, instance_dir=tmp_path)
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_session_key_is_derived_from_the_service_secret_and_stable(test_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = create_app(dict(test_settings), instance_dir=tmp_path / "a")
    second = create_app(dict(test_settings), instance_dir=tmp_path / "b")
    other = create_app({**test_settings, "WALLET_SECRET_KEY": "another-secret-key-of-enough-length!"},
                       instance_dir=tmp_path / "c")
    assert first.secret_key == second.secret_key != other.secret_key
    assert first.secret_key != test_settings["WALLET_SECRET_KEY"]


def test_wrong_password_and_unknown_address_get_the_same_answer(team: Team, https_client: FlaskClient) -> None:
    wrong = post_sign_in(https_client, team.owner, "not the password at all")
    unknown = post_sign_in(https_client, "nobody@toy.test", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong e-mail address or password." in wrong.get_data(as_text=True)
    assert https_client.get("/dashboard").status_code == 302


def test_sign_in_without_the_csrf_token_is_refused(team: Team, https_client: FlaskClient) -> None:
    csrf_from(https_client)  # a session exists, but the form does not carry its token
    response = https_client.post("/dashboard/login", data={"email": team.owner, "password": PASSWORD})
    assert response.status_code == 400
    assert https_client.get("/dashboard").status_code == 302


def test_too_many_wrong_passwords_lock_the_address_even_for_the_right_one(
        app: Flask, team: Team, https_client: FlaskClient) -> None:
    limit = app.config["WALLET_DASHBOARD_SIGN_IN_MAX_FAILURES"]
    answers = [post_sign_in(https_client, team.owner, f"wrong password {n}").status_code for n in range(limit)]
    assert answers == [401] * (limit - 1) + [429]
    locked = post_sign_in(https_client, team.owner)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "Too many wrong passwords" in locked.get_data(as_text=True)
    assert post_sign_in(https_client, team.editor).status_code == 302  # other addresses are not locked


def test_a_disabled_user_is_signed_out_and_cannot_sign_in(app: Flask, team: Team) -> None:
    client = signed_in_client(app, team.editor)
    assert client.get("/dashboard").status_code == 200
    with transaction() as session:
        disable_user(session, team.editor, utcnow())
    assert client.get("/dashboard").status_code == 302
    assert post_sign_in(client, team.editor).status_code == 401


def test_sign_in_goes_back_to_a_dashboard_page_but_never_to_another_site(team: Team, app: Flask) -> None:
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    assert client.get("/dashboard/campaigns").headers["Location"] == "/dashboard/login?next=/dashboard/campaigns"
    assert post_sign_in(client, team.owner, next="/dashboard/campaigns").headers["Location"] == "/dashboard/campaigns"
    client.post("/dashboard/logout", data={"csrf_token": csrf_from(client, "/dashboard")})
    assert post_sign_in(client, team.owner, next="//evil.test/x").headers["Location"] == "/dashboard"


def test_sign_out_ends_the_session(app: Flask, team: Team) -> None:
    client = signed_in_client(app, team.owner)
    token = csrf_from(client, "/dashboard")
    assert client.post("/dashboard/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_unauthenticated_htmx_and_posts_get_401_pages_get_the_sign_in_form(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/dashboard", headers={"HX-Request": "true"}).status_code == 401
    assert client.post("/dashboard/campaigns/x/pause").status_code == 401
    page = client.get("/dashboard/audit")
    assert page.status_code == 302 and page.headers["Location"].startswith("/dashboard/login")


def test_sign_in_counts_idle_for_a_day_are_pruned_but_a_lock_in_force_is_kept(app: Flask) -> None:
    now = utcnow()
    policy = AttemptPolicy(max_failures=1, lock_seconds=3 * 86400)
    with transaction() as session:
        count_sign_in(session, "idle@toy.test", AttemptPolicy(5, 900), now - dt.timedelta(days=2))
        count_sign_in(session, "locked@toy.test", policy, now - dt.timedelta(days=2))  # locked for 3 days
        count_sign_in(session, "recent@toy.test", AttemptPolicy(5, 900), now - dt.timedelta(hours=2))
    with transaction() as session:
        assert prune_sign_in_attempts(session, now) == 1
        kept = set(session.scalars(select(DashboardSignInAttempts.email)))
    assert kept == {"locked@toy.test", "recent@toy.test"}


def test_control_characters_in_the_form_are_a_wrong_password_not_a_500(team: Team, https_client: FlaskClient) -> None:
    for email, password in ((team.owner + "\x00", PASSWORD), ("\x00", "\x00"), (team.owner, PASSWORD + "\x00")):
        assert post_sign_in(https_client, email, password).status_code == 401
    with transaction(write=False) as session:
        assert set(session.scalars(select(DashboardSignInAttempts.email))) == {team.owner}


def _copy_of_session_cookie(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of `client`'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.environ_base["wsgi.url_scheme"] = "https"
    cookie = client.get_cookie("wallet_dashboard", path="/dashboard")
    assert cookie is not None
    thief.set_cookie("wallet_dashboard", cookie.value, path="/dashboard", secure=True)
    assert thief.get("/dashboard").status_code == 200
    return thief


def test_signing_out_ends_copies_of_the_session_cookie_too(app: Flask, team: Team) -> None:
    client = signed_in_client(app, team.owner)
    thief = _copy_of_session_cookie(app, client)
    client.post("/dashboard/logout", data={"csrf_token": csrf_from(client, "/dashboard")})
    assert thief.get("/dashboard").status_code == 302


def test_a_new_password_ends_the_sessions_begun_with_the_old_one(app: Flask, team: Team) -> None:
    client = signed_in_client(app, team.owner)
    with transaction() as session:
        user = find_user(session, team.owner)
        assert user is not None
        set_password(session, user, "another correct horse battery")
    assert client.get("/dashboard").status_code == 302


def test_a_session_older_than_a_working_day_ends(app: Flask, team: Team) -> None:
    client = signed_in_client(app, team.owner)
    with client.session_transaction("/dashboard", base_url="https://localhost") as cookie_session:
        cookie_session["signed_in_at"] -= access.SESSION_MAX_SECONDS + 1
    assert client.get("/dashboard").status_code == 302


def test_a_next_path_with_a_line_break_is_dropped_not_a_500(team: Team, https_client: FlaskClient) -> None:
    for next_path in ("/dashboard\r\nSet-Cookie: x=1", "/dashboard\nX", "/dashboard/\x00", "/dashboard /x"):
        answer = post_sign_in(https_client, team.owner, next=next_path)
        assert answer.status_code == 302 and answer.headers["Location"] == "/dashboard", next_path
    assert 'name="next"' not in https_client.get("/dashboard/login?next=/dashboard%0AX").get_data(as_text=True)
    assert 'name="next" value="/dashboard/audit"' in https_client.get("/dashboard/login?next=/dashboard/audit").get_data(
        as_text=True)


def test_the_password_is_compared_with_no_transaction_open(team: Team, https_client: FlaskClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A hash takes ~0.1 s and 64 MiB and anyone may ask for one: holding SQLite's write
    lock or a pooled connection meanwhile would let a sign-in flood stall every write."""
    seen = []
    real = dashboard_users._password_matches

    def spy(password_hash: str, password: str) -> bool:
        seen.append(in_write_transaction())
        return real(password_hash, password)

    monkeypatch.setattr(dashboard_users, "_password_matches", spy)
    assert post_sign_in(https_client, team.owner).status_code == 302
    assert post_sign_in(https_client, "nobody@toy.test").status_code == 401
    assert seen == [False, False]


def test_too_many_sign_ins_at_once_wait_then_get_503(team: Team, https_client: FlaskClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(dashboard_users, "HASHING_WAIT_SECONDS", 0.05)
    held = [dashboard_users._hashing.acquire(timeout=1) for _ in range(dashboard_users.HASHING_AT_ONCE)]
    try:
        assert all(held)
        busy = post_sign_in(https_client, team.owner)
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
    finally:
        for _ in held:
            dashboard_users._hashing.release()
    assert post_sign_in(https_client, team.owner).status_code == 302


def test_the_last_allowed_attempt_locks_before_it_is_compared(app: Flask, team: Team, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Concurrent guesses beyond the allowance are refused even while the last one is
    being compared; that one, if right, still signs in and lifts the lock."""
    limit = app.config["WALLET_DASHBOARD_SIGN_IN_MAX_FAILURES"]
    policy = AttemptPolicy(limit, 900)
    with transaction() as session:
        for _ in range(limit - 1):
            assert not count_sign_in(session, team.owner, policy, utcnow()).locked_for
    with transaction() as session:
        last = count_sign_in(session, team.owner, policy, utcnow())
    assert last.locked_for == 0 and last.locks_on_failure > 0
    with transaction() as session:
        assert count_sign_in(session, team.owner, policy, utcnow()).locked_for > 0
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    assert post_sign_in(client, team.owner).status_code == 429


def test_requests_outside_the_dashboard_open_and_save_no_session(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Apple's hot reads and the APIs pay nothing for the dashboard's cookie session."""
    opened, saved = [], []
    real_open, real_save = SecureCookieSessionInterface.open_session, SecureCookieSessionInterface.save_session

    def spy_open(self, flask_app, request):  # type: ignore[no-untyped-def]
        opened.append(request.path)
        return real_open(self, flask_app, request)

    def spy_save(self, flask_app, session, response):  # type: ignore[no-untyped-def]
        saved.append(request_paths[-1])
        return real_save(self, flask_app, session, response)

    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", spy_open)
    monkeypatch.setattr(SecureCookieSessionInterface, "save_session", spy_save)
    client, request_paths = app.test_client(), []
    for path in ("/wallet/v1/passes/pass.x/serial", "/v2/generics", "/healthz", "/dashboard/login"):
        request_paths.append(path)
        client.get(path)
    assert opened == ["/dashboard/login"] and saved == ["/dashboard/login"]
