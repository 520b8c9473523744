"""/api/v3/pass/{identifier}/revisions: a pass's earlier versions, and restoring one."""

from __future__ import annotations

from flask import Response
from pydantic import BaseModel, Field

from walletservice.api.schemas.revisions import RevisionResponse, revision_response
from walletservice.api.schemas.v3 import V3Envelope, V3ResultsMeta
from walletservice.api.v3 import v3_api
from walletservice.api.v3.envelope import envelope
from walletservice.api.v2.revisions import RESTORE_DESCRIPTION
from walletservice.db import transaction
from walletservice.queue.pushes import enqueue_pass_push
from walletservice.services.pagination import PageRequest, fetch_page
from walletservice.services.passcreator import passes as service
from walletservice.services.pass_revisions import revisions_of
from walletservice.services.passes import restore_revision

TAG = "Passes"
BASE = "/pass/<identifier>/revisions"


class V3RevisionQuery(BaseModel):
    page: int = Field(1, description="Page number, from 1; a number below 1 reads as 1.")
    pageSize: int = Field(50, description="Revisions per page, 1 to 50.")


class V3RevisionList(V3Envelope[list[RevisionResponse]]):
    responseMetaData: V3ResultsMeta


@v3_api.route("GET", BASE, summary="List a pass's revisions, newest first", tag=TAG, query=V3RevisionQuery,
              responses={200: V3RevisionList},
              description="Every change of the pass is a revision, numbered from 1 (as issued); the newest is "
                          "the pass as it is. Only the newest WALLET_PASS_REVISIONS_KEPT are kept.")
def list_v3_pass_revisions(organization_id: str, identifier: str, query: V3RevisionQuery) -> Response:
    with transaction(write=False) as session:
        pass_ = service.get_v3_pass(session, organization_id, identifier)
        page = fetch_page(session, revisions_of(pass_), PageRequest.clamped(query.page, query.pageSize))
        views = [revision_response(revision).model_dump(mode="json") for revision in page.items]
    return envelope(views, responseMetaData={"resultsTotal": page.total, "resultsThisPage": len(views)})


@v3_api.route("POST", f"{BASE}/<int:n>/restore", summary="Restore a pass's revision", tag=TAG,
              responses={200: V3Envelope[RevisionResponse]}, description=RESTORE_DESCRIPTION)
def restore_v3_pass_revision(organization_id: str, identifier: str, n: int) -> Response:
    with transaction() as session:
        pass_ = service.get_v3_pass(session, organization_id, identifier)
        revision = restore_revision(session, pass_, n)
        push = enqueue_pass_push(session, organization_id, [pass_.id])
        view = revision_response(revision, push.id).model_dump(mode="json")
    return envelope(view, description="Revision has been restored.")
