"""The sandbox every piece of a teacher's submission runs in while it is graded: bubblewrap.

Teachers' notebooks are untrusted code. ``GradingSandbox`` turns a command into a bubblewrap command line
that gives it

- a file system of its own: a read-only ``/usr`` (without ``/usr/local``, where sites keep their own
  configuration) and Python environment, a private ``/tmp`` and ``HOME``
  (small tmpfs), ``/proc`` of its own processes only, and, writable, exactly the folders it is handed (a
  throw-away copy of one submission, the kernel's socket folder). Not the course folder, the state folder,
  the exchange store, the records database or any secret;
- its own PID namespace (it sees and can signal only its own processes; when grading ends, its first
  process exits and the kernel kills every process left in the namespace, daemons included), its own
  network namespace (no network at all, not even the host's loopback), its own user, IPC and UTS
  namespaces, no way to make further user namespaces, an empty environment, a new terminal session;
- limits set inside the sandbox with ``prlimit`` (util-linux): address space, processes, open files,
  size of any file written, no core files. Since Linux 5.14 the process limit is counted per user
  namespace, so one submission's fork bomb cannot starve another submission graded beside it.

Run as root (demo mode, CI), the sandbox first becomes the unprivileged ``nobody`` account, so that no
process of a submission is root outside its namespaces (the kernel does not apply process limits to
root). In server mode grading already runs as the course's grader account.

Where bubblewrap is missing or cannot make its namespaces, ``require()`` raises ``SandboxUnavailable``
with a Chinese message saying what to install: grading never falls back to running unconfined.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import texts
from .errors import CourseError

# Where things appear inside the sandbox.
WORK_DIR = "/sandbox/work"
HOME_DIR = "/tmp/home"
SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"
# The unprivileged account a root grader becomes before entering the sandbox.
UNPRIVILEGED_ACCOUNT = "nobody"
FALLBACK_UID = 65534


class SandboxUnavailable(CourseError):
    """The grading sandbox cannot be made on this machine; nothing was run."""


@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits of one sandbox (each process in it, except ``processes``: the whole sandbox)."""

    memory_bytes: int = 1 << 30        # address space of each process: a 2 GB list fails with MemoryError
    processes: int = 64                # processes and threads of the sandbox's user, counted in its namespace
    open_files: int = 256
    file_bytes: int = 16 << 20         # no file written may grow beyond this (EFBIG)
    tmp_bytes: int = 64 << 20          # size of the private /tmp (HOME is inside it)

    def prlimit_args(self) -> list[str]:
        return ["prlimit", f"--as={self.memory_bytes}", f"--nproc={self.processes}",
                f"--nofile={self.open_files}", f"--fsize={self.file_bytes}", "--core=0", "--"]


def unprivileged_ids() -> tuple[int, int]:
    try:
        entry = pwd.getpwnam(UNPRIVILEGED_ACCOUNT)
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        return FALLBACK_UID, FALLBACK_UID


def python_roots() -> list[str]:
    """Folders the sandboxed Python needs, read-only: the environment and the interpreter it was made from
    (``/usr`` is bound anyway; ``/usr/local``, where sites keep their own configuration, is not)."""
    roots = []
    for folder in (sys.prefix, sys.base_prefix, str(Path(sys.executable).resolve().parent.parent)):
        folder = os.path.realpath(folder)
        inside_usr = folder == "/usr" or (folder.startswith("/usr/") and not folder.startswith("/usr/local"))
        if inside_usr or folder in roots:
            continue
        roots.append(folder)
    return roots


class GradingSandbox:
    """Builds bubblewrap command lines; ``require()`` checks once per process that they work here."""

    def __init__(self, bwrap: str = "bwrap", limits: SandboxLimits | None = None):
        self.bwrap = bwrap
        self.limits = limits or SandboxLimits()

    # -- who runs it ---------------------------------------------------------------------------
    @property
    def demotes(self) -> bool:
        """Root becomes ``nobody`` before entering the sandbox."""
        return os.geteuid() == 0

    def owner_ids(self) -> tuple[int, int]:
        """The account that owns what the sandbox writes on the host."""
        return unprivileged_ids() if self.demotes else (os.geteuid(), os.getegid())

    def hand_over(self, path: Path) -> None:
        """Give a folder (and what is in it) to the account the sandbox runs as."""
        if not self.demotes:
            return
        uid, gid = self.owner_ids()
        for root, dirs, files in os.walk(path):
            os.chown(root, uid, gid)
            for name in dirs + files:
                os.chown(os.path.join(root, name), uid, gid, follow_symlinks=False)

    def preexec(self) -> None:
        """In the child before bubblewrap starts: stop being root (no-op otherwise)."""
        if self.demotes:
            uid, gid = unprivileged_ids()
            os.setgroups([])
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)

    # -- the command line ----------------------------------------------------------------------
    def command(self, argv: list[str], *, work_dir: Path | None = None, binds: tuple[Path, ...] = (),
                ro_files: dict[str, Path] | None = None) -> list[str]:
        """``argv`` wrapped in bubblewrap. ``work_dir`` appears writable at ``WORK_DIR`` (the working folder);
        each of ``binds`` appears writable at its own path; ``ro_files`` maps sandbox paths to host files."""
        args = [self.bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                "--new-session", "--clearenv",
                "--setenv", "HOME", HOME_DIR, "--setenv", "PATH", SANDBOX_PATH, "--setenv", "LANG", "C.UTF-8",
                "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
                "--ro-bind", "/usr", "/usr", "--tmpfs", "/usr/local",
                "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
                "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                "--proc", "/proc", "--dev", "/dev",
                "--size", str(self.limits.tmp_bytes), "--tmpfs", "/tmp", "--dir", HOME_DIR]
        for root in python_roots():
            args += ["--ro-bind", root, root]
        for target, source in (ro_files or {}).items():
            args += ["--ro-bind", str(source), target]
        for folder in binds:
            args += ["--bind", str(folder), str(folder)]
        if work_dir is not None:
            args += ["--bind", str(work_dir), WORK_DIR, "--chdir", WORK_DIR]
        else:
            args += ["--chdir", "/tmp"]
        uid, gid = unprivileged_ids()
        args += ["--uid", str(uid), "--gid", str(gid), "--"]
        return args + self.limits.prlimit_args() + list(argv)

    # -- can it be made here? ------------------------------------------------------------------
    def require(self) -> None:
        """Raise ``SandboxUnavailable`` (with what to install) unless a sandbox starts on this machine."""
        problem = _probe(self.bwrap, self.demotes)
        if problem:
            raise SandboxUnavailable(problem)


@cache
def _probe(bwrap: str, demotes: bool) -> str:
    """Empty when a trivial command runs in the sandbox; otherwise the people-facing reason."""
    found = shutil.which(bwrap)
    if not found:
        return texts.SANDBOX_MISSING.format(tool=bwrap)
    if not shutil.which("prlimit"):
        return texts.SANDBOX_MISSING_PRLIMIT
    sandbox = GradingSandbox(found)
    try:
        result = subprocess.run(sandbox.command([sys.executable, "-I", "-c", "pass"]), capture_output=True,
                                text=True, timeout=60, preexec_fn=sandbox.preexec)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return texts.SANDBOX_BROKEN.format(detail=str(exc))
    if result.returncode != 0:
        return texts.SANDBOX_BROKEN.format(detail=(result.stderr or result.stdout).strip()[-300:])
    return ""
