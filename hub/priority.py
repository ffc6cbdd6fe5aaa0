"""Lower CPU priority for users' servers and kernels that actually holds on Linux.

A process's niceness alone does not do it here: JupyterHub starts each server in a new session, and
jupyter_client starts each kernel in a new session, and with autogroup scheduling (the Linux default,
`/proc/sys/kernel/sched_autogroup_enabled`) every session is scheduled as one group whose weight comes from
the group's own nice value, 0 unless set. A server at nice 10 in its own session therefore competes with
the hub as an equal. So the niceness goes to both: the process (`os.nice`) and its session's autogroup
(`/proc/<pid>/autogroup`). Where the kernel has no autogroups the file is missing and niceness alone works.
Users' servers do it in the spawner (`hub.spawners`, `hub.warmstart`), their kernels in the provisioner
that starts them (`hub.kernels`).

Where the hub may, users' servers and kernels also go into two CPU tiers that weigh them together rather
than per session (``cpu_tiers`` picks the first that works): where systemd is PID 1 and the hub is root,
two systemd slices that hold each server in a scope of its own (``SystemdTiers``, as SystemdSpawner and the
littlest JupyterHub give each user a unit); elsewhere two cpu cgroups the hub makes itself in a cgroup-v2
subtree delegated to it or in a cgroup-v1 cpu hierarchy, as on this machine (``UserCpuGroups``).

Unprivileged processes may raise an autogroup's nice value, at most once per 100 ms across the machine;
a write refused for that reason is tried again a few times.
"""

from __future__ import annotations

import asyncio
import errno
import itertools
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

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


def write_autogroup_nice(pid: int | str, nice: int) -> bool:
    """One try, never waiting (the hub's event loop): True when written."""
    return bool(_write_autogroup_nice(pid, nice))


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


# -- one cpu cgroup per tier ---------------------------------------------------------------------------
CGROUP_V1_CPU = Path("/sys/fs/cgroup/cpu")
USERS_GROUP = "mentorhub-users"
HUB_LEAF = "mentorhub-hub"  # cgroup v2: where the hub's own processes go (no process may sit beside children)
MOUNTINFO = Path("/proc/self/mountinfo")


def nice_weight(nice: int) -> int:
    """The scheduler's weight for a nice value: 1024 at 0, a fifth less per step (110 at 10, 15 at 19)."""
    return max(2, round(1024 / 1.25**nice))


def cpu_weight_v2(nice: int) -> int:
    """cgroup v2's ``cpu.weight`` (1..10000, 100 for nice 0) that weighs like one process at ``nice``."""
    return max(1, min(10000, round(nice_weight(nice) * 100 / 1024)))


def own_cgroup(controller: str, proc_cgroup: str = "/proc/self/cgroup") -> str:
    """This process's cgroup in the cgroup-v1 hierarchy of ``controller`` ("/" at the top)."""
    for line in Path(proc_cgroup).read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return path
    raise OSError(f"no cgroup-v1 {controller} hierarchy for this process")


def own_cgroup_v2(proc_cgroup: str = "/proc/self/cgroup") -> str:
    """This process's cgroup in the unified (v2) hierarchy ("0::<path>")."""
    for line in Path(proc_cgroup).read_text().splitlines():
        if line.startswith("0::"):
            return line[3:]
    raise OSError("this process has no cgroup-v2 entry")


def cgroup_v2_mount(mountinfo: Path = MOUNTINFO) -> Path | None:
    """Where the unified (v2) hierarchy is mounted (``/sys/fs/cgroup`` on a v2-only host), if anywhere."""
    for line in mountinfo.read_text().splitlines():
        fields = line.split(" - ", 1)
        if len(fields) == 2 and fields[1].split()[0] == "cgroup2":
            return Path(fields[0].split()[4])
    return None


