"""The dashboard's pages (docs/dashboard.md). Views parse, authorize, call one service
and render; the rules live in walletservice.services."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from walletservice.client_address import request_client_address
from walletservice.dashboard import access
from walletservice.db import transaction
from walletservice.errors import DomainError, StateConflict
from walletservice.models import Campaign
from walletservice.models.base import utcnow
from walletservice.services.attempt_limits import AttemptPolicy
from walletservice.services.audit_log import recent_changes, record_change
from walletservice.services.campaigns import STATE_MOVES, change_campaign_state
from walletservice.services.dashboard_campaigns import install_trends
from walletservice.services.dashboard_overview import CHART_SERIES, overview
from walletservice.services.dashboard_passes import organization_pass, read_search_box, search_passes
from walletservice.services.delivery_timeline import delivery_timeline, registered_devices, stale_passes
from walletservice.services.dashboard_users import (
    AddressLimit,
    SignIn,
    compare_password,
    count_sign_in,
    finish_sign_in,
)
from walletservice.web import vendor_assets

dashboard_blueprint = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates",
                                static_folder="static", static_url_path="/static")
dashboard_blueprint.before_request(access.guard_request)
# Our own files and the vendored ones only: no inline script, nothing from elsewhere.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'")


@dashboard_blueprint.context_processor
def _page_context() -> dict[str, Any]:
    return {**access.template_context(), "vendor": vendor_assets}


@dashboard_blueprint.after_request
def _page_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"  # pages hold an organization's figures
    response.headers["X-Frame-Options"] = "DENY"
    return response


@dashboard_blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("dashboard/login.html", next=_local_next(request.args.get("next")))
    policy = AttemptPolicy(current_app.config["WALLET_DASHBOARD_SIGN_IN_MAX_FAILURES"],
                           current_app.config["WALLET_DASHBOARD_SIGN_IN_LOCK_SECONDS"])
    client = AddressLimit(request_client_address(), AttemptPolicy(
        current_app.config["WALLET_DASHBOARD_SIGN_IN_MAX_FAILURES_PER_ADDRESS"],
        current_app.config["WALLET_DASHBOARD_SIGN_IN_LOCK_SECONDS"]))
    email, password = request.form.get("email", ""), request.form.get("password", "")
    result = _sign_in(email, password, policy, client)
    next_path = _local_next(request.form.get("next"))
    if result.user is not None:
        access.start_session(result.user)
        return redirect(next_path or url_for("dashboard.overview_page"))
    if result.outcome in ("locked", "busy"):
        error = (f"Too many wrong passwords: try again in {result.retry_after} seconds." if result.outcome == "locked"
                 else "Too many sign-ins at once: try again in a moment.")
        page = render_template("dashboard/login.html", next=next_path, email=email, error=error)
        return page, 429 if result.outcome == "locked" else 503, {"Retry-After": str(result.retry_after)}
    return render_template("dashboard/login.html", next=next_path, email=email,
                           error="Wrong e-mail address or password."), 401


def _sign_in(email: str, password: str, policy: AttemptPolicy, client: AddressLimit) -> SignIn:
    """Count (committed whatever follows), compare outside any transaction, then finish."""
    with transaction() as session:
        counted = count_sign_in(session, email, policy, utcnow(), client)
    compared = compare_password(counted, password)
    if compared.outcome != "signed_in":
        return compared
    with transaction() as session:
        result = finish_sign_in(session, counted, compared)
        if result.user is not None:
            session.expunge(result.user)
    return result


# A dashboard path and query of printable ASCII: never another site, never a header break.
_LOCAL_NEXT = re.compile(r"/dashboard(?:[/?][\x21-\x7e]*)?")


def _local_next(value: str | None) -> str | None:
    """Only a dashboard path: the sign-in form must not send anyone to another site."""
    if value and _LOCAL_NEXT.fullmatch(value) and "//" not in value and "\\" not in value:
        return value
    return None


@dashboard_blueprint.post("/logout")
def logout() -> Response:
    access.end_session()
    return redirect(url_for("dashboard.login"))


@dashboard_blueprint.get("")
def overview_page() -> str:
    user = access.current_user()
    with transaction(write=False) as session:
        figures = overview(session, user.organization_id, utcnow(),
                           current_app.config["WALLET_CERTIFICATE_WARNING_DAYS"])
        stale_count, stale = stale_passes(session, user.organization_id, utcnow(), _stale_minutes())
        chart = {"days": figures.days, **figures.series}
        return render_template("dashboard/overview.html", overview=figures, chart_json=json.dumps(chart),
                               series_names=list(CHART_SERIES), stale_count=stale_count, stale=stale,
                               stale_minutes=_stale_minutes())


def _stale_minutes() -> int:
    return int(current_app.config["WALLET_DASHBOARD_STALE_DEVICE_MINUTES"])


@dashboard_blueprint.get("/passes")
def passes_page() -> Any:
    text, after = request.args.get("q", ""), request.args.get("after") or None
    with transaction(write=False) as session:
        try:
            page = search_passes(session, access.current_user().organization_id, read_search_box(text), after)
        except DomainError as refused:  # a query the v3 parser refuses is the user's typo, not our fault
            return render_template("dashboard/passes.html", q=text, page=None, error=refused.message), 400
        return render_template("dashboard/passes.html", q=text, page=page, error=None)


@dashboard_blueprint.get("/passes/<pass_id>")
def pass_page(pass_id: str) -> str:
    now = utcnow()
    with transaction(write=False) as session:
        pass_ = organization_pass(session, access.current_user().organization_id, pass_id)
        if pass_ is None:
            abort(404)
        devices = registered_devices(session, pass_, now, _stale_minutes())
        return render_template("dashboard/pass.html", pass_=pass_, timeline=delivery_timeline(session, pass_),
                               devices=devices, stale=any(device.stale for device in devices),
                               stale_minutes=_stale_minutes())


@dashboard_blueprint.get("/audit")
def audit_page() -> str:
    with transaction(write=False) as session:  # rendered inside: after the commit, each entry would reload
        entries = recent_changes(session, access.current_user().organization_id)
        return render_template("dashboard/audit.html", entries=entries, as_json=_as_json)


def _as_json(value: Any) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True)


@dashboard_blueprint.get("/campaigns")
def campaigns_page() -> str:
    with transaction(write=False) as session:
        campaigns = list(session.scalars(
            select(Campaign).where(Campaign.organization_id == access.current_user().organization_id)
            .order_by(Campaign.created_at.desc(), Campaign.id)))
        trends = install_trends(session, [campaign.id for campaign in campaigns], utcnow().date())
    return render_template("dashboard/campaigns.html", campaigns=campaigns, moves=STATE_MOVES, trends=trends)


@dashboard_blueprint.post("/campaigns/<campaign_id>/pause", defaults={"action": "pause"})
@dashboard_blueprint.post("/campaigns/<campaign_id>/resume", defaults={"action": "resume"})
@dashboard_blueprint.post("/campaigns/<campaign_id>/archive", defaults={"action": "archive"})
def change_campaign(campaign_id: str, action: str) -> Any:
    access.require_change_rights()
    user = access.current_user()
    with transaction() as session:
        # Locked before "before" is read: a change made meanwhile through the API is seen.
        campaign = session.get(Campaign, campaign_id, with_for_update=True)
        if campaign is None or campaign.organization_id != user.organization_id:
            abort(404)
        before = {"state": campaign.state}
        try:
            change_campaign_state(session, campaign, action)
        except StateConflict as refused:
            abort(409, refused.message)
        record_change(session, user, f"campaign.{action}", "campaign", campaign.id, before, {"state": campaign.state})
        row = render_template("dashboard/_campaign_row.html", campaign=campaign, moves=STATE_MOVES,
                              trends=install_trends(session, [campaign.id], utcnow().date()))
    if "HX-Request" in request.headers:
        return row
    if request.form.get("back") == "campaign":  # the campaign page's buttons come back to it
        return redirect(url_for("dashboard.campaign_page", campaign_id=campaign_id))
    return redirect(url_for("dashboard.campaigns_page"))
