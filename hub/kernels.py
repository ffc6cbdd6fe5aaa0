"""How users' servers start kernels (demo and server mode): jupyter_client's local provisioner, with two
changes, selected in every user's server through ``JUPYTER_DEFAULT_PROVISIONER_NAME``.

- **Unix sockets instead of TCP ports.** jupyter_client picks a kernel's five TCP ports by binding port 0
  and letting go; a kernel started at the same moment by another user's server can be given the same
  port before the first kernel binds it, and dies with "Address already in use" (the Voilà page waiting
  for it never loads). Under a cohort's login surge a hundred workbench kernels start within a minute and
  this happened several times per run. Over the ``ipc`` transport a kernel's sockets are files in a folder
  of its own: nothing to collide with. The folder is made by the server (its user's, mode 0700) under the
  temporary folder, short enough for the 107-byte limit of a Unix socket path, and removed with the kernel.
  A kernel killed with its server leaves its folder behind; now and then a server removes the folders of
  its user that are a while old and where no socket answers any more.
- **The server's lower CPU priority for the kernel's session too** (see `hub.priority`): niceness is
  inherited by the kernel process, its session's autogroup niceness is not.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner

from hub.priority import set_autogroup_nice_async

# The name under which `UserKernelProvisioner` is registered (pyproject entry point), and the environment
# variable by which jupyter_client picks the default provisioner for kernels.
PROVISIONER_NAME = "mentorhub-user-kernel"
DEFAULT_PROVISIONER_ENV = "JUPYTER_DEFAULT_PROVISIONER_NAME"
SOCKETS_PREFIX = "mhk-"
SWEEP_INTERVAL = 600.0  # seconds between two looks for folders left behind, per server
LEFT_BEHIND_AFTER = 60.0  # a folder younger than this may belong to a kernel still starting


def answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def remove_left_behind(temp_dir: str, now: float) -> list[Path]:
    """Remove this user's kernel socket folders whose kernels are gone (no socket in them answers);
    those it removed."""
    removed = []
    for folder in Path(temp_dir).glob(f"{SOCKETS_PREFIX}*"):
        try:
            info = folder.stat()
            if info.st_uid != os.geteuid() or now - info.st_mtime < LEFT_BEHIND_AFTER:
                continue
            if any(answers(path) for path in folder.iterdir()):
                continue
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


class UserKernelProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner over Unix sockets, keeping the server's CPU priority."""

    sockets_dir: str | None = None
    last_sweep = 0.0  # per server process

    async def pre_launch(self, **kwargs):
        kernel_manager = self.parent
        if kernel_manager is not None:
            now = time.time()
            if now - UserKernelProvisioner.last_sweep > SWEEP_INTERVAL:
                UserKernelProvisioner.last_sweep = now
                remove_left_behind(tempfile.gettempdir(), now)
            if self.sockets_dir is None:
                self.sockets_dir = tempfile.mkdtemp(prefix=SOCKETS_PREFIX)
            else:  # a restart keeps the folder, made young again so that no sweep takes it meanwhile
                os.utime(self.sockets_dir)
            kernel_manager.transport = "ipc"
            kernel_manager.ip = os.path.join(self.sockets_dir, "k")
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd, **kwargs):
        connection_info = await super().launch_kernel(cmd, **kwargs)
        nice = os.nice(0)
        if nice > 0 and not await set_autogroup_nice_async(self.pid, nice):
            self.log.debug("Kernel %s: could not lower its session's CPU priority", self.kernel_id)
        return connection_info

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        if not restart and self.sockets_dir is not None:
            shutil.rmtree(self.sockets_dir, ignore_errors=True)
            self.sockets_dir = None
