"""`wallet status`: what /readyz and /metrics say, for a person at a terminal.

Exit code 0 when ready, 1 when not, as /readyz decides: the database answers with
the expected schema, and every loop some process runs has a fresh heartbeat
(so scripts can wait on it).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from walletservice.db import transaction
from walletservice.operations.status import (
    DatabaseReadiness,
    OperationalStatus,
    database_ready,
    operational_status,
)
from walletservice.workers.heartbeats import LoopHealth, loop_health


def register(group: AppGroup) -> None:
    group.add_command(status)


@click.command("status", help="Show database readiness, worker loops, queues, jobs and the scheduler leader "
                              "(exit code 1 when not ready, as /readyz).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(as_json: bool) -> None:
    with transaction(write=False) as session:
        readiness = database_ready(session)
    current, loops = None, None
    if readiness.ready:
        with transaction(write=False) as session:
            current = operational_status(session)
            loops = loop_health(session, current_app.config["WALLET_LOOP_STALE_SECONDS"])
    if as_json:
        click.echo(json.dumps(_as_json(readiness, current, loops), indent=2))
    else:
        click.echo(_as_text(readiness, current, loops))
    sys.exit(0 if readiness.ready and loops is not None and loops.ready else 1)


def _as_json(readiness: DatabaseReadiness, current: OperationalStatus | None,
             loops: LoopHealth | None) -> dict[str, Any]:
    ready = readiness.ready and loops is not None and loops.ready
    document: dict[str, Any] = {"ready": ready, "database": dataclasses.asdict(readiness)}
    if loops is not None:
        document["loops"] = {"running": loops.running, "down": list(loops.down),
                             "stale": [row.as_json() for row in loops.stale]}
    if current is not None:
        document["status"] = dataclasses.asdict(current) | {"read_at": current.read_at.isoformat()}
        document["status"]["scheduler"]["leader"] = current.scheduler.leader
    return document


def _as_text(readiness: DatabaseReadiness, current: OperationalStatus | None, loops: LoopHealth | None) -> str:
    if not readiness.ready:
        return _line("database", f"NOT READY: {readiness.problem}")
    schema = f"ready, schema at {', '.join(readiness.current_revisions)}"
    lines = [_line("database", schema + (f" ({readiness.note})" if readiness.note else ""))]
    if current is None or loops is None:
        return lines[0]
    lines += _loop_lines(loops)
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


def _loop_lines(loops: LoopHealth) -> list[str]:
    running = ", ".join(f"{name} x{count}" for name, count in sorted(loops.running.items()) if count)
    lines = [_line("loops", running or "none has reported (no worker or scheduler has run)")]
    if loops.down:
        lines.append(_line("loops down", f"NOT READY: no live process runs {', '.join(loops.down)}"))
    for row in loops.stale:
        error = f"; last error {row.last_error}" if row.last_error else ""
        lines.append(_line("stale loop", f"{row.loop} in {row.process}, last beat {_seconds(row.age_seconds)} ago"
                                         f"{error}"))
    return lines


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