@dataclass(frozen=True)
class UserCpuGroups:
    """Two cpu cgroups for users' servers and their kernels: ``starting`` weighs like one process at
    ``start_nice``, ``running`` like one at ``cpu_nice``, however many processes each holds.

    Niceness, even given to sessions, is counted per session: each session at nice 19 weighs 15 against
    the hub's 1024, and a cohort's workbench kernels start together, each in its own session. Measured
    here: 60 busy sessions at nice 19 left two busy processes of the hub's tier 74 % of two cores; the
    same 60 processes in one cgroup weighted like nice 19, 98 %. Inside a cgroup Linux schedules tasks by
    their niceness alone (autogroups are for the top group only). The groups sit under the hub's own
    cgroup (``mentorhub-users``, which as a whole weighs like one process at nice 0 against the hub's);
    kernels inherit their server's.

    Two ways to make them, tried in this order by ``create``:

    - **cgroup v2** (current Debian and Ubuntu, and a systemd service with ``Delegate=cpu``, see
      ``deploy/systemd/mentorhub.service``): when the cpu controller is available to the hub's own cgroup and
      the hub may write there. The hub's own processes move into a leaf ``mentorhub-hub`` (a v2 cgroup with
      children may hold no process), ``+cpu`` is enabled for the children, and the tiers get ``cpu.weight``.
    - **cgroup v1** (a cpu hierarchy of its own, as on this machine and in CI): ``cpu.shares``.

    Elsewhere (no cpu controller we may use: not root and nothing delegated) ``create`` gives None and the
    sessions' niceness has to do; ``mechanism()`` says which applies (``mentorhub doctor`` prints it)."""

    starting: Path
    running: Path
    version: int = 1
    needs_placing = False  # a forked server joins ``starting`` itself, before it runs anything of its own

    @property
    def mechanism(self) -> str:
        return f"cgroup-v{self.version}"

    def place(self, pids: Iterable[int], running: bool) -> bool:
        """Move processes (each with all its threads) into a tier; False if any has exited meanwhile."""
        group = self.running if running else self.starting
        return all([self.move(pid, group) for pid in pids])

    @classmethod
    def create(cls, start_nice: int, cpu_nice: int, name: str = USERS_GROUP,
               hierarchy: Path = CGROUP_V1_CPU, unified: Path | None = None,
               proc_cgroup: str = "/proc/self/cgroup") -> UserCpuGroups | None:  # fmt: skip
        """Make (or reuse) the groups; None where this system does not let us. ``unified`` is where the v2
        hierarchy is mounted (default: from ``/proc/self/mountinfo``)."""
        groups = cls._create_v2(start_nice, cpu_nice, name, unified, proc_cgroup)
        return groups or cls._create_v1(start_nice, cpu_nice, name, hierarchy, proc_cgroup)

    @classmethod
    def _create_v1(cls, start_nice, cpu_nice, name, hierarchy, proc_cgroup) -> UserCpuGroups | None:
        try:
            base = hierarchy / own_cgroup("cpu", proc_cgroup).lstrip("/") / name
            groups = cls(base / "starting", base / "running", 1)
            for group, nice in ((groups.starting, start_nice), (groups.running, cpu_nice)):
                group.mkdir(parents=True, exist_ok=True)
                (group / "cpu.shares").write_text(str(nice_weight(nice)))
        except (OSError, ValueError):
            return None
        return groups

    @classmethod
    def _create_v2(cls, start_nice, cpu_nice, name, unified, proc_cgroup) -> UserCpuGroups | None:
        try:
            unified = unified or cgroup_v2_mount()
            if unified is None:
                return None
            own = own_cgroup_v2(proc_cgroup).lstrip("/")
            base = unified / own
            if own.endswith(HUB_LEAF):  # the hub's processes were moved into their leaf before (a restart)
                base = base.parent
            if "cpu" not in (base / "cgroup.controllers").read_text().split():
                return None
            if base != unified:  # the top cgroup may hold processes beside children; any other may not
                leaf = base / HUB_LEAF
                leaf.mkdir(exist_ok=True)
                for pid in (base / "cgroup.procs").read_text().split():
                    cls.move(pid, leaf)
            enable_cpu(base)
            users = base / name
            users.mkdir(exist_ok=True)
            enable_cpu(users)
            groups = cls(users / "starting", users / "running", 2)
            for group, nice in ((groups.starting, start_nice), (groups.running, cpu_nice)):
                group.mkdir(exist_ok=True)
                (group / "cpu.weight").write_text(str(cpu_weight_v2(nice)))
        except (OSError, ValueError):
            return None
        return groups

    @staticmethod
    def move(pid: int | str, group: Path | str) -> bool:
        """Move process ``pid`` (all its threads; "0": the caller) into ``group``; False if it has exited."""
        try:
            (Path(group) / "cgroup.procs").write_text(str(pid))
        except OSError:
            return False
        return True


