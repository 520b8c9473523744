"""The dashboard's write routes in the every-write-route suite: a burst is N POSTs at
once from one signed-in owner's session (its cookie and CSRF token), and afterwards no
move was made twice, no create was lost, and the audit log holds one entry per change."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.concurrency.burst import N, Burst, rows
from tests.concurrency.case_kinds import Case, fresh_campaign, fresh_pass
from tests.concurrency.cases import fresh_schedule
from tests.api.conftest import p12_bytes
from walletservice.db import transaction
from walletservice.models import (
    ApiKey, BackgroundJob, Campaign, DashboardAuditEntry, DashboardSignInAddressAttempts, DashboardUser, Organization, Schedule, SigningCertificate, WebhookDelivery,
)
from walletservice.passkit import devcerts
from walletservice.services.dashboard_users import create_user, find_user
from walletservice.services.organizations import issue_api_key
from walletservice.services.passworks_mapping import campaign_attributes

PASSWORD = "burst owner's long password"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
REDIRECTED = 302  # a form POST that worked goes back to its page
ONE_WINNER = frozenset({REDIRECTED, 409})  # a move made once; the others find it made


def owner_email(burst: Burst, index: int = 0) -> str:
    return f"owner{index}@{burst.world.tenant.account.id}.test"


def _owner(burst: Burst, index: int = 0) -> str:
    with transaction() as session:
        if find_user(session, owner_email(burst, index)) is None:
            create_user(session, owner_email(burst, index), burst.world.tenant.account.id, "owner", PASSWORD)
    return owner_email(burst, index)


def _https(burst: Burst) -> FlaskClient:
    """A browser of its own (the suite's setup client keeps no dashboard session)."""
    browser = burst.setup.application.test_client()
    browser.environ_base["wsgi.url_scheme"] = "https"  # the test settings' public URL is https: Secure cookie
    return browser


def _csrf(browser: FlaskClient, path: str) -> str:
    match = CSRF_INPUT.search(browser.get(path).get_data(as_text=True))
    assert match, path
    return match.group(1)


def _cookie(browser: FlaskClient) -> str:
    cookie = browser.get_cookie("wallet_dashboard", path="/dashboard")
    assert cookie is not None
    return f"wallet_dashboard={cookie.value}"


def signed_in(burst: Burst) -> dict[str, str]:
    """A fresh session of the organization's owner: its cookie and CSRF token as headers."""
    browser = _https(burst)
    email = _owner(burst)
    response = browser.post("/dashboard/login", data={"email": email, "password": PASSWORD,
                                                      "csrf_token": _csrf(browser, "/dashboard/login")})
    assert response.status_code == REDIRECTED, response.get_data(as_text=True)[:300]
    return {"Cookie": _cookie(browser), "X-CSRF-Token": _csrf(browser, "/dashboard")}


def sign_in_form_session(burst: Burst) -> dict[str, str]:
    """The sign-in form's session (before sign-in): its cookie, and its token for the form."""
    browser = _https(burst)
    token = _csrf(browser, "/dashboard/login")
    return {"login_csrf": token, "login_cookie": _cookie(browser)}


def audited(action: str, target_id: str) -> int:
    return rows(DashboardAuditEntry, action=action, target_id=target_id)


def statuses(burst: Burst) -> list[int]:
    return sorted(response.status_code for response in burst.responses)


def one_winner(burst: Burst) -> None:
    assert statuses(burst) == [REDIRECTED] + [409] * (burst.case.count - 1), statuses(burst)


# -- campaigns: pause, resume, archive ----------------------------------------------------

def moves_campaign(action: str, state: str, start: str = "") -> Case:
    def fresh(burst: Burst) -> dict[str, str]:
        values = fresh_campaign(burst)
        if start:
            with transaction() as session:
                session.get(Campaign, values["campaign_id"]).state = start
        return values

    def check(burst: Burst) -> None:
        one_winner(burst)
        assert burst.get(Campaign, burst.values["campaign_id"]).state == state
        assert audited(f"campaign.{action}", burst.values["campaign_id"]) == 1
    return Case(ONE_WINNER, check, fresh=fresh, headers=signed_in)


# -- API keys -------------------------------------------------------------------------------

def keys_created(burst: Burst) -> None:
    assert statuses(burst) == [201] * burst.case.count
    shown = {re.search(r'data-testid="new-api-key-secret">([^<]+)<', response.text).group(1)  # type: ignore[union-attr]
             for response in burst.responses}
    assert len(shown) == burst.case.count, "two answers showed the same key"
    assert rows(ApiKey, organization_id=burst.world.tenant.account.id) - burst.before == burst.case.count
    assert rows(DashboardAuditEntry, action="api_key.create") - burst.audit_before == burst.case.count  # type: ignore[attr-defined]


def before_keys(burst: Burst) -> int:
    burst.audit_before = rows(DashboardAuditEntry, action="api_key.create")  # type: ignore[attr-defined]
    return rows(ApiKey, organization_id=burst.world.tenant.account.id)


def fresh_key(burst: Burst) -> dict[str, str]:
    with transaction() as session:
        issued = issue_api_key(session, session.get(Organization, burst.world.tenant.account.id))
        return {"key_id": str(issued.key_id)}


def key_revoked_once(burst: Burst) -> None:
    one_winner(burst)
    assert burst.get(ApiKey, burst.values["key_id"]).revoked_at is not None
    assert audited("api_key.revoke", burst.values["key_id"]) == 1


# -- webhook deliveries, schedules --------------------------------------------------------

def fresh_failed_delivery(burst: Burst) -> dict[str, str]:
    with transaction() as session:
        delivery = WebhookDelivery(organization_id=burst.world.tenant.account.id, url="https://hooks.example.test/c",
                                   payload={"event": "pass.installed"}, state="failed", attempts=5)
        session.add(delivery)
        session.flush()
        return {"delivery_id": str(delivery.id)}


def retried_once(burst: Burst) -> None:
    one_winner(burst)
    delivery = burst.get(WebhookDelivery, int(burst.values["delivery_id"]))
    assert (delivery.state, delivery.attempts) == ("pending", 0)
    assert audited("webhook_delivery.retry", burst.values["delivery_id"]) == 1


def cancelled_once(burst: Burst) -> None:
    one_winner(burst)
    assert burst.get(Schedule, burst.values["schedule_id"]).state == "cancelled"
    assert audited("schedule.cancel", burst.values["schedule_id"]) == 1


# -- certificates: the same .p12 uploaded N times at once ----------------------------------

def same_p12(burst: Burst, _index: int) -> dict[str, Any]:
    if "p12" not in burst.values:
        pair = devcerts.issue_pass_type_certificate(burst.world.wwdr, f"pass.com.example.dash{burst.nonce}",
                                                    "DASHBOARD1")
        burst.values["p12"] = p12_bytes(pair, [burst.world.wwdr.certificate])  # type: ignore[assignment]
    return {"data": {"password": "s3cret"}, "files": {"p12": ("pass.p12", burst.values["p12"], "application/x-pkcs12")}}


def stored_once(burst: Burst) -> None:
    assert statuses(burst) == [200] * (burst.case.count - 1) + [201], statuses(burst)
    assert rows(SigningCertificate, pass_type_identifier=f"pass.com.example.dash{burst.nonce}") == 1
    assert rows(DashboardAuditEntry, action="certificate.upload") - burst.before == 1


# -- the campaign page: N saves of the design, N pushes to all passes ----------------------

def distinct_colour(_burst: Burst, index: int) -> dict[str, Any]:
    return {"data": {"background_color": f"#0000{index + 16:02x}"}}


def saved_in_turn(burst: Burst) -> None:
    """Each save read "before" under the campaign's lock: the audit entries chain, each one's
    before being the after of the one that committed before it, and the last one is kept."""
    assert statuses(burst) == [REDIRECTED] * burst.case.count
    with transaction(write=False) as session:
        entries = session.scalars(select(DashboardAuditEntry).where(
            DashboardAuditEntry.action == "campaign.update",
            DashboardAuditEntry.target_id == burst.values["campaign_id"]).order_by(DashboardAuditEntry.id)).all()
        afters = [entry.after["background_color"] for entry in entries]
        befores = [entry.before["background_color"] for entry in entries]
    assert sorted(afters) == sorted(f"#0000{index + 16:02x}" for index in range(burst.case.count))
    assert befores[1:] == afters[:-1], "a save overwrote a change it had not seen"
    campaign = burst.get(Campaign, burst.values["campaign_id"])
    assert campaign_attributes(campaign.design, campaign.settings)["background_color"] == afters[-1]


def pushed_each_time(burst: Burst) -> None:
    assert statuses(burst) == [REDIRECTED] * burst.case.count
    assert audited("campaign.push", burst.values["campaign_id"]) == burst.case.count
    assert rows(BackgroundJob, state="queued") == 0 and rows(BackgroundJob, state="running") == 0


# -- signing in and out ----------------------------------------------------------------------

def sign_in_form(burst: Burst, index: int) -> dict[str, Any]:
    """N owners sign in at once from one address (an office behind one NAT)."""
    return {"data": {"email": _owner(burst, index), "password": PASSWORD, "csrf_token": burst.values["login_csrf"]}}


def address_failures() -> int:
    with transaction(write=False) as session:
        return sum(session.scalars(select(DashboardSignInAddressAttempts.failures)))


def all_signed_in(burst: Burst) -> None:
    """Each attempt was counted for the address before its comparison and taken back after
    it: a lost update either way would leave the count off by one."""
    assert statuses(burst) == [REDIRECTED] * burst.case.count
    assert all(response.headers["Location"] == "/dashboard" for response in burst.responses)
    assert address_failures() == burst.before


def signed_out_everywhere(burst: Burst) -> None:
    """The first sign-out ends the session (its epoch moves on), so requests that read the
    user after it commits find no session: 401, as for any ended session."""
    answers = statuses(burst)
    assert answers.count(REDIRECTED) >= 1 and set(answers) <= {REDIRECTED, 401}, answers
    with transaction(write=False) as session:
        user = find_user(session, owner_email(burst))
        assert isinstance(user, DashboardUser) and user.session_epoch >= burst.before + 1
    ended = _https(burst).get("/dashboard", headers={"Cookie": burst.request_headers["Cookie"]})
    assert ended.status_code == REDIRECTED and "/dashboard/login" in ended.headers["Location"]


def session_epoch(burst: Burst) -> int:
    with transaction(write=False) as session:
        user = find_user(session, _owner(burst))
        assert user is not None
        return user.session_epoch


DASHBOARD_CASES: dict[str, Case] = {
    "POST /dashboard/campaigns/<campaign_id>/pause": moves_campaign("pause", "paused"),
    "POST /dashboard/campaigns/<campaign_id>/resume": moves_campaign("resume", "published", start="paused"),
    "POST /dashboard/campaigns/<campaign_id>/archive": moves_campaign("archive", "archived"),
    "POST /dashboard/api-keys": Case(frozenset({201}), keys_created, before=before_keys, headers=signed_in),
    "POST /dashboard/api-keys/<key_id>/revoke": Case(ONE_WINNER, key_revoked_once, fresh=fresh_key,
                                                     headers=signed_in),
    "POST /dashboard/webhooks/deliveries/<int:delivery_id>/retry": Case(
        ONE_WINNER, retried_once, fresh=fresh_failed_delivery, headers=signed_in),
    "POST /dashboard/schedules/<schedule_id>/cancel": Case(
        ONE_WINNER, cancelled_once, fresh=fresh_schedule("campaign"), headers=signed_in),
    "POST /dashboard/certificates": Case(
        frozenset({200, 201}), stored_once, body=same_p12, upload=True, headers=signed_in,
        before=lambda _burst: rows(DashboardAuditEntry, action="certificate.upload")),
    "POST /dashboard/campaigns/<campaign_id>/design": Case(
        frozenset({REDIRECTED}), saved_in_turn, body=distinct_colour, upload=True, fresh=fresh_campaign,
        headers=signed_in),
    "POST /dashboard/campaigns/<campaign_id>/push": Case(
        frozenset({REDIRECTED}), pushed_each_time, fresh=fresh_pass, jobs=True, headers=signed_in),
    "POST /dashboard/login": Case(frozenset({REDIRECTED}), all_signed_in, body=sign_in_form, upload=True,
                                  fresh=sign_in_form_session, before=lambda _burst: address_failures(),
                                  headers=lambda burst: {"Cookie": burst.values["login_cookie"]}),
    "POST /dashboard/logout": Case(frozenset({REDIRECTED, 401}), signed_out_everywhere, before=session_epoch,
                                   headers=signed_in),
}
assert all(N == case.count for case in DASHBOARD_CASES.values())
