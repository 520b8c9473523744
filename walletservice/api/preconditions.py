"""ETag on reads and If-Match on writes of one pass, campaign or template, in every API.

A view of a route declared with `etag=True` hands the one row it reads or changes to
`current`: a GET records the row's tag for the ETag header; a write that sent If-Match
locks the row (services.pass_locks for passes, db.lock_for_update otherwise) and checks
the tag under that lock, so of two writers holding one ETag exactly one goes on and the
other gets 412. The registry's wrapper then puts the ETag on the answer (`tagged`): for
a write, the tag of the version this request committed, taken just before its commit
(a later writer's version must not be handed out as this one's).
"""

from __future__ import annotations

from typing import TypeVar

from flask import Response, g, has_request_context, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from walletservice.db import lock_for_update
from walletservice.models import Campaign, Pass, Template
from walletservice.services.entity_tags import entity_tag, require_match
from walletservice.services.pass_locks import lock_pass_for_update

IF_MATCH = "If-Match"
RowT = TypeVar("RowT", Pass, Campaign, Template)
_NAMES = {Pass: "pass", Campaign: "campaign", Template: "template"}
_WRITTEN = "walletservice.etag_row"


def if_match_sent() -> bool:
    return IF_MATCH in request.headers


def current(session: Session, row: RowT) -> RowT:
    """`row` as the request may use it: locked and checked against If-Match on a write that
    sent one (412 when stale); its ETag recorded for the answer. Nothing on routes not
    declared with `etag=True`, so views and helpers they share with other routes (a pass's
    push) may call it freely."""
    if not g.get("etag_route"):
        return row
    if request.method == "GET":
        g.etag = entity_tag(row)
        return row
    if if_match_sent():
        row = lock_pass_for_update(session, row) if isinstance(row, Pass) else lock_for_update(row)
        require_match(request.headers[IF_MATCH], entity_tag(row), _NAMES[type(row)])
    if request.method != "DELETE":
        session.info[_WRITTEN] = row
    return row


def tagged(response: Response) -> Response:
    """The answer with the ETag the request recorded, on success."""
    tag = g.pop("etag", None)
    if tag is not None and 200 <= response.status_code < 300:
        response.headers["ETag"] = tag
    return response


def install_etag_recording() -> None:
    """Session events that take a written row's tag at commit (create_app calls this)."""
    if not event.contains(Session, "before_commit", _record_written_tag):
        event.listen(Session, "before_commit", _record_written_tag)
        event.listen(Session, "after_rollback", _forget_written_row)


def _record_written_tag(session: Session) -> None:
    row = session.info.pop(_WRITTEN, None)
    if row is None or not has_request_context():
        return
    session.flush()  # campaign.updated_at and the pass's new update tag are set by the flush
    state = inspect(row)
    if not (state.deleted or state.was_deleted or state.detached):
        g.etag = entity_tag(row)


def _forget_written_row(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
