"""Lower CPU priority for users' servers and kernels that actually holds on Linux.

A process's niceness alone does not do it here: JupyterHub starts each server in a new session, and
jupyter_client starts each kernel in a new session, and with autogroup scheduling (the Linux default,
`/proc/sys/kernel/sched_autogroup_enabled`) every session is scheduled as one group whose weight comes from
the group's own nice value, 0 unless set. A server at nice 10 in its own session therefore competes with
the hub as an equal. So the niceness goes to both: the process (`os.nice`) and its session's autogroup
(`/proc/<pid>/autogroup`). Where the kernel has no autogroups the file is missing and niceness alone works.
Users' servers do it in the spawner (`hub.spawners`, `hub.warmstart`), their kernels in the provisioner
that starts them (`hub.kernels`).

Unprivileged processes may raise an autogroup's nice value, at most once per 100 ms across the machine;
a write refused for that reason is tried again a few times.
"""

from __future__ import annotations

import asyncio
import errno
import os
import time

RETRY_SECONDS = 0.11
TRIES = 10


def autogroup_nice(pid: int | str = "self") -> int | None:
    """The nice value of the autogroup of process ``pid``; None when the kernel has no autogroups."""
    try:
        with open(f"/proc/{pid}/autogroup") as file:
            return int(file.read().split()[-1])  # "/autogroup-85 nice 0"
    except (OSError, ValueError, IndexError):
        return None


def _write_autogroup_nice(pid: int | str, nice: int) -> bool | None:
    """True when written, None when to be tried again (rate limit), False when not possible here."""
    try:
        with open(f"/proc/{pid}/autogroup", "w") as file:
            file.write(str(nice))
        return True
    except OSError as error:
        return None if error.errno == errno.EAGAIN else False


def set_autogroup_nice(pid: int | str, nice: int) -> bool:
    """Give the session of process ``pid`` the nice value ``nice``; False when this system cannot."""
    for _ in range(TRIES):
        written = _write_autogroup_nice(pid, nice)
        if written is not None:
            return written
        time.sleep(RETRY_SECONDS)
    return False


async def set_autogroup_nice_async(pid: int, nice: int) -> bool:
    """`set_autogroup_nice` without blocking the event loop while it waits out the rate limit."""
    for _ in range(TRIES):
        written = _write_autogroup_nice(pid, nice)
        if written is not None:
            return written
        await asyncio.sleep(RETRY_SECONDS)
    return False


def lower_own_priority(nice: int, session_nice: int | None = None) -> None:
    """In a new process that leads its own session (a ``preexec_fn`` after ``setsid``): add ``nice`` to
    its niceness, and give its session the niceness ``session_nice`` (default: the process's new one)."""
    if nice:
        os.nice(nice)
    session_nice = os.nice(0) if session_nice is None else session_nice
    if session_nice:
        set_autogroup_nice("self", session_nice)
