"""Revisions of a pass: /v2/{type}/{campaign_id}/passes/{pass_id}/revisions, and restoring one."""

from __future__ import annotations

from flask import Response
from sqlalchemy.orm import Session

from walletservice.api.schemas.common import PageQuery
from walletservice.api.schemas.revisions import RevisionResponse, revision_response
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import json_response, page_response
from walletservice.db import transaction
from walletservice.models import Pass
from walletservice.queue.pushes import enqueue_pass_push
from walletservice.services.pagination import fetch_page
from walletservice.services.pass_revisions import revisions_of
from walletservice.services import campaigns as campaign_service
from walletservice.services.passes import get_campaign_pass, restore_revision
from walletservice.services.passworks_mapping import CAMPAIGN_TYPES

RESTORE_DESCRIPTION = (
    "The pass gets the values and content of revision n back. That is a change like any other: it becomes "
    "the pass's newest revision (so it can be undone too), and the pass is pushed (push_id)."
)


def register_revision_routes(segment: str, style: str) -> None:
    tag = f"Passes: {segment}"
    base = f"/{segment}/<uuid:campaign_id>/passes/<uuid:pass_id>/revisions"

    def list_pass_revisions(organization_id: str, campaign_id: str, pass_id: str, query: PageQuery) -> Response:
        with transaction(write=False) as session:
            pass_ = _pass(session, organization_id, style, campaign_id, pass_id)
            page = fetch_page(session, revisions_of(pass_), query.page_request())
            items = [revision_response(revision) for revision in page.items]
        return page_response(items, page)

    def restore_pass_revision(organization_id: str, campaign_id: str, pass_id: str, n: int) -> Response:
        with transaction() as session:
            pass_ = _pass(session, organization_id, style, campaign_id, pass_id)
            revision = restore_revision(session, pass_, n)
            push = enqueue_pass_push(session, organization_id, [pass_.id])
            response = revision_response(revision, push.id)
        return json_response(response)

    register = v2_api.route
    register("GET", base, summary=f"List a pass's revisions, newest first ({segment})", tag=tag, query=PageQuery,
             paginated=True, responses={200: list[RevisionResponse]},
             description="Every change of the pass is a revision, numbered from 1 (as issued); the newest is "
                         "the pass as it is. Only the newest WALLET_PASS_REVISIONS_KEPT are kept.",
             endpoint=f"list_pass_revisions_{segment}")(list_pass_revisions)
    register("POST", f"{base}/<int:n>/restore", summary=f"Restore a pass's revision ({segment})", tag=tag,
             responses={200: RevisionResponse}, description=RESTORE_DESCRIPTION,
             endpoint=f"restore_pass_revision_{segment}")(restore_pass_revision)


def _pass(session: Session, organization_id: str, style: str, campaign_id: str, pass_id: str) -> Pass:
    """The pass, 404 unless it is in the caller's campaign of this type."""
    campaign = campaign_service.get_campaign(session, organization_id, style, campaign_id)
    return get_campaign_pass(session, campaign, pass_id)


for _segment, (_root, _style) in CAMPAIGN_TYPES.items():
    register_revision_routes(_segment, _style)
