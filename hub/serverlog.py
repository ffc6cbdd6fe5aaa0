"""Users' servers write into logs of their own, never into the hub's.

A server inherits its standard output and error from the process that starts it, and its kernels inherit
them from the server (ipykernel even copies what a cell writes to file descriptor 1 or 2 there): left as
they are, any user's code could write into the hub's log, e.g. a forged login line. So a server's output goes
to ``~/.mentorhub/server.log`` in its own home (the previous start's is kept as ``server.log.1``), opened by
the server's own process after it has become the user (``take_own_log``): a link planted there is refused and
opens nothing the user could not open anyway. Standard input is ``/dev/null``. Both the ordinary start (the
spawner's ``preexec_fn``) and the warm start (``hub.warmstart``'s fork) call it.
"""

from __future__ import annotations

import os

LOG_RELATIVE = os.path.join(".mentorhub", "server.log")


def server_log_path(home: str) -> str:
    """Where the server of the user with home folder ``home`` writes its output."""
    return os.path.join(home, LOG_RELATIVE)


def take_own_log(path: str | None) -> None:
    """Point this process's standard output and error at ``path`` and its input at /dev/null; with no path, or
    when the log cannot be opened, output goes to /dev/null: never back to whatever the starting process held."""
    try:
        if not path:
            raise FileNotFoundError("no log path")
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        if os.path.lexists(path):
            os.replace(path, path + ".1")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    except OSError:
        fd = os.open(os.devnull, os.O_WRONLY)
    null = os.open(os.devnull, os.O_RDONLY)
    for source, target in ((null, 0), (fd, 1), (fd, 2)):
        os.dup2(source, target)
    for opened in {null, fd} - {0, 1, 2}:
        os.close(opened)
