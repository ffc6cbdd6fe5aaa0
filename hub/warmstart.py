"""Warm starts: users' servers forked from a process that has already loaded them.

Most of what a single-user server costs to start is Python importing JupyterHub's singleuser code, Jupyter
Server, JupyterLab, nbgrader and Voilà: about 2 of its 2.2 CPU-seconds here. When a training cohort logs
in at the same hour, that is what keeps the hub's two cores busy and the last teacher waiting. The warm
starter is a process of the hub that imports all of it once (the entry point and the enabled server
extensions), then forks a new server for each start: the fork finds everything loaded and only has to
build its app (about 0.25 CPU-seconds).

A fork is set up the way `subprocess.Popen` and the spawner's ``preexec_fn`` set up an exec'd server: a
new session, the cpu cgroup of starting servers, the account (server mode) or the home folder (demo mode),
the lower CPU priority, its own log (``hub.serverlog``); then it takes the user's environment and ``sys.argv``. Two rules keep the users' servers apart from each other:

- The warm starter never sees a user's request. The hub hands it one end of a fresh socket pair per start
  (``SCM_RIGHTS`` over the control socket); it forks and writes the fork's pid to it, and only the fork reads
  the request (environment with the user's API token) from it. So no fork inherits memory that held another
  user's secrets. The hub has the pid before the fork is set up, so it can always stop what it started.
- A fork closes the control socket before it runs anything else: a server (which a user's own config can
  run code in) cannot ask the warm starter, which runs as root in server mode, for anything.

The warm starter runs with the users' servers' common environment and ``HOME=/nonexistent``: what a module
might read from the environment at import time is then the same for everybody, or nothing. Some variables act
only when the interpreter starts (``START_ONLY_VARIABLES``: ``PYTHONPATH``, ``PYTHONHASHSEED``, the locale, …):
a fork cannot take a user's own value of those, so a start that asks for a different one is started the usual
way. Each fork closes every descriptor it inherited (but its standard streams and its request), and the warm
starter reports each fork's exit status back to the hub (``WarmStarter.exit_status_of``), which the spawner's
``poll`` returns as JupyterHub's own would. It goes with the hub, however the hub ends: it leaves when the hub
closes the control socket (the hub stopped), and the kernel kills it when the hub's process ends (its
parent-death signal, for a hub killed with SIGKILL and the like). The servers, each in its own session, carry
on and a restarted hub finds them by their pid, as after any restart. Its forks are its children: it reaps
them and logs how they ended.

The spawner falls back to an ordinary start when the warm starter cannot be used (see
`hub.spawners.LocalServerSpawner`).
"""

from __future__ import annotations

import asyncio
import ctypes
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import traceback
from importlib.metadata import entry_points
from pathlib import Path

from hub.priority import UserCpuGroups, lower_own_priority
from hub.serverlog import take_own_log

HOME_WHILE_LOADING = "/nonexistent"
# Environment variables that act only when Python starts (the interpreter reads them before any module runs):
# a fork keeps the warm starter's, whatever the user's environment says. A start whose environment differs
# from the warm starter's in one of them is not forked but started the usual way.
START_ONLY_VARIABLES = (
    "PYTHONHOME", "PYTHONPATH", "PYTHONSAFEPATH", "PYTHONPLATLIBDIR", "PYTHONNOUSERSITE", "PYTHONUSERBASE",
    "PYTHONHASHSEED", "PYTHONUTF8", "PYTHONIOENCODING", "PYTHONCOERCECLOCALE", "PYTHONDONTWRITEBYTECODE",
    "PYTHONPYCACHEPREFIX", "PYTHONWARNINGS", "PYTHONOPTIMIZE", "PYTHONDEBUG", "PYTHONVERBOSE", "PYTHONINSPECT",
    "PYTHONDEVMODE", "PYTHONMALLOC", "PYTHONFAULTHANDLER", "PYTHONTRACEMALLOC", "PYTHONINTMAXSTRDIGITS",
    "PYTHONNODEBUGRANGES", "PYTHONUNBUFFERED", "PYTHONWARNDEFAULTENCODING",
    "LANG", "LC_ALL", "LC_CTYPE",  # the file system encoding and the locale Python set up at start
)
FORK_TIMEOUT = 60.0  # seconds for the warm starter to fork (the first start waits for its modules to load)
PR_SET_PDEATHSIG = 1  # prctl(2) option, <linux/prctl.h>


class WarmStartUnavailable(Exception):
    """The warm starter cannot serve this start (not running, crashed, or the command is not its own)."""


