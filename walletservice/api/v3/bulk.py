"""/api/v3/pass/bulk (POST replaces, PATCH merges) and /api/v3/process/{id} to follow it."""

from __future__ import annotations

from flask import Response

from walletservice.api.schemas.v3 import V3BulkBody, V3Envelope, V3ErrorEnvelope, V3Process, V3Queued
from walletservice.api.v3 import v3_api
from walletservice.api.v3.envelope import envelope
from walletservice.api.v3.passes import queue_bulk
from walletservice.db import transaction
from walletservice.queue.jobs import job_progress

BULK_DESCRIPTION = (
    "`filter` picks the passes: `identifiers`, `segmentId` (its query as saved now) or `query`. Answers 202 "
    "at once with the `process` URL; the passes are updated in chunks in the background and each chunk's "
    "passes are pushed. `count` is the number of passes the filter selects now."
)


@v3_api.route("POST", "/pass/bulk", summary="Bulk replace passes' data", tag="Bulk updates",
              json_body=V3BulkBody, responses={202: V3Envelope[V3Queued], 404: V3ErrorEnvelope},
              description="Data not given is removed from every selected pass. " + BULK_DESCRIPTION)
def bulk_replace(organization_id: str, body: V3BulkBody) -> Response:
    return queue_bulk(organization_id, body.data.model_dump(exclude_unset=True), body.filter, replace=True)


@v3_api.route("PATCH", "/pass/bulk", summary="Bulk update passes' data", tag="Bulk updates",
              json_body=V3BulkBody, responses={202: V3Envelope[V3Queued], 404: V3ErrorEnvelope},
              description="Only the data given changes. " + BULK_DESCRIPTION)
def bulk_patch(organization_id: str, body: V3BulkBody) -> Response:
    return queue_bulk(organization_id, body.data.model_dump(exclude_unset=True), body.filter, replace=False)


def _time(moment: object) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment is not None else None  # type: ignore[attr-defined]


@v3_api.route("GET", "/process/<process_id>", summary="Follow a background process", tag="Bulk updates",
              responses={200: V3Envelope[V3Process]},
              description="status queued, running, done or failed; `errors` lists the passes that failed "
                          "(the first 1,000) with the reason.")
def get_process(organization_id: str, process_id: str) -> Response:
    with transaction(write=False) as session:
        progress = job_progress(session, organization_id, process_id)
    view = V3Process(
        identifier=progress.id, kind=progress.kind, status=progress.state, total=progress.total,  # type: ignore[arg-type]
        processed=progress.processed, failed=progress.failed,
        errors=[{"identifier": item.get("id", ""), "error": item.get("error", "")} for item in progress.errors],
        result=progress.result, createdOn=_time(progress.created_at) or "",
        startedOn=_time(progress.started_at), finishedOn=_time(progress.finished_at),
    )
    return envelope(view.model_dump())
