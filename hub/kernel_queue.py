"""One queue per machine for the kernels of Voilà pages (demo and server mode).

Every Voilà page runs its notebook in a kernel of its own: about 0.5 CPU-seconds to start it and about 0.3
more in the user's server to render the page. When a training cohort logs in at the same hour, a hundred
such pages arrive within a minute; started all at once they share two cores, each crawls, all finish
together after a minute or more, and at 200 teachers most missed their timeouts. Here they start in
order of arrival, ``size`` at a time across the machine (the CPU count by default): each page then takes
about its time on an idle machine once its turn comes, and the ones behind are shown their place.

The queue lives in a folder that every user's server can write (the hub makes it; sticky, like /tmp, in
server mode): a waiting page is a *ticket*, an empty file named after the moment it arrived, the process
that holds it and a random part (``<ns>-<pid>-<hex>``); a ticket whose turn has come is renamed with a
``-go`` suffix and removed when its page has been rendered. A page's place is the number of live
tickets ahead of it; it may go when fewer than ``size`` are. No process coordinates it, so no hub CPU is
spent on it during the surge, and a server that dies takes its tickets' liveness with it:

- a ticket whose process is gone does not count (``kill(pid, 0)``: ESRCH; EPERM means another user's live
  process);
- a ticket that has been going for longer than ``hold_limit`` does not count (a page that hangs, or a
  user who keeps a ticket on purpose, holds up the others for that long at most);
- a ticket older than ``max_age`` does not count at all.

A user can only add tickets behind those already waiting, so no one can jump the queue; what a hostile
user can do is bounded by the limits above (and by their server's own CPU share, hub.priority).
"""

from __future__ import annotations

import errno
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

GO_SUFFIX = "-go"
QUEUE_ENV = "MENTORHUB_KERNEL_QUEUE"  # the folder; unset: no queue (cluster mode: a pod's CPU is its own)
SIZE_ENV = "MENTORHUB_KERNEL_QUEUE_SIZE"


def default_size() -> int:
    return max(2, os.cpu_count() or 2)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as error:
        return error.errno == errno.EPERM
    return True


@dataclass(frozen=True)
class TicketName:
    arrived_ns: int
    pid: int
    going: bool

    @classmethod
    def parse(cls, name: str) -> TicketName | None:
        going = name.endswith(GO_SUFFIX)
        parts = name.removesuffix(GO_SUFFIX).split("-")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            return None  # not a ticket (and so not counted)
        return cls(int(parts[0]), int(parts[1]), going)


class Ticket:
    """A page's place in the queue, from its arrival until its page has been rendered (or given up)."""

    def __init__(self, queue: KernelQueue, name: str):
        self.queue = queue
        self.name = name
        self.going_since: float | None = None
        self.last_seen = time.monotonic()  # by the waiting page, polling its place

    @property
    def path(self) -> Path:
        return self.queue.folder / (self.name + (GO_SUFFIX if self.going_since is not None else ""))

    def place(self) -> int:
        """How many live tickets are ahead of this one (0: none; it may go when below the queue's size)."""
        return self.queue.ahead_of(self.name)

    def may_go(self) -> bool:
        return self.going_since is not None or self.place() < self.queue.size

    def go(self) -> None:
        """Its turn: from now on it counts as a page being rendered."""
        if self.going_since is None:
            going = self.queue.folder / (self.name + GO_SUFFIX)
            os.rename(self.queue.folder / self.name, going)
            os.utime(going)  # since when it goes (hold_limit)
            self.going_since = time.monotonic()

    def release(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass


class KernelQueue:
    def __init__(self, folder: Path, size: int, hold_limit: float = 60.0, max_age: float = 900.0):
        self.folder = Path(folder)
        self.size = max(1, size)
        self.hold_limit = hold_limit
        self.max_age = max_age

    @classmethod
    def from_environment(cls) -> KernelQueue | None:
        folder = os.environ.get(QUEUE_ENV)
        if not folder or not Path(folder).is_dir():
            return None
        size = os.environ.get(SIZE_ENV, "")
        return cls(Path(folder), int(size) if size.isdigit() and int(size) > 0 else default_size())

    def join(self) -> Ticket:
        """A new ticket behind every ticket there is."""
        name = f"{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(6)}"
        fd = os.open(self.folder / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        os.close(fd)
        return Ticket(self, name)

    def counts(self, name: TicketName, mtime: float, now: float) -> bool:
        """Whether a ticket still holds anyone up: its process lives, it is not too old and, if going, it has
        not been going for too long (its mtime is the moment it was renamed)."""
        if (now - name.arrived_ns / 1e9) > self.max_age:
            return False
        if name.going and now - mtime > self.hold_limit:
            return False
        return alive(name.pid)

    def ahead_of(self, mine: str) -> int:
        now = time.time()
        ahead = 0
        with os.scandir(self.folder) as entries:
            for entry in entries:
                base = entry.name.removesuffix(GO_SUFFIX)
                if base >= mine:
                    continue
                name = TicketName.parse(entry.name)
                if name is None:
                    continue
                try:
                    mtime = entry.stat(follow_symlinks=False).st_mtime
                except FileNotFoundError:
                    mtime, name = now, TicketName(name.arrived_ns, name.pid, True)  # renamed just now: going
                if self.counts(name, mtime, now):
                    ahead += 1
        return ahead

    def waiting(self) -> int:
        """How many pages wait for their turn (live tickets that do not go yet)."""
        now, count = time.time(), 0
        with os.scandir(self.folder) as entries:
            for entry in entries:
                name = TicketName.parse(entry.name)
                if name is None or name.going:
                    continue
                try:
                    mtime = entry.stat(follow_symlinks=False).st_mtime
                except FileNotFoundError:
                    continue  # it went (renamed) or was given up
                count += self.counts(name, mtime, now)
        return count

    def sweep(self) -> int:
        """Remove this process's user's tickets that no longer count (their process is gone, or too old)."""
        now, removed = time.time(), 0
        uid = os.geteuid()
        with os.scandir(self.folder) as entries:
            for entry in entries:
                name = TicketName.parse(entry.name)
                try:
                    info = entry.stat(follow_symlinks=False)
                    if name is None or info.st_uid != uid or self.counts(name, info.st_mtime, now):
                        continue
                    os.unlink(entry.path)
                    removed += 1
                except FileNotFoundError:
                    continue
        return removed


def prepare_folder(folder: Path, shared: bool) -> Path:
    """The queue's folder, made by the hub: private in demo mode (one Unix user), sticky and writable by
    every user in server mode (each user's server adds and removes its own tickets)."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o1777 if shared else 0o700)
    return folder