class WarmStartFailed(Exception):
    """The fork could not set up the user's server (e.g. switching to the account failed)."""


# -- the hub's side ------------------------------------------------------------------------------------
class WarmStarter:
    """The hub's handle on its warm starter for one console script (``jupyterhub-singleuser``)."""

    _by_script: dict[str, WarmStarter] = {}

    def __init__(self, script: str, environment: dict[str, str], log):
        self.script, self.log = script, log
        self.environment = {**environment, "HOME": HOME_WHILE_LOADING}
        self.process: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self.exit_status: dict[int, int] = {}  # pid -> exit status of the forks that have ended
        self._pending = b""

    @classmethod
    def for_script(cls, script: str, environment: dict[str, str], log) -> WarmStarter:
        """The hub's warm starter for ``script``; the first caller's ``environment`` (the servers' common
        one) is its environment while it loads."""
        if script not in cls._by_script:
            cls._by_script[script] = cls(script, environment, log)
        return cls._by_script[script]

    def _ensure_running(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        if self.process is not None:
            self.log.warning("The warm starter for %s exited with status %s; starting it again",
                             self.script, self.process.returncode)
            self._close_control()
        # Started from the hub's event loop, i.e. its main thread: the parent-death signal (`go_with_the_hub`)
        # comes when the thread that started the warm starter ends, and that must be the hub's own end.
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hub.warmstart", self.script, str(theirs.fileno()), str(os.getpid())],
                env=self.environment, cwd="/", stdin=subprocess.DEVNULL, pass_fds=[theirs.fileno()],
            )
        except OSError as error:
            ours.close()
            raise WarmStartUnavailable(f"cannot run the warm starter: {error}") from error
        finally:
            theirs.close()
        self.control = ours
        ours.setblocking(False)
        asyncio.get_running_loop().add_reader(ours.fileno(), self._read_statuses, ours)
        self.log.info("Warm starter for %s running as pid %d", self.script, self.process.pid)

    def _read_statuses(self, control: socket.socket) -> None:
        """The warm starter's reports of forks that ended (``{"exited": pid, "status": code}`` lines)."""
        try:
            data = control.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # it exited (or we closed it): no more reports
            asyncio.get_running_loop().remove_reader(control.fileno())
            return
        self._pending += data
        *lines, self._pending = self._pending.split(b"\n")
        for line in lines:
            try:
                report = json.loads(line)
                self.exit_status[int(report["exited"])] = int(report["status"])
            except (ValueError, KeyError, TypeError):
                self.log.warning("Unreadable report from the warm starter: %r", line[:200])
        while len(self.exit_status) > 10_000:  # pids of long-gone servers
            self.exit_status.pop(next(iter(self.exit_status)))

    @classmethod
    def exit_status_of(cls, pid: int) -> int | None:
        """How a server forked by a warm starter ended, when one has reported it."""
        for starter in cls._by_script.values():
            if pid in starter.exit_status:
                return starter.exit_status[pid]
        return None

    def check_environment(self, env: dict[str, str]) -> None:
        """Refuse (``WarmStartUnavailable``) a start whose environment differs from the warm starter's in a
        variable that acts only when Python starts (``START_ONLY_VARIABLES``): a fork could not honour it."""
        differing = [name for name in START_ONLY_VARIABLES if env.get(name) != self.environment.get(name)]
        if differing:
            raise WarmStartUnavailable(f"{', '.join(differing)} differ from the warm starter's and act only when "
                                       "Python starts")

    async def launch(self, request: dict, started) -> None:
        """Fork a server for ``request`` (argv, env, identity, priority). ``started(pid)`` is called as soon
        as the fork exists, before it is set up, so that the spawner can stop it whatever happens next."""
        if request["argv"][0] != self.script:
            raise WarmStartUnavailable(f"{request['argv'][0]} is not {self.script}")
        self._ensure_running()
        ours, theirs = socket.socketpair()
        try:
            socket.send_fds(self.control, [b"S"], [theirs.fileno()])
        except OSError as error:
            ours.close()
            raise WarmStartUnavailable(f"the warm starter does not take requests: {error}") from error
        finally:
            theirs.close()
        reader, writer = await asyncio.open_unix_connection(sock=ours)
        try:
            try:  # until here a fork that never got its request just exits: starting the usual way is safe
                forked = json.loads(await asyncio.wait_for(reader.readline(), FORK_TIMEOUT) or b"{}")
            except (TimeoutError, OSError, ValueError) as error:
                raise WarmStartUnavailable(f"no fork from the warm starter: {error!r}") from error
            if "pid" not in forked:
                raise WarmStartUnavailable("the warm starter closed the request unanswered")
            started(int(forked["pid"]))
            writer.write(json.dumps(request).encode() + b"\n")
            await writer.drain()
            line = await reader.readline()
        finally:
            writer.close()
        outcome = json.loads(line) if line else {"error": "the fork exited while being set up"}
        if "error" in outcome:
            raise WarmStartFailed(outcome["error"])

    def _close_control(self) -> None:
        try:
            asyncio.get_running_loop().remove_reader(self.control.fileno())
        except (RuntimeError, ValueError, OSError):  # no loop running, or the socket is closed already
            pass
        self.control.close()

    def stop(self) -> None:
        """Close the control socket: the warm starter exits (its servers do not)."""
        if self.control is not None:
            self._close_control()
        if self.process is not None:
            self.process.wait(timeout=10)
        self._by_script.pop(self.script, None)


