"""Signing in to the dashboard: the form, the session cookie, CSRF, lockout, disabling."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.dashboard.conftest import PASSWORD, Team, csrf_from, post_sign_in, signed_in_client
from walletservice import create_app
from walletservice.db import transaction
from walletservice.models import DashboardSignInAttempts
from walletservice.models.base import utcnow
from walletservice.scheduling.housekeeping import prune_sign_in_attempts
from walletservice.services.attempt_limits import AttemptPolicy
from walletservice.services.dashboard_users import disable_user, sign_in


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
        sign_in(session, "idle@toy.test", "wrong", AttemptPolicy(5, 900), now - dt.timedelta(days=2))
        sign_in(session, "locked@toy.test", "wrong", policy, now - dt.timedelta(days=2))  # locked for 3 days
        sign_in(session, "recent@toy.test", "wrong", AttemptPolicy(5, 900), now - dt.timedelta(hours=2))
    with transaction() as session:
        assert prune_sign_in_attempts(session, now) == 1
        kept = set(session.scalars(select(DashboardSignInAttempts.email)))
    assert kept == {"locked@toy.test", "recent@toy.test"}


def test_control_characters_in_the_form_are_a_wrong_password_not_a_500(team: Team, https_client: FlaskClient) -> None:
    for email, password in ((team.owner + "\x00", PASSWORD), ("\x00", "\x00"), (team.owner, PASSWORD + "\x00")):
        assert post_sign_in(https_client, email, password).status_code == 401
    with transaction(write=False) as session:
        assert set(session.scalars(select(DashboardSignInAttempts.email))) == {team.owner}