SYSTEMD_RUNTIME = Path("/run/systemd/system")  # present exactly when systemd is PID 1 (sd_booted(3))
USERS_SLICE = "mentorhub.slice"  # beside system.slice, where the hub's service is
TIER_SLICES = {False: "mentorhub-starting.slice", True: "mentorhub-running.slice"}  # children of USERS_SLICE
BUSCTL_TIMEOUT = 10
_scope_numbers = itertools.count()
log = logging.getLogger("mentorhub.priority")


class SystemdError(RuntimeError):
    """systemd's bus refused a call (the message is busctl's)."""


def systemd_booted(runtime: Path | None = None) -> bool:
    return (runtime or SYSTEMD_RUNTIME).is_dir()


def variant(name: str, value: str | int | list[int]) -> list[str]:
    """One ``(sv)`` property of a transient unit as busctl's arguments: name, signature, value."""
    if isinstance(value, list):
        return [name, "au", str(len(value)), *map(str, value)]
    if isinstance(value, int):
        return [name, "t", str(value)]
    return [name, "s", value]


def properties(**values: str | int | list[int]) -> list[str]:
    """An ``a(sv)`` of unit properties as busctl's arguments (count, then each property)."""
    return [str(len(values)), *[arg for name, value in values.items() for arg in variant(name, value)]]


@dataclass(frozen=True)
class SystemdTiers:
    """The two tiers as systemd slices, where systemd is PID 1: ``mentorhub-starting.slice`` and
    ``mentorhub-running.slice`` under ``mentorhub.slice`` (which, beside ``system.slice``, weighs like one
    process at nice 0 against the hub's service), with the ``CPUWeight`` of one process at ``start_nice`` and
    at ``cpu_nice``. systemd owns its cgroup tree and expects nobody else to write into it unless it was
    delegated; so here the hub makes no cgroup itself but asks systemd, over its bus (``busctl``), for
    transient units: the slices once, and a scope per server (``mentorhub-server-<pid>-….scope``, the
    unit type systemd has for processes that a service forks off: systemd.scope(5)). A server's kernels,
    started later, are in its scope too. A scope cannot change slice, so a server changes tier by moving,
    with every process given, into a new scope of the other slice; the scope left empty is collected by
    systemd. Users' scopes are not part of the hub's service: like JupyterHub's servers, they outlive a
    restart of the hub. ``systemctl status mentorhub.slice`` shows them all."""

    start_weight: int
    running_weight: int
    busctl: str = "busctl"
    needs_placing = True  # systemd places a process only once it exists: the hub does it after the fork
    starting = None  # no cgroup a forked process could join by itself
    mechanism = "systemd-slices"

    @classmethod
    def create(cls, start_nice: int, cpu_nice: int, runtime: Path | None = None,
               busctl: str | None = None) -> SystemdTiers | None:  # fmt: skip
        """Make (or, after a restart of the hub, update) the slices; None where systemd is not PID 1, the
        hub is not root or systemd refuses."""
        busctl = busctl or shutil.which("busctl")
        if not (systemd_booted(runtime) and busctl and os.geteuid() == 0):
            return None
        tiers = cls(cpu_weight_v2(start_nice), cpu_weight_v2(cpu_nice), busctl)
        try:
            tiers.ensure_slice(USERS_SLICE, cpu_weight_v2(0), "Mentor Hub: users' servers and kernels")
            tiers.ensure_slice(TIER_SLICES[False], tiers.start_weight, "Mentor Hub: servers starting or rendering")
            tiers.ensure_slice(TIER_SLICES[True], tiers.running_weight, "Mentor Hub: servers running")
        except (SystemdError, OSError, subprocess.SubprocessError) as error:
            log.warning("systemd refused Mentor Hub's slices (%s); trying cgroups", error)
            return None
        return tiers

    def call(self, method: str, signature: str, *args: str) -> str:
        """One method of systemd's manager over the system bus; its reply as busctl prints it."""
        done = subprocess.run(
            [self.busctl, "call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
             "org.freedesktop.systemd1.Manager", method, signature, *args],
            capture_output=True, text=True, timeout=BUSCTL_TIMEOUT, check=False)  # fmt: skip
        if done.returncode != 0:
            raise SystemdError(done.stderr.strip() or f"busctl exited with {done.returncode}")
        return done.stdout.strip()

    def ensure_slice(self, name: str, weight: int, description: str) -> None:
        try:
            self.call("StartTransientUnit", "ssa(sv)a(sa(sv))", name, "fail",
                      *properties(Description=description, CPUWeight=weight), "0")
        except SystemdError as error:
            if "already" not in str(error) and "exists" not in str(error):
                raise
            # made by an earlier run of the hub: its weight may have changed since
            self.call("SetUnitProperties", "sba(sv)", name, "true", *properties(CPUWeight=weight))

    def place(self, pids: Iterable[int], running: bool) -> bool:
        """Move processes into a new scope of a tier; False if none of them is left (or systemd refused,
        logged). A process that exits while the call is made fails the whole call: it is made once more
        with those still there."""
        pids = [int(pid) for pid in pids]
        for attempt in range(2):
            if attempt:
                import psutil  # here only: this module is imported by every user's server (hub.kernels)

                pids = [pid for pid in pids if psutil.pid_exists(pid)]
            if not pids:
                return False
            # unique while this hub runs; a name an earlier run left in use fails, and the next try takes another
            scope = f"mentorhub-server-{pids[0]}-{os.getpid()}-{next(_scope_numbers)}.scope"
            try:
                self.call("StartTransientUnit", "ssa(sv)a(sa(sv))", scope, "fail", *properties(
                    Description=f"Mentor Hub: server {pids[0]} and its kernels", Slice=TIER_SLICES[running],
                    PIDs=pids, CollectMode="inactive-or-failed"), "0")  # fmt: skip
                return True
            except (SystemdError, OSError, subprocess.SubprocessError) as error:
                failure = error
        log.warning("systemd did not move %s into %s: %s", pids, TIER_SLICES[running], failure)
        return False


