"""Pass revisions (services.pass_revisions), the same shape in v2 and v3."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from walletservice.api.schemas.common import Timestamp
from walletservice.models import PassRevision
from walletservice.services.download_pins import PIN_KEY


class RevisionResponse(BaseModel):
    n: int = Field(description="The revision's number, from 1 (the pass as issued) per pass.")
    created_at: Timestamp
    route: str = Field(description="What made the change: the API route, or the job or schedule.")
    organization_id: str | None = Field(None, description="The organization whose credentials made the change.")
    api_key_id: str | None = Field(None, description="The API key that made the change.")
    restored_from: int | None = Field(None, description="Set on a restore: the revision it brought back.")
    update_tag: int
    voided: bool
    values: dict[str, Any] = Field(description="The pass's own values at this revision.")
    content: dict[str, Any] = Field(description="The pass's full content (design and values) at this revision.")
    user_provided_id: str | None = Field(None, description="Passcreator's userProvidedId at this revision.")
    extra: dict[str, Any] | None = Field(
        None, description="The values kept beside the content at this revision (v3 storedValue, bundleId, "
                          "eligibleValidationPlaces, ...; Passworks metadata); a downloadPin shows only as "
                          "`downloadPinSet: true`. null on revisions written before these were kept.")
    push_id: str | None = Field(None, description="After a restore: follow the push at GET /v2/pushes/{push_id}.")


def revision_response(revision: PassRevision, push_id: str | None = None) -> RevisionResponse:
    kept = revision.properties or {}
    return RevisionResponse(
        user_provided_id=kept.get("user_provided_id"), extra=_shown_extra(kept.get("extra")),
        n=revision.n, created_at=revision.created_at, route=revision.route,
        organization_id=revision.organization_id, api_key_id=revision.api_key_id,
        restored_from=revision.restored_from, update_tag=revision.update_tag, voided=revision.voided,
        values=revision.values, content=revision.content, push_id=push_id)


def _shown_extra(extra: dict[str, Any] | None) -> dict[str, Any] | None:
    """The extras without the download PIN's hash: whoever reads revisions need not see it."""
    if not extra or PIN_KEY not in extra:
        return extra
    shown = {key: value for key, value in extra.items() if key != PIN_KEY}
    return {**shown, "downloadPinSet": bool(extra[PIN_KEY])}
