"""The dashboard's schedules page (docs/dashboard.md, "Schedules"): the organization's
scheduled updates, and cancelling one that has not run (owners and editors; audited)."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, url_for

from walletservice.dashboard import access
from walletservice.dashboard.routes import dashboard_blueprint
from walletservice.db import transaction
from walletservice.errors import StateConflict
from walletservice.services.audit_log import record_change
from walletservice.services.dashboard_schedules import cancel_organization_schedule, organization_schedules
from walletservice.services.schedules import FINAL_STATES


@dashboard_blueprint.get("/schedules")
def schedules_page() -> str:
    with transaction(write=False) as session:
        rows = organization_schedules(session, access.current_user().organization_id)
        return render_template("dashboard/schedules.html", rows=rows, final_states=FINAL_STATES)


@dashboard_blueprint.post("/schedules/<schedule_id>/cancel")
def cancel_schedule(schedule_id: str) -> Any:
    access.require_change_rights()
    user = access.current_user()
    with transaction() as session:
        try:
            cancelled = cancel_organization_schedule(session, user.organization_id, schedule_id)
        except StateConflict as refused:
            abort(409, refused.message)
        if cancelled is None:
            abort(404)
        before, schedule = cancelled
        record_change(session, user, "schedule.cancel", "schedule", schedule.id,
                      {"state": before}, {"state": schedule.state})
    return redirect(url_for("dashboard.schedules_page"))
