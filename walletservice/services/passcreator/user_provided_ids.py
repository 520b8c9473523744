"""`enforceUniqueUserProvidedId`: no other pass of the account may carry the id.

Passcreator lets passes share a userProvidedId unless the request asks for uniqueness,
so a unique index cannot express the rule (it would refuse the duplicates allowed
without the flag). Instead a request that asks takes a lock on (account, id) for the
rest of its transaction (walletservice.db.lock_until_commit) and then looks: two such
requests at once run one after the other, and the second sees the first's pass or
queued creation.
"""

from __future__ import annotations

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from walletservice.db import lock_until_commit
from walletservice.errors import BadRequest
from walletservice.models import BackgroundJob, Pass
from walletservice.plumbing.json_values import JsonString

# The background job that creates an async v3 pass (services.passcreator.jobs) stores the
# normalized id under this payload key, so a pending creation can be found by it.
CREATE_JOB_KIND = "v3_create_pass"
PAYLOAD_KEY = "user_provided_id"
PENDING_STATES = ("queued", "running")
LOCK_NAMESPACE = "user_provided_id"


def ensure_user_provided_id_free(session: Session, organization_id: str, user_provided_id: str, *,
                                 pass_id: str | None = None, include_queued_creations: bool = False) -> None:
    """BadRequest if another pass of the account has the id (pass_id: the pass being written).

    include_queued_creations: also count async creations accepted but not yet run; the
    request that accepts work checks them, the job that runs it checks passes only.
    """
    if user_provided_id_taken(session, organization_id, user_provided_id, pass_id=pass_id,
                              include_queued_creations=include_queued_creations):
        raise BadRequest(f"userProvidedId {user_provided_id!r} is already used in this account")


def user_provided_id_taken(session: Session, organization_id: str, user_provided_id: str, *,
                           pass_id: str | None = None, include_queued_creations: bool = False) -> bool:
    """Whether another pass of the account (or a queued creation) has the id, asked under the
    (account, id) lock, which lasts until the caller's transaction ends."""
    lock_until_commit(session, LOCK_NAMESPACE, organization_id, user_provided_id)
    holders = [exists(_passes_with(organization_id, user_provided_id, pass_id))]
    if include_queued_creations:
        holders.append(exists(_queued_creations_with(organization_id, user_provided_id, pass_id)))
    return bool(session.scalar(select(or_(*holders))))


def _passes_with(organization_id: str, user_provided_id: str, pass_id: str | None) -> Select[tuple[str]]:
    taken = select(Pass.id).where(Pass.organization_id == organization_id,
                                  Pass.user_provided_id == user_provided_id)
    return taken if pass_id is None else taken.where(Pass.id != pass_id)


def _queued_creations_with(organization_id: str, user_provided_id: str,
                           pass_id: str | None) -> Select[tuple[str]]:
    queued = select(BackgroundJob.id).where(
        BackgroundJob.organization_id == organization_id,
        BackgroundJob.kind == CREATE_JOB_KIND,
        BackgroundJob.state.in_(PENDING_STATES),
        JsonString(BackgroundJob.payload, (PAYLOAD_KEY,)) == user_provided_id,
    )
    if pass_id is not None:
        queued = queued.where(JsonString(BackgroundJob.payload, ("pass_id",)) != pass_id)
    return queued
