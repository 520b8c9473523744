"""GET /v2/jobs/{id}: how far a background job (e.g. a campaign merge) has got."""

from __future__ import annotations

from flask import Response

from walletservice.api.schemas.jobs import JobProgressResponse
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import json_response
from walletservice.db import transaction
from walletservice.queue.jobs import job_progress


@v2_api.route("GET", "/jobs/<uuid:job_id>", summary="Progress of a background job", tag="Pushes",
              responses={200: JobProgressResponse},
              description="Campaign merges and campaign pushes with a push_message answer a job_id. "
                          "Another organization's job answers 404.")
def get_job(organization_id: str, job_id: str) -> Response:
    with transaction(write=False) as session:
        progress = job_progress(session, organization_id, str(job_id))
    return json_response(JobProgressResponse.build(progress))
