"""The kinds of job the job runner runs: an explicit list of what the services declare.

A new kind is a JobKind in the service that enqueues it (walletservice/queue/jobs.py)
and one line in JOB_KINDS. The web app never imports this module, so the API does not
pay for what only workers run.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from walletservice.models import BackgroundJob
from walletservice.queue.jobs import ChunkResult, JobKind, JobSettings
from walletservice.services import campaign_merge, google_retirer, google_sender
from walletservice.services.passcreator import jobs as passcreator_jobs


def count_to(session: Session, job: BackgroundJob, settings: JobSettings) -> ChunkResult:
    """The job system's own smallest job (its tests use it): counts from cursor to
    payload["n"] in steps of payload["step"]; fails items listed in payload["bad"];
    raises while payload["explode_at"] is reached."""
    start = int(job.cursor or 0)
    end = min(start + int(job.payload.get("step", 1)), int(job.payload["n"]))
    if job.payload.get("explode_at") is not None and start <= job.payload["explode_at"] < end:
        raise RuntimeError("exploded as asked")
    bad = [n for n in range(start, end) if n in job.payload.get("bad", [])]
    return ChunkResult(
        cursor=str(end), processed=end - start, failed=len(bad),
        errors=[{"id": str(n), "error": "bad number"} for n in bad],
        done=end >= int(job.payload["n"]), total=int(job.payload["n"]),
        result={"last": end},
    )


COUNT_TO = JobKind("count_to", count_to)

JOB_KINDS: tuple[JobKind, ...] = (
    COUNT_TO,
    campaign_merge.MERGE_KIND,
    campaign_merge.MESSAGE_KIND,
    google_sender.SYNC_KIND,
    google_retirer.RETIRE_KIND,
    *passcreator_jobs.JOB_KINDS,
)


def kinds_by_name(kinds: Iterable[JobKind]) -> dict[str, JobKind]:
    table: dict[str, JobKind] = {}
    for kind in kinds:
        if kind.name in table and table[kind.name] is not kind:
            raise RuntimeError(f"two handlers for job kind {kind.name!r}")
        table[kind.name] = kind
    return table
