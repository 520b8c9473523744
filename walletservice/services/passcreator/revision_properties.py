"""Restoring the values a pass revision keeps beside the content (services.pass_revisions.
kept_properties): Passcreator's userProvidedId and the pass's extra (storedValue, bundleId,
downloadPin, eligibleValidationPlaces, groupingIdentifier, localizedBackgroundImages, and
Passworks metadata).

Since the revision was written, other passes may have taken what it held: its userProvidedId
(Conflict, 409: restoring would give two passes one id, which a client that asked for a
unique id relies on never happening) or the last place in its bundle (400, as a create that
joins a full bundle).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from walletservice.errors import Conflict
from walletservice.models import Pass, PassRevision
from walletservice.services.passcreator.bundles import bundle_id_in, check_bundle_room
from walletservice.services.passcreator.user_provided_ids import user_provided_id_taken


def restore_properties(session: Session, pass_: Pass, revision: PassRevision) -> None:
    """Give the pass the revision's kept values; a revision written before they were kept
    (properties NULL) leaves the pass's as they are. The caller holds the pass's lock."""
    kept = revision.properties
    if kept is None:
        return
    user_provided_id, extra = kept.get("user_provided_id"), kept.get("extra")
    if user_provided_id and user_provided_id != pass_.user_provided_id and user_provided_id_taken(
            session, pass_.organization_id, user_provided_id, pass_id=pass_.id, include_queued_creations=True):
        raise Conflict(f"userProvidedId: revision {revision.n} has userProvidedId {user_provided_id!r}, which "
                       "another pass of this account has now; change that pass's (or this one's) first")
    bundle_id = bundle_id_in(extra or {})
    if bundle_id != bundle_id_in(pass_.extra or {}):
        check_bundle_room(session, pass_.organization_id, bundle_id, pass_.id)
    pass_.user_provided_id, pass_.extra = user_provided_id, extra