# -- the warm starter process --------------------------------------------------------------------------
def go_with_the_hub(hub_pid: int) -> None:
    """Have the kernel SIGKILL this process when the hub's process ends, however it ends (an operator's
    ``kill -9``, the OOM killer). The control socket alone is not enough: a killed hub's end of it stays open
    as long as a process the hub started holds a copy (one forked and not yet exec'd, say), and its end of file
    reaches the warm starter only once it is in its serve loop. The signal only comes for a parent that ends
    after this call: if the hub has already gone, go now.

    A user's server does not get it: the kernel clears the parent-death signal in the child of a fork (see
    prctl(2)), so a fork outlives the warm starter as it outlives the hub (tests/unit/test_warm_starter.py
    reads it in a fork, and kills the warm starter's parent under a running fork)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), ctypes.c_ulong(0), ctypes.c_ulong(0),
                  ctypes.c_ulong(0)) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != hub_pid:  # the hub ended before the signal was set: nobody will send it
        os._exit(0)


def leave() -> None:
    """End the warm starter (only ever the warm starter: a fork never comes back to the serve loop) at once:
    a thread that a loaded module started, or an exit handler of one, must not keep it alive once the hub has
    gone. It holds nothing to save but its output, and its forks carry on."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def console_entry(script: str):
    """The function a console script (``.../bin/jupyterhub-singleuser``) runs, imported."""
    (entry,) = entry_points(group="console_scripts", name=Path(script).name)
    return entry.load()


def preload_server_extensions() -> list[str]:
    """Import the Jupyter Server extensions enabled in the config path, as a server would when it starts."""
    from jupyter_core.paths import jupyter_config_path
    from jupyter_server.extension.config import ExtensionConfigManager
    from jupyter_server.extension.utils import get_metadata

    enabled = ExtensionConfigManager(read_config_path=jupyter_config_path()).get_jpserver_extensions()
    loaded = []
    for name in sorted(name for name, on in enabled.items() if on):
        try:
            _, points = get_metadata(name)
            for point in points:
                importlib.import_module(point.get("module", name))
        except Exception as error:  # the server itself will report it when it loads the extension
            print(f"warm starter: could not preload server extension {name}: {error!r}", file=sys.stderr)
            continue
        loaded.append(name)
    return loaded


def reaper(control: socket.socket):
    """The SIGCHLD handler: reap the forks that exited and tell the hub how each ended (a line of JSON on the
    control socket), as JupyterHub learns it from its own children."""

    def reap_children(signum, frame) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            code = os.waitstatus_to_exitcode(status)
            if code:
                print(f"warm starter: server pid {pid} exited with status {code}", file=sys.stderr, flush=True)
            try:
                control.sendall(json.dumps({"exited": pid, "status": code}).encode() + b"\n")
            except OSError:  # the hub has gone: nobody to tell
                pass
    return reap_children


def close_inherited(keep: int) -> None:
    """Close every descriptor the fork inherited but standard input, output, error and ``keep`` (what
    ``subprocess``'s ``close_fds`` does for an exec'd server): nothing of the warm starter's stays open in a
    user's server. (The warm starter holds no Python object over any of them but the control socket, which
    the fork has closed already.)"""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd != keep:
            try:
                os.close(fd)
            except OSError:  # the listing's own descriptor, closed with it
                pass


def home_bound_defaults() -> list[tuple[type, str]]:
    """Traits whose default was computed when their module was imported, from ``HOME`` (e.g. JupyterLab's
    ``LabApp.workspaces_dir``): in the warm starter that is ``HOME_WHILE_LOADING``, so each fork must put
    its user's home in its place (``rebase_home_defaults``), or every user would share one folder."""
    from traitlets import HasTraits

    found, seen, classes = [], set(), [HasTraits]
    while classes:
        cls = classes.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                classes.append(sub)
        for name, trait in cls.__dict__.items():
            default = getattr(trait, "default_value", None)
            if isinstance(default, str) and default.startswith(HOME_WHILE_LOADING + "/"):
                found.append((cls, name))
    return found


