"""Pages being rendered get the CPU priority of starting servers (demo and server mode; the hub's side of
``hub.kernel_queue``).

Users' servers and their kernels run in the lowest CPU tier (``hub.priority``): behind the hub, the proxy,
the records service and the servers that are starting, so that a cohort's logins stay quick. A Voilà
page's kernel is started by the user's server and so begins in that lowest tier too; during a cohort's
surge it got almost no CPU, and every page waited until the surge was over (70 s at 100 teachers). But a
teacher is waiting for such a page just as for a server start, and the machine's page queue lets only a
few be rendered at once, so they can run ahead of the idle crowd without starving anyone.

Once a second the hub reads the queue's folder: the servers that hold a *going* ticket (a page being
rendered) are moved, with every process under them (the page's kernel), into the tier of starting
servers; when the ticket is gone they move back. Only a server of this hub counts (its pid is one the
hub started), only a ticket made by that server's own Unix account, only tickets the queue still counts
(``KernelQueue.counts``: going for less than its hold limit), and at most the queue's size at once, oldest
first: a user who forges tickets can lift their own server for the hold limit at most, never another
process, and never above the starting servers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Protocol

import psutil

from hub.kernel_queue import GO_SUFFIX, KernelQueue, TicketName

INTERVAL = 1.0
log = logging.getLogger("mentorhub.page_priority")


class Server(Protocol):
    pid: int

    def move_tree_to_tier(self, running: bool) -> None: ...


def going_servers(queue: KernelQueue, servers: dict[int, Server], now: float | None = None) -> list[int]:
    """The pids of ``servers`` with a page being rendered, oldest ticket first, at most the queue's size."""
    now = time.time() if now is None else now
    found: list[tuple[str, int]] = []
    with os.scandir(queue.folder) as entries:
        for entry in entries:
            if not entry.name.endswith(GO_SUFFIX):
                continue
            name = TicketName.parse(entry.name)
            if name is None or name.pid not in servers:
                continue
            try:
                info = entry.stat(follow_symlinks=False)
                owner = psutil.Process(name.pid).uids().real
            except (OSError, psutil.Error):
                continue
            if info.st_uid == owner and queue.counts(name, info.st_mtime, now):
                found.append((entry.name, name.pid))
    pids: list[int] = []
    for _, pid in sorted(found):
        if pid not in pids:
            pids.append(pid)
    return pids[: queue.size]


class PagePriority:
    """One per queue folder in the hub: the servers it knows, and which of them are lifted now."""

    _instances: dict[Path, PagePriority] = {}

    def __init__(self, queue: KernelQueue):
        self.queue = queue
        self.servers: dict[int, Server] = {}
        self.lifted: set[int] = set()
        self.task: asyncio.Task | None = None

    @classmethod
    def for_queue(cls, folder: str, size: int) -> PagePriority:
        key = Path(folder)
        if key not in cls._instances:
            cls._instances[key] = cls(KernelQueue(key, size))
        return cls._instances[key]

    def add(self, server: Server) -> None:
        self.servers[server.pid] = server
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self.run())

    def remove(self, server: Server) -> None:
        for pid, known in list(self.servers.items()):
            if known is server:
                del self.servers[pid]
                self.lifted.discard(pid)

    def step(self) -> None:
        try:
            wanted = set(going_servers(self.queue, self.servers))
        except OSError as error:  # the folder went away: nothing to lift
            log.warning("Page queue %s unreadable: %s", self.queue.folder, error)
            wanted = set()
        for pid in wanted - self.lifted:
            self.move(pid, running=False)
        for pid in self.lifted - wanted:
            if pid in self.servers:
                self.move(pid, running=True)
        self.lifted = wanted

    def move(self, pid: int, running: bool) -> None:
        try:
            self.servers[pid].move_tree_to_tier(running=running)
        except Exception:  # noqa: BLE001 - a process that exits meanwhile must not stop the loop for the others
            log.exception("Moving the server %s to the %s tier failed", pid, "running" if running else "starting")

    async def run(self) -> None:
        while self.servers:
            self.step()
            await asyncio.sleep(INTERVAL)
