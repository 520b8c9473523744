"""Update tags (`lastUpdated`) and Last-Modified times for passes.

Tags are integers, strictly increasing per pass type and issued in commit order
(see PassTypeTagCounter), so a device never misses an update made in the same
second as another. Last-Modified has one-second resolution in HTTP, so each
change moves a pass's modified_at at least one whole second past the previous
one: otherwise a device that fetched the first of two changes in one second
would be told 304 for the second. Both are taken with the pass row-locked and
the counter row locked, so "the previous one" is the last committed version
(docs/security.md, Concurrency).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from walletservice.db import upsert_insert
from walletservice.models import Pass, PassTypeTagCounter
from walletservice.models.base import utcnow
from walletservice.services.google_sync import enqueue_pass_syncs
from walletservice.services.pass_locks import lock_passes_for_update
from walletservice.services.pass_revisions import record_revisions


def allocate_update_tags(session: Session, pass_type_identifier: str, count: int = 1) -> int:
    """Reserve `count` consecutive tags and return the highest one.

    The upsert locks the counter row until the transaction ends, which is what
    keeps tags in commit order.
    """
    table = PassTypeTagCounter.__table__
    statement = (
        upsert_insert(session, table)
        .values(pass_type_identifier=pass_type_identifier, last_tag=count)
        .on_conflict_do_update(
            index_elements=[table.c.pass_type_identifier],
            set_={"last_tag": table.c.last_tag + count},
        )
        .returning(table.c.last_tag)
    )
    return int(session.execute(statement).scalar_one())


def next_modified_at(previous: dt.datetime | None, now: dt.datetime | None = None) -> dt.datetime:
    """Now, truncated to the second, but always at least one second after `previous`."""
    candidate = (now or utcnow()).replace(microsecond=0)
    if previous is not None and candidate <= previous:
        candidate = previous.replace(microsecond=0) + dt.timedelta(seconds=1)
    return candidate


def mark_passes_changed(session: Session, passes: Sequence[Pass], *, restored_from: int | None = None) -> None:
    """Give every pass in `passes` a new tag and Last-Modified time, and keep the version
    they now have as a new revision (services.pass_revisions), and queue their Google Wallet
    objects' sync when their campaign uses Google (services.google_sync): every write path ends here.

    Tags are allocated per pass type in one statement each, so a campaign-wide
    change costs one counter update, not one per pass. The callers hold the passes'
    locks already (services.pass_locks); taking them here too (no query when held)
    keeps Last-Modified increasing even for a caller that forgot.
    """
    lock_passes_for_update(session, passes)
    by_type: dict[str, list[Pass]] = {}
    for pass_ in passes:
        by_type.setdefault(pass_.pass_type_identifier, []).append(pass_)
    for pass_type_identifier, group in by_type.items():
        # New passes are not flushable before they have a tag.
        with session.no_autoflush:
            last = allocate_update_tags(session, pass_type_identifier, len(group))
        # After the counter lock: a transaction that waited for it must not stamp a time
        # earlier than the one that committed before it.
        now = utcnow()
        for offset, pass_ in enumerate(group):
            pass_.update_tag = last - len(group) + 1 + offset
            pass_.modified_at = next_modified_at(pass_.modified_at, now)
    session.flush()
    record_revisions(session, passes, restored_from=restored_from)
    enqueue_pass_syncs(session, passes)

