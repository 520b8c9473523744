"""The dashboard's campaign page (docs/dashboard.md, "Campaign page"): the campaign's
chart, its pass preview, editing of its fields, colours and images, and "push to all
passes" with a progress bar. Edits and pushes go through the services the v2 API uses,
and each is audited in the transaction of the change."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from walletservice.dashboard import access
from walletservice.dashboard.routes import dashboard_blueprint
from walletservice.db import transaction
from walletservice.errors import DomainError, NotFound, PreconditionFailed
from walletservice.models import Campaign, Organization
from walletservice.models.base import utcnow
from walletservice.runtime import runtime
from walletservice.services.assets import create_asset, get_rendition
from walletservice.services.audit_log import record_change
from walletservice.services.campaign_merge import enqueue_campaign_merge
from walletservice.services.campaigns import STATE_MOVES, update_integrator_campaign
from walletservice.services.dashboard_campaigns import (
    EDITABLE_COLOURS,
    EDITABLE_IMAGES,
    SHOWN_VERSION_FIELD,
    CampaignPush,
    campaign_chart,
    campaign_push,
    changed_values,
    edited_attributes,
    organization_campaign,
    require_shown_version,
)
from walletservice.services.entity_tags import entity_tag
from walletservice.services.pass_preview import pass_preview
from walletservice.services.passworks_mapping import campaign_attributes
from walletservice.services.schedules import sync_relevant_date_schedule

# The PNG renditions the asset service stores: logo.png, logo@2x.png, ...
_RENDITION = re.compile(r"[A-Za-z]{1,32}(@[23]x)?\.png")


def _campaign_or_404(session: Session, campaign_id: str, *, for_update: bool = False) -> Campaign:
    campaign = organization_campaign(session, access.current_user().organization_id, campaign_id)
    if campaign is None:
        abort(404)
    if for_update:  # locked before "before" is read: a change made meanwhile through the API is seen
        session.refresh(campaign, with_for_update=True)
    return campaign


def _render_page(session: Session, campaign: Campaign, *, error: str | None = None,
                 form: dict[str, str] | None = None, push: CampaignPush | None = None) -> str:
    chart = campaign_chart(session, campaign.id, utcnow().date())
    return render_template(
        "dashboard/campaign.html", campaign=campaign, moves=STATE_MOVES, chart_json=json.dumps(chart),
        preview=pass_preview(campaign.design), attributes=campaign_attributes(campaign.design, campaign.settings),
        version=entity_tag(campaign),  # the form's If-Match: a save from a stale page is refused
        colours=EDITABLE_COLOURS, image_roles=EDITABLE_IMAGES, error=error, form=form or {}, push=push)


@dashboard_blueprint.get("/campaigns/<campaign_id>")
def campaign_page(campaign_id: str) -> str:
    with transaction(write=False) as session:
        campaign = _campaign_or_404(session, campaign_id)
        push = None
        if request.args.get("push"):
            push = _push_or_none(session, campaign.id, request.args["push"])
        return _render_page(session, campaign, push=push)


@dashboard_blueprint.post("/campaigns/<campaign_id>/design")
def save_campaign_design(campaign_id: str) -> Any:
    """The v2 update with the page's form; refused input re-renders the page with the reason."""
    access.require_change_rights()
    user = access.current_user()
    form = {name: value for name, value in request.form.items() if name != access.CSRF_FIELD}
    try:
        with transaction() as session:  # a refused edit rolls back whole: no asset, no half-applied design
            campaign = _campaign_or_404(session, campaign_id, for_update=True)
            require_shown_version(campaign, form.pop(SHOWN_VERSION_FIELD, None))
            before = campaign_attributes(campaign.design, campaign.settings)
            changes = edited_attributes(campaign, form, _uploaded_images(session, campaign))
            if changes:
                organization = session.get(Organization, campaign.organization_id)
                update_integrator_campaign(session, organization, campaign, changes, runtime().certificates)
                sync_relevant_date_schedule(session, campaign,
                                            current_app.config["WALLET_RELEVANT_DATE_LEAD_SECONDS"])
                record_change(session, user, "campaign.update", "campaign", campaign.id,
                              *changed_values(before, changes))
    except DomainError as refused:
        with transaction(write=False) as session:
            campaign = _campaign_or_404(session, campaign_id)
            reason = "; ".join([refused.message, *refused.details])  # details say which value Wallet would refuse
            # A stale form's boxes hold the old values: show the saved ones, not the form again.
            shown_form = None if isinstance(refused, PreconditionFailed) else form
            return _render_page(session, campaign, error=reason, form=shown_form), _refused_status(refused)
    return redirect(url_for("dashboard.campaign_page", campaign_id=campaign_id))


def _refused_status(refused: DomainError) -> int:
    return refused.status if 400 <= refused.status < 500 else 400


def _uploaded_images(session: Session, campaign: Campaign) -> dict[str, str]:
    """Each image chosen on the form, stored as an asset like POST /v2/assets does."""
    images: dict[str, str] = {}
    organization = session.get(Organization, campaign.organization_id)
    for role in EDITABLE_IMAGES:
        upload = request.files.get(f"image:{role}")
        if upload is None or not upload.filename:
            continue
        asset = create_asset(session, organization, role, upload.read(), original_filename=upload.filename,
                             style=campaign.style)
        images[role] = asset.id
    return images


@dashboard_blueprint.post("/campaigns/<campaign_id>/push")
def push_campaign_passes(campaign_id: str) -> Any:
    """The v2 campaign push (POST /v2/{type}/{id}/push): rewrite every pass, then push them."""
    access.require_change_rights()
    user = access.current_user()
    with transaction() as session:
        campaign = _campaign_or_404(session, campaign_id)
        job = enqueue_campaign_merge(session, campaign)
        record_change(session, user, "campaign.push", "campaign", campaign.id, None,
                      {"job_id": job.id, "push_id": job.push_request_id, "passes": job.total})
        job_id = job.id
    if "HX-Request" in request.headers:
        return _progress(campaign_id, job_id)
    return redirect(url_for("dashboard.campaign_page", campaign_id=campaign_id, push=job_id))


@dashboard_blueprint.get("/campaigns/<campaign_id>/pushes/<job_id>")
def campaign_push_progress(campaign_id: str, job_id: str) -> str:
    return _progress(campaign_id, job_id)


def _progress(campaign_id: str, job_id: str) -> str:
    with transaction(write=False) as session:
        campaign = _campaign_or_404(session, campaign_id)
        push = _push_or_none(session, campaign.id, job_id)
        if push is None:
            abort(404)
        return render_template("dashboard/_push_progress.html", campaign=campaign, push=push)


def _push_or_none(session: Session, campaign_id: str, job_id: str) -> CampaignPush | None:
    try:
        return campaign_push(session, access.current_user().organization_id, campaign_id, job_id)
    except NotFound:
        return None


@dashboard_blueprint.get("/assets/<asset_id>/<file_name>")
def asset_image(asset_id: str, file_name: str) -> Response:
    """An image of the organization's, for the preview: the rendition GET /v2/assets/{id}/{file} serves."""
    if not _RENDITION.fullmatch(file_name):
        abort(404)
    with transaction(write=False) as session:
        try:
            content = get_rendition(session, access.current_user().organization_id, asset_id, file_name).content
        except NotFound:
            abort(404)
    return Response(content, mimetype="image/png")
