"""Memory of the hub's process tree during a load run, grouped by role (psutil).

Users' servers are forks of the warm starter (`hub.warmstart`) and share the pages of the modules it
loaded, so each process counts its proportional share (PSS): summing RSS would count those pages once per
server."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import psutil

MB = 1024 * 1024


def process_group(proc: psutil.Process, hub_pid: int) -> str:
    """Which part of the platform a process is, from its command line."""
    if proc.pid == hub_pid:
        return "hub"
    try:
        cmdline = " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return "other"
    if "hub.warmstart" in cmdline and proc.ppid() == hub_pid:
        return "warm starter"
    if "configurable-http-proxy" in cmdline:
        return "proxy"
    if "jupyterhub-singleuser" in cmdline:  # started by the hub, or forked by the warm starter
        return "user servers"
    if "ipykernel" in cmdline:
        return "user kernels"
    if "hub.records" in cmdline:
        return "records service"
    return "other services"


def sample(hub_pid: int) -> dict[str, tuple[int, float]]:
    """{group: (process count, PSS in MB)} for the hub and everything it started."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    try:
        hub = psutil.Process(hub_pid)
        processes = [hub, *hub.children(recursive=True)]
    except psutil.NoSuchProcess:
        return {}
    for proc in processes:
        try:
            pss = proc.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        group = totals[process_group(proc, hub_pid)]
        group[0] += 1
        group[1] += pss / MB
    return {name: (int(count), mb) for name, (count, mb) in totals.items()}


class MemorySampler:
    """Samples every `interval` seconds until stopped; keeps the peak and the last sample per group."""

    def __init__(self, hub_pid: int, interval: float = 2.0):
        self.hub_pid = hub_pid
        self.interval = interval
        self.peak: dict[str, float] = {}
        self.last: dict[str, tuple[int, float]] = {}
        self.max_count: dict[str, int] = {}
        self._task: asyncio.Task | None = None

    def take(self) -> None:
        self.last = sample(self.hub_pid)
        for group, (count, mb) in self.last.items():
            self.peak[group] = max(self.peak.get(group, 0.0), mb)
            self.max_count[group] = max(self.max_count.get(group, 0), count)

    async def _loop(self) -> None:
        while True:
            await asyncio.to_thread(self.take)
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> dict[str, dict[str, float]]:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        await asyncio.to_thread(self.take)
        return {group: {"count": self.max_count[group], "peak_mb": self.peak[group],
                        "end_mb": self.last.get(group, (0, 0.0))[1]} for group in sorted(self.peak)}
