"""The dashboard's API keys and webhooks pages (docs/dashboard.md). Owners alone manage
API keys; owners and editors retry a failed webhook delivery. Every change is audited,
and no audit entry, log line or later page holds an API key: it is shown once, in the
answer to its creation."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from walletservice.dashboard import access
from walletservice.dashboard.routes import dashboard_blueprint
from walletservice.db import transaction
from walletservice.errors import StateConflict
from walletservice.models import Organization
from walletservice.models.base import utcnow
from walletservice.services.audit_log import record_change
from walletservice.services.organizations import issue_api_key, organization_api_keys, revoke_api_key
from walletservice.services.webhook_deliveries import recent_deliveries, retry_failed_delivery
from walletservice.services.webhooks import webhook_settings


@dashboard_blueprint.get("/api-keys")
def api_keys_page() -> str:
    with transaction(write=False) as session:
        keys = organization_api_keys(session, access.current_user().organization_id)
        return render_template("dashboard/api_keys.html", keys=keys, new_key=None)


@dashboard_blueprint.post("/api-keys")
def create_api_key() -> Any:
    access.require_owner()
    user = access.current_user()
    with transaction() as session:
        organization = session.get(Organization, user.organization_id)
        if organization is None:
            abort(404)
        issued = issue_api_key(session, organization)
        record_change(session, user, "api_key.create", "api_key", str(issued.key_id), None, {"revoked": False})
        keys = organization_api_keys(session, user.organization_id)
        # The only time the key is shown: the page is not cached (Cache-Control: no-store).
        page = render_template("dashboard/api_keys.html", keys=keys, new_key=issued)
    return page, 201


@dashboard_blueprint.post("/api-keys/<key_id>/revoke")
def revoke_key(key_id: str) -> Response:
    access.require_owner()
    user = access.current_user()
    with transaction() as session:
        try:
            key = revoke_api_key(session, user.organization_id, key_id)
        except StateConflict as refused:
            abort(409, refused.message)
        if key is None:
            abort(404)
        record_change(session, user, "api_key.revoke", "api_key", key.id, {"revoked": False}, {"revoked": True})
    return redirect(url_for("dashboard.api_keys_page"))


@dashboard_blueprint.get("/webhooks")
def webhooks_page() -> str:
    organization_id = access.current_user().organization_id
    with transaction(write=False) as session:
        organization = session.get(Organization, organization_id)
        if organization is None:
            abort(404)
        url = webhook_settings(organization, current_app.config["WALLET_SECRET_KEY"]).url
        return render_template("dashboard/webhooks.html", webhook_url=url,
                               deliveries=recent_deliveries(session, organization_id))


@dashboard_blueprint.post("/webhooks/deliveries/<int:delivery_id>/retry")
def retry_delivery(delivery_id: int) -> Any:
    access.require_change_rights()
    user = access.current_user()
    with transaction() as session:
        try:
            delivery = retry_failed_delivery(session, user.organization_id, delivery_id, utcnow())
        except StateConflict as refused:
            abort(409, refused.message)
        if delivery is None:
            abort(404)
        record_change(session, user, "webhook_delivery.retry", "webhook_delivery", str(delivery.id),
                      {"state": "failed"}, {"state": delivery.state})
        row = render_template("dashboard/_delivery_row.html", delivery=delivery)
    if "HX-Request" in request.headers:
        return row
    return redirect(url_for("dashboard.webhooks_page"))
