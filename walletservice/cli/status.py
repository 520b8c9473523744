"""`wallet status`: what /readyz and /metrics say, for a person at a terminal.

Exit code 0 when the database is ready, 1 when it is not (so scripts can wait on it).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Any

import click
from flask.cli import AppGroup

from walletservice.db import transaction
from walletservice.services.operational_status import (
    DatabaseReadiness,
    OperationalStatus,
    database_ready,
    operational_status,
)


def register(group: AppGroup) -> None:
    group.add_command(status)


@click.command("status", help="Show database readiness, queues, jobs and the scheduler leader "
                              "(exit code 1 when the database is not ready).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(as_json: bool) -> None:
    with transaction(write=False) as session:
        readiness = database_ready(session)
    current = None
    if readiness.ready:
        with transaction(write=False) as session:
            current = operational_status(session)
    if as_json:
        click.echo(json.dumps(_as_json(readiness, current), indent=2))
    else:
        click.echo(_as_text(readiness, current))
    sys.exit(0 if readiness.ready else 1)


def _as_json(readiness: DatabaseReadiness, current: OperationalStatus | None) -> dict[str, Any]:
    document: dict[str, Any] = {"ready": readiness.ready, "database": dataclasses.asdict(readiness)}
    if current is not None:
        document["status"] = dataclasses.asdict(current) | {"read_at": current.read_at.isoformat()}
        document["status"]["scheduler"]["leader"] = current.scheduler.leader
    return document


def _as_text(readiness: DatabaseReadiness, current: OperationalStatus | None) -> str:
    if not readiness.ready:
        return _line("database", f"NOT READY: {readiness.problem}")
    schema = f"ready, schema at {', '.join(readiness.current_revisions)}"
    lines = [_line("database", schema + (f" ({readiness.note})" if readiness.note else ""))]
    if current is None:
        return lines[0]
    pushes, jobs, webhooks, scheduler = current.pushes, current.jobs, current.webhooks, current.scheduler
    lines += [
        _line("pushes", f"{pushes.pending} pending, {pushes.due} due (oldest waiting "
                        f"{_seconds(pushes.oldest_due_age_seconds)}), {pushes.leased} in flight"),
        _line("push requests", f"{_states(pushes.open_requests)} (not done)"),
        _line("jobs", f"{_states(jobs.open)} (oldest queued {_seconds(jobs.oldest_queued_age_seconds)}), "
                      f"{jobs.failed_last_hour} failed in the last hour"),
        _line("webhooks", f"{webhooks.pending} pending (oldest due waiting "
                          f"{_seconds(webhooks.oldest_due_age_seconds)})"),
        _line("scheduler", _leader(scheduler.leader, scheduler.lease_holder, scheduler.lease_remaining_seconds)),
        _line("schedules", f"{scheduler.due_schedules} due and not fired (oldest late "
                           f"{_seconds(scheduler.oldest_due_schedule_age_seconds)})"),
    ]
    return "\n".join(lines)


def _line(label: str, text: str) -> str:
    return f"{label + ':':<15}{text}"


def _leader(leader: str | None, holder: str | None, remaining: float | None) -> str:
    if leader is not None and remaining is not None:
        return f"leader {leader} (lease expires in {_seconds(remaining)})"
    if holder is None or remaining is None:
        return "NO LEADER (no scheduler has run)"
    return f"NO LEADER ({holder}'s lease expired {_seconds(-remaining)} ago)"


def _states(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {state}" for state, count in counts.items())


def _seconds(value: float) -> str:
    return f"{value:.0f}s"
