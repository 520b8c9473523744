"""CPU time and peak memory of processes, read from /proc (psutil is not a dependency)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads); 0 once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()  # the command name may hold spaces
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (fields 14 and 15)


def total_cpu_seconds(pids: Iterable[int]) -> float:
    return sum(cpu_seconds(pid) for pid in pids)


def cpu_by_pid(pids: Iterable[int]) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in pids}


def cpu_used_since(before: dict[int, float], pids: Iterable[int]) -> float:
    """CPU the processes used since `before`; a process gone meanwhile counts 0 (its
    last seconds are unknown), one started meanwhile counts from 0."""
    total = 0.0
    for pid in pids:
        now = cpu_seconds(pid)
        if now:
            total += now - before.get(pid, 0.0)
    return total


def status_kib(pid: int, field: str) -> int:
    """A `kB` line of /proc/PID/status, e.g. VmHWM (peak resident set) or VmRSS."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def pids_named(name: str) -> list[int]:
    """Every process whose command name is `name` (e.g. all PostgreSQL processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@dataclass(frozen=True)
class MachineCpu:
    """Whole-machine CPU counters from /proc/stat, in seconds summed over cores."""

    busy: float
    idle: float

    @classmethod
    def now(cls) -> MachineCpu:
        values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        user, nice, system, idle, iowait, irq, softirq, steal = values[:8]
        return cls((user + nice + system + irq + softirq + steal) / _TICKS, (idle + iowait) / _TICKS)

    def since(self, earlier: MachineCpu) -> MachineCpu:
        return MachineCpu(self.busy - earlier.busy, self.idle - earlier.idle)
