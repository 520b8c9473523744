"""Jobs of the job system itself (used by its tests and as the smallest example)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from walletservice.jobs.registry import ChunkResult, job_handler
from walletservice.models import BackgroundJob


@job_handler("count_to")
def count_to(session: Session, job: BackgroundJob) -> ChunkResult:
    """Counts from cursor to payload["n"] in steps of payload["step"]; fails items
    listed in payload["bad"]; raises while payload["explode_at"] is reached."""
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