def cpu_tiers(start_nice: int, cpu_nice: int) -> SystemdTiers | UserCpuGroups | None:
    """The CPU tiers of users' processes on this machine: systemd's slices where systemd is PID 1, else
    cgroups the hub makes (v2 delegated, v1), else None (the sessions' niceness has to do)."""
    return SystemdTiers.create(start_nice, cpu_nice) or UserCpuGroups.create(start_nice, cpu_nice)


def enable_cpu(group: Path) -> None:
    """Let ``group``'s children use the cpu controller (cgroup v2), unless they already may."""
    control = group / "cgroup.subtree_control"
    if "cpu" not in (control.read_text().split() if control.exists() else []):
        control.write_text("+cpu")


def mechanism(hierarchy: Path = CGROUP_V1_CPU, unified: Path | None = None,
              proc_cgroup: str = "/proc/self/cgroup", runtime: Path | None = None,
              busctl: str | None = None) -> tuple[str, str]:  # fmt: skip
    """(mechanism, where) that ``cpu_tiers`` would use here, found without changing anything:
    ``systemd-slices``, ``cgroup-v2``, ``cgroup-v1``, ``session-niceness`` (autogroups) or ``niceness``."""
    if systemd_booted(runtime) and (busctl or shutil.which("busctl")) and os.geteuid() == 0:
        return "systemd-slices", USERS_SLICE
    try:
        unified = unified or cgroup_v2_mount()
        if unified is not None:
            own = own_cgroup_v2(proc_cgroup).lstrip("/")
            base = unified / own
            base = base.parent if own.endswith(HUB_LEAF) else base
            if "cpu" in (base / "cgroup.controllers").read_text().split() and os.access(base, os.W_OK):
                return "cgroup-v2", str(base)
    except (OSError, ValueError):
        pass
    try:
        base = hierarchy / own_cgroup("cpu", proc_cgroup).lstrip("/")
        if base.is_dir() and os.access(base, os.W_OK):
            return "cgroup-v1", str(base)
    except (OSError, ValueError):
        pass
    if autogroup_nice() is not None:
        return "session-niceness", "/proc/<pid>/autogroup"
    return "niceness", "nice(2)"
