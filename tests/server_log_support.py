"""Checks shared by the tests that users' servers keep their output out of the hub's log (issue 16,
finding 12), for servers started warm (forks of the warm starter) and the ordinary way, in demo and server
mode: ``assert_output_kept_from_the_hub``."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import psutil

from hub.serverlog import server_log_path
from tests.helpers import HubHandle, run_in_kernel, wait_for

# Run in a kernel: write a forged hub log line to file descriptors 1 and 2, as the review did (ipykernel
# copies what reaches them to the kernel's inherited output), and report what every descriptor is.
KERNEL_CODE = """
import json, os
os.write(1, {line!r}.encode() + b"\\n")
os.write(2, {line!r}.encode() + b"\\n")
files = []
for fd in os.listdir("/proc/self/fd"):
    try:
        info = os.fstat(int(fd))
    except OSError:
        continue
    files.append([info.st_dev, info.st_ino])
print("FILES " + json.dumps(files))
"""


def identity(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_dev, info.st_ino


def open_files(proc: psutil.Process) -> set[tuple[int, int]]:
    found = set()
    for fd in os.listdir(f"/proc/{proc.pid}/fd"):
        try:
            found.add(identity(f"/proc/{proc.pid}/fd/{fd}"))
        except OSError:  # closed meanwhile
            continue
    return found


def assert_output_kept_from_the_hub(hub: HubHandle, user: str, server: psutil.Process, home: Path) -> None:
    """Neither ``user``'s server process nor a kernel of theirs holds the hub's standard output or error; a
    line a kernel writes there lands in the user's own server log, not in the hub's log."""
    hub_output = {identity(f"/proc/{hub.process.pid}/fd/{fd}") for fd in (1, 2)}
    assert identity(str(hub.log_path)) in hub_output  # what the hub writes is the log this test reads
    assert not open_files(server) & hub_output, f"the server of {user} holds the hub's output"

    line = f"[I 2026-01-01 00:00:00.000 JupyterHub base:900] User logged in: admin {uuid.uuid4().hex}"
    output = run_in_kernel(f"{hub.url}/user/{user}", hub.user_token(user), KERNEL_CODE.format(line=line))
    (files_line,) = [text for text in output.splitlines() if text.startswith("FILES ")]
    kernel_files = json.loads(files_line.removeprefix("FILES "))
    assert kernel_files and not {tuple(f) for f in kernel_files} & hub_output, "a kernel holds the hub's output"
    own_log = Path(server_log_path(str(home)))
    wait_for(lambda: own_log.read_text(errors="replace").count(line) == 2, timeout=60,
             what=f"the forged line in {own_log}")
    assert line not in hub.log_path.read_text(errors="replace")