def rebase_home_defaults(found: list[tuple[type, str]], home: str) -> None:
    """Put ``home`` in place of ``HOME_WHILE_LOADING`` in those defaults: in the trait, and in the initial
    values traitlets copied from it into its class and every subclass (``_static_immutable_initial_values``)."""
    for owner, name in found:
        trait = owner.__dict__[name]
        old = trait.default_value
        trait.default_value = home + old[len(HOME_WHILE_LOADING):]
        classes = [owner]
        while classes:
            cls = classes.pop()
            classes.extend(cls.__subclasses__())
            initial = cls.__dict__.get("_static_immutable_initial_values")
            if initial is not None and initial.get(name) == old:
                initial[name] = trait.default_value


def set_up_fork(request: dict, script: str) -> None:
    """In the fork, before the server runs: what Popen(start_new_session=True) and the spawner's
    ``preexec_fn`` do for an exec'd server, then the user's environment and command line."""
    from jupyterhub.spawner import set_user_setuid

    os.setsid()
    if request.get("cpu_group"):  # while still root
        UserCpuGroups.move(0, request["cpu_group"])
    if request.get("account"):
        set_user_setuid(request["account"])()  # group, groups, user; then chdir to the account's home
    else:
        home = request["home"]
        os.makedirs(home, 0o755, exist_ok=True)
        os.chdir(home)
    lower_own_priority(request["nice"], request["session_nice"])
    take_own_log(request.get("log"))  # the server's output, and its kernels', not the hub's
    os.environ.clear()
    os.environ.update(request["env"])
    rebase_home_defaults(HOME_BOUND_DEFAULTS, os.path.expanduser("~"))
    sys.argv = list(request["argv"])
    sys.path[0] = str(Path(script).parent)  # as when the script runs itself


def run_fork(connection: socket.socket, control: socket.socket, entry, script: str):
    """The fork's whole life: take the request, set up, report, run the server; it then exits the way
    the script would (`SystemExit` through the warm starter's frames, which hold nothing)."""
    try:
        control.close()
        close_inherited(keep=connection.fileno())
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        with connection:
            with connection.makefile("rb") as stream:
                line = stream.readline()
            if not line:  # the hub gave up on this start before sending it
                os._exit(0)
            request = json.loads(line)
            try:
                set_up_fork(request, script)
            except Exception as error:
                connection.sendall(json.dumps({"error": f"{type(error).__name__}: {error}"}).encode() + b"\n")
                raise
            connection.sendall(b'{"ready": true}\n')
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    sys.exit(entry())


#: Set by the warm starter once everything is loaded (``home_bound_defaults``); the forks rebase them.
HOME_BOUND_DEFAULTS: list[tuple[type, str]] = []


def serve(script: str, control_fd: int, hub_pid: int) -> None:
    go_with_the_hub(hub_pid)  # before loading, which takes seconds
    entry = console_entry(script)
    preloaded = preload_server_extensions()
    HOME_BOUND_DEFAULTS[:] = home_bound_defaults()
    if threading.active_count() != 1:  # forking a process with threads leaves their locks in any state
        print(f"warm starter: {threading.active_count()} threads after loading; forks may hang",
              file=sys.stderr)
    print(f"warm starter: {Path(script).name} ready with {', '.join(preloaded)}", file=sys.stderr, flush=True)
    control = socket.socket(fileno=control_fd)
    signal.signal(signal.SIGCHLD, reaper(control))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on `make run` is for the hub; this one follows it
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 1)
        except OSError:  # reset: the hub ended with reports of ours unread
            message, fds = b"", []
        if not message:  # the hub closed its end: it stopped
            leave()
        for fd in fds:
            connection = socket.socket(fileno=fd)
            try:
                child = os.fork()
            except OSError as error:  # the hub sees the request closed unanswered
                print(f"warm starter: cannot fork: {error}", file=sys.stderr, flush=True)
                child = None
            if child == 0:
                run_fork(connection, control, entry, script)
            elif child is not None:  # the hub learns the pid first; the fork then reads the request itself
                try:
                    connection.sendall(json.dumps({"pid": child}).encode() + b"\n")
                except OSError:  # the hub gave up on this start: so does the fork, at its empty request
                    pass
            connection.close()


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
