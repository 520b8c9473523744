"""GET /v2/pushes/{id}: how far a campaign or pass push has got."""

from __future__ import annotations

from flask import Response

from walletservice.api.schemas.pushes import PushProgressResponse
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import json_response
from walletservice.db import transaction
from walletservice.queue.pushes import push_progress


@v2_api.route("GET", "/pushes/<uuid:push_id>", summary="Progress of a push", tag="Pushes",
              responses={200: PushProgressResponse},
              description="Totals per state and failures per APNs reason; another organization's "
                          "push answers 404.")
def get_push(organization_id: str, push_id: str) -> Response:
    with transaction(write=False) as session:
        progress = push_progress(session, organization_id, str(push_id))
    return json_response(PushProgressResponse.build(progress))
