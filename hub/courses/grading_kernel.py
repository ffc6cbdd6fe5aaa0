"""Kernels that run teachers' answers while they are graded: jupyter_client's local provisioner, started
inside the grading sandbox (``hub.courses.sandbox``), so that nbgrader's own executor stays in charge.

For each kernel the provisioner makes a private folder under the grading run's scratch folder with

- ``work/``: a throw-away copy of the submission's files, without any notebook (the notebook being graded
  holds the hidden tests once nbgrader has restored them); it is the kernel's working folder;
- ``s/``: the kernel's connection file and its ZeroMQ sockets (``ipc`` transport: Unix sockets cross the
  sandbox's network namespace, TCP would not).

The kernel command is built here, not taken from a kernel spec a notebook could name: this environment's
Python running ``ipykernel_launcher``. Interrupts go as messages (a signal could not reach into the
sandbox's PID namespace). When the kernel stops, the sandbox's processes are all gone (see the sandbox
module) and the folder is removed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

from .sandbox import GradingSandbox

KERNEL_FOLDER_PREFIX = "k-"


def copy_submission_files(source: Path, target: Path) -> None:
    """Copy a submission's folder without notebooks, hidden files or links (the kernel's working copy)."""
    target.mkdir(mode=0o700)
    if not source or not source.is_dir():
        return
    for entry in source.rglob("*"):
        relative = entry.relative_to(source)
        if any(part.startswith(".") for part in relative.parts) or entry.is_symlink():
            continue
        if entry.is_dir():
            (target / relative).mkdir(parents=True, exist_ok=True)
        elif entry.is_file() and entry.suffix != ".ipynb":
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(entry, target / relative)


class SandboxedKernelProvisioner(LocalProvisioner):
    """Local provisioner whose kernel runs in the grading sandbox, over Unix sockets, from a private copy."""

    folder: Path | None = None

    @property
    def sandbox(self) -> GradingSandbox:
        return self.parent.sandbox

    async def pre_launch(self, **kwargs):
        km = self.parent
        scratch = Path(km.scratch_dir or tempfile.gettempdir())
        self.folder = Path(tempfile.mkdtemp(prefix=KERNEL_FOLDER_PREFIX, dir=scratch))
        copy_submission_files(Path(kwargs.pop("cwd", "") or ""), self.folder / "work")
        sockets = self.folder / "s"
        sockets.mkdir(mode=0o700)
        km.transport = "ipc"
        km.ip = str(sockets / "k")
        km.connection_file = str(sockets / "kernel.json")
        kwargs = await super().pre_launch(**kwargs)
        self.sandbox.hand_over(self.folder)
        extra = kwargs.pop("extra_arguments", None) or []
        kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", km.connection_file, *extra]
        kwargs["cmd"] = self.sandbox.command(kernel, work_dir=self.folder / "work", binds=(sockets,))
        return kwargs

    async def launch_kernel(self, cmd, **kwargs):
        # Nothing of the grader's environment, files or terminal reaches the kernel.
        kwargs.update(env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, cwd=str(self.folder),
                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                      preexec_fn=self.sandbox.preexec)
        return await super().launch_kernel(cmd, **kwargs)

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # bubblewrap's death takes the sandbox's every process with it
            self.process.wait()
        if not restart and self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose every kernel is a ``SandboxedKernelProvisioner`` kernel (never another one)."""

    def __init__(self, *, sandbox: GradingSandbox, scratch_dir: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.sandbox = sandbox
        self.scratch_dir = scratch_dir

    @property
    def kernel_spec(self):
        spec = super().kernel_spec
        if spec is not None:
            spec.interrupt_mode = "message"
        return spec

    async def _async_pre_start_kernel(self, **kwargs):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kwargs.pop("kernel_id", None) or os.urandom(16).hex()
            self.provisioner = SandboxedKernelProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                          parent=self)
        return await super()._async_pre_start_kernel(**kwargs)
