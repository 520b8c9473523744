"""Durable background jobs: accepted in a request, done by workers in chunks.

    job = enqueue_job(session, organization_id, "campaign_merge", {"campaign_id": ...})

and, in a module listed in registry.HANDLER_MODULES:

    @job_handler("campaign_merge")
    def merge_chunk(session, job) -> ChunkResult: ...

The handler is called again and again, each time in its own write transaction
that also commits the job's progress, until it answers done=True. So a chunk is
applied exactly once even if the worker dies: its work and the new cursor commit
together, or neither does.
"""

from walletservice.jobs.queue import JobProgress, enqueue_job, job_progress
from walletservice.jobs.registry import ChunkResult, job_handler

__all__ = ["ChunkResult", "JobProgress", "enqueue_job", "job_handler", "job_progress"]
