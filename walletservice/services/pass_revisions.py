"""Every version of every pass, so that no update loses a customer's data without a way back.

A revision is written for each pass in the transaction that changes it, by the one
place every change goes through: services.update_tags.mark_passes_changed (issue,
update, merge, redeem, schedules, expiry, personalization, v3 bulk jobs). Revision n
of a pass is the pass as its n-th change left it, so the newest revision is the pass
as it is now; restoring one writes its values back as a new revision. A revision also
keeps the values held beside the content (kept_properties), which a change of only those
records without a new update tag (services.passcreator.passes.update_v3_pass).

Numbers are taken with the pass row-locked (mark_passes_changed holds the lock), so
two writers of one pass number their revisions one after the other; the unique
(pass_id, n) constraint guards that. Only the newest WALLET_PASS_REVISIONS_KEPT
revisions of a pass are kept, so storage stays bounded per pass.

Who made a change is the current author (plumbing.change_authors): in a request, read
from its route and API key when the revision is written; background jobs set it per chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session, aliased

from walletservice.errors import NotFound
from walletservice.models import Pass, PassRevision
from walletservice.models.base import utcnow
from walletservice.plumbing.change_authors import current_author

DEFAULT_KEPT = 50
MAX_N = 2**31 - 1  # the column is a 32-bit integer
MINIMUM_KEPT = 2  # the current version and one before it: a restore always has something to go back to


# Read from WALLET_PASS_REVISIONS_KEPT through a source create_app installs, not passed
# down: every write path (API, jobs, schedules) ends in mark_passes_changed, and threading
# a setting through all of them would sprinkle it. Asked only when a revision is written.
_kept_source: Callable[[], int | None] = lambda: None


def read_retention_from(source: Callable[[], int | None]) -> None:
    """`source` gives the configured count, or None outside the app (then DEFAULT_KEPT)."""
    global _kept_source
    _kept_source = source


def revisions_kept() -> int:
    """The newest revisions kept per pass: the configured count, at least MINIMUM_KEPT."""
    configured = _kept_source()
    return max(MINIMUM_KEPT, int(DEFAULT_KEPT if configured is None else configured))


def record_revisions(session: Session, passes: Sequence[Pass], *, restored_from: int | None = None) -> None:
    """A new revision of each pass as it is now; the caller holds the passes' row locks."""
    if not passes:
        return
    ids = [pass_.id for pass_ in passes]
    last = dict(session.execute(
        select(PassRevision.pass_id, func.max(PassRevision.n)).where(PassRevision.pass_id.in_(ids))
        .group_by(PassRevision.pass_id)).all())
    author, now = current_author(), utcnow()
    session.execute(insert(PassRevision), [{
        "pass_id": pass_.id, "n": (last.get(pass_.id) or 0) + 1, "values": pass_.values, "content": pass_.content,
        "voided": bool(pass_.voided), "update_tag": pass_.update_tag, "created_at": now,
        "route": author.route[:300], "organization_id": author.organization_id, "api_key_id": author.api_key_id,
        "restored_from": restored_from, "properties": kept_properties(pass_),
    } for pass_ in passes])
    _prune(session, ids, revisions_kept())


def kept_properties(pass_: Pass) -> dict[str, Any]:
    """What a revision keeps beside values and content: Passcreator's userProvidedId and the
    pass's extra (storedValue, bundleId, downloadPin, eligibleValidationPlaces, ..., metadata)."""
    return {"user_provided_id": pass_.user_provided_id, "extra": pass_.extra}


def _prune(session: Session, pass_ids: list[str], kept: int) -> None:
    newer = aliased(PassRevision)
    newest = select(func.max(newer.n)).where(newer.pass_id == PassRevision.pass_id).scalar_subquery()
    session.execute(delete(PassRevision).where(PassRevision.pass_id.in_(pass_ids), PassRevision.n <= newest - kept)
                    .execution_options(synchronize_session=False))


def revisions_of(pass_: Pass) -> Select[tuple[PassRevision]]:
    """Newest first."""
    return select(PassRevision).where(PassRevision.pass_id == pass_.id).order_by(PassRevision.n.desc())


def get_revision(session: Session, pass_: Pass, n: int) -> PassRevision:
    if not 1 <= n <= MAX_N:  # a larger number is no revision, and no "integer out of range" either
        raise NotFound(f"pass {pass_.id} has no revision {n}")
    revision = session.scalars(select(PassRevision).where(PassRevision.pass_id == pass_.id,
                                                          PassRevision.n == n)).one_or_none()
    if revision is None:
        raise NotFound(f"pass {pass_.id} has no revision {n}")
    return revision
