"""The warm starter (hub.warmstart) on its own: what it loads, what it refuses, how a failed set-up is
reported, and that it goes when the hub does, however the hub ends, while the servers it forked stay. Its forks
as real users' servers: tests/app/test_warm_start.py."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys

import psutil
import pytest

from hub.config import USER_CONFIG_DIR, VENV_BIN
from hub.warmstart import WarmStarter, WarmStartFailed, WarmStartUnavailable
from tests.helpers import wait_for

SCRIPT = str(VENV_BIN / "jupyterhub-singleuser")
ENVIRONMENT = {"LANG": "C.UTF-8", "JUPYTER_CONFIG_PATH": str(USER_CONFIG_DIR), "PATH": str(VENV_BIN)}


def preloaded(config_path: list[str]) -> set[str]:
    code = "import json; from hub.warmstart import preload_server_extensions as p; print(json.dumps(p()))"
    environment = {**ENVIRONMENT, "JUPYTER_CONFIG_PATH": os.pathsep.join(config_path), "HOME": "/nonexistent"}
    output = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True,
                            check=True).stdout  # fmt: skip
    return set(json.loads(output.splitlines()[-1]))


def test_it_loads_the_server_extensions_that_users_servers_enable(tmp_path):
    everything = preloaded([str(USER_CONFIG_DIR)])
    assert {"jupyterlab", "notebook", "voila.server_extension", "nbgrader.server_extensions.assignment_list"} <= everything
    # An extension turned off in the config path (as the teachers' nbgrader config does) is not loaded.
    (tmp_path / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"notebook": False}}}))
    assert preloaded([str(tmp_path), str(USER_CONFIG_DIR)]) == everything - {"notebook"}


async def test_it_serves_only_its_own_script():
    starter = WarmStarter(SCRIPT, ENVIRONMENT, logging.getLogger(__name__))
    with pytest.raises(WarmStartUnavailable, match="is not"):
        await starter.launch({"argv": [str(VENV_BIN / "jupyter-lab")], "env": {}}, started=print)
    assert starter.process is None  # nothing started for it


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to an account needs root")
async def test_a_fork_that_cannot_become_the_account_says_why_and_the_warm_starter_goes_with_the_hub():
    starter = WarmStarter(SCRIPT, ENVIRONMENT, logging.getLogger(__name__))
    request = {"argv": [SCRIPT], "env": {}, "nice": 0, "session_nice": 0, "account": "mh-no-such-account"}
    forks = []
    try:
        with pytest.raises(WarmStartFailed, match="KeyError.*mh-no-such-account|name not found"):
            await starter.launch(request, started=forks.append)
        assert len(forks) == 1  # the hub knew the fork's pid before it failed
        await asyncio.sleep(0.5)
        assert not os.path.exists(f"/proc/{forks[0]}")  # and the warm starter has reaped it
        assert starter.exit_status == {forks[0]: 1}  # and told the hub how it ended
        assert starter.process.poll() is None  # the warm starter itself carries on
    finally:
        await asyncio.to_thread(starter.stop)  # the hub's end closed: it exits by itself
    assert starter.process.returncode == 0


def test_a_start_asking_for_its_own_start_only_variables_is_not_forked():
    starter = WarmStarter(SCRIPT, ENVIRONMENT, logging.getLogger(__name__))
    starter.check_environment({**ENVIRONMENT, "JUPYTERHUB_API_TOKEN": "t", "HOME": "/home/x"})  # per user: fine
    for name, value in (("PYTHONHASHSEED", "1"), ("PYTHONPATH", "/tmp"), ("LANG", "zh_CN.GB18030")):
        with pytest.raises(WarmStartUnavailable, match=name):
            starter.check_environment({**ENVIRONMENT, name: value})


def test_a_fork_closes_every_descriptor_it_inherited_but_its_own():
    code = """
import os, sys
from hub.warmstart import close_inherited
kept = os.open("/dev/null", os.O_RDONLY)
others = [os.open("/dev/null", os.O_RDONLY) for _ in range(3)] + list(os.pipe())
os.set_inheritable(others[0], True)
close_inherited(keep=kept)
print(sorted(int(fd) for fd in os.listdir("/proc/self/fd")), kept)
"""
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    *listed, kept = output
    # what is left: the standard streams, the kept one, and the descriptor of the listing itself
    assert [int(x.strip("[],")) for x in listed][:4] == [0, 1, 2, int(kept)]
    assert len(listed) == 5


def test_defaults_computed_from_home_at_import_follow_each_forks_user(tmp_path):
    """JupyterLab computes its workspaces and user-settings folders from HOME when it is imported, i.e. in the
    warm starter: without rebasing, every user's server would share ``/nonexistent/.jupyter/lab/…``."""
    code = f"""
import os
from hub.warmstart import home_bound_defaults, preload_server_extensions, rebase_home_defaults
import jupyterlab.labapp
preload_server_extensions()
found = home_bound_defaults()
os.environ["HOME"] = {str(tmp_path)!r}
rebase_home_defaults(found, os.path.expanduser("~"))
from jupyterlab.labapp import LabApp
app = LabApp()
print(sorted(name for _, name in found), app.workspaces_dir, app.user_settings_dir)
"""
    environment = {**ENVIRONMENT, "HOME": "/nonexistent"}
    done = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True)
    *_, names, workspaces, settings = done.stdout.split()
    assert "'workspaces_dir']" in names
    assert workspaces == f"{tmp_path}/.jupyter/lab/workspaces"
    assert settings == f"{tmp_path}/.jupyter/lab/user-settings"


# -- the warm starter goes with its hub ------------------------------------------------------------------
# A hub in miniature: it starts its warm starter as the hub does (`WarmStarter`, from its event loop), has it
# fork a server, writes down the pids and waits to be killed. With "held", a process it started keeps the
# hub's end of the control socket open: then no end of file tells the warm starter that the hub has gone.
MINIATURE_HUB = """
import asyncio, json, logging, os, subprocess, sys
from hub.warmstart import WarmStarter

script, folder, environment, code, held = sys.argv[1:]

async def main():
    starter = WarmStarter(script, json.loads(environment), logging.getLogger())
    forks = []
    env = {"HOME": folder, "IPYTHONDIR": folder + "/.ipython", "LANG": "C.UTF-8", "PATH": os.path.dirname(script)}
    request = {"argv": [script, "-c", code], "env": env, "nice": 0, "session_nice": 0, "home": folder,
               "log": folder + "/server.log"}
    await starter.launch(request, started=forks.append)
    pids = {"starter": starter.process.pid, "server": forks[0]}
    if held == "1":
        pids["holder"] = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"],
                                          pass_fds=[starter.control.fileno()]).pid
    with open(folder + "/pids.json.part", "w") as file:
        json.dump(pids, file)
    os.replace(folder + "/pids.json.part", folder + "/pids.json")
    await asyncio.sleep(600)

asyncio.run(main())
"""
# The server: a long-running process that says which parent-death signal it has (prctl PR_GET_PDEATHSIG).
SERVER_CODE = ("import ctypes, time\nsignal = ctypes.c_int()\nctypes.CDLL(None).prctl(2, ctypes.byref(signal), 0, 0, 0)\n"
               "print('parent-death signal', signal.value, flush=True)\ntime.sleep(600)")


def ended(proc: psutil.Process) -> bool:
    """Gone, or a zombie that its new parent has not reaped yet."""
    try:
        return proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def kill_all(pids) -> None:
    procs = []
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            proc.kill()
            procs.append(proc)
        except psutil.NoSuchProcess:
            pass
    wait_for(lambda: all(ended(proc) for proc in procs), timeout=10, what="the test's processes killed")


@pytest.mark.parametrize("held", [False, True], ids=["hub-killed", "hub-killed-its-socket-held-elsewhere"])
def test_the_warm_starter_goes_when_its_hub_is_killed_and_the_server_it_forked_stays(tmp_path, held):
    """SIGKILL to the hub: the warm starter goes within seconds, even when the hub's end of the control socket
    stays open in another process (only the parent-death signal can tell it then); the server it forked is
    not touched, and it was forked without that signal (else the warm starter's end would have killed it)."""
    script = str(VENV_BIN / "ipython")  # any console script: the warm starter imports its entry point
    log = tmp_path / "hub.log"
    with open(log, "wb") as output:
        hub = subprocess.Popen([sys.executable, "-c", MINIATURE_HUB, script, str(tmp_path), json.dumps(ENVIRONMENT),
                                SERVER_CODE, str(int(held))], stdout=output, stderr=subprocess.STDOUT)
    pids = {}
    try:
        wait_for(lambda: (tmp_path / "pids.json").exists() or hub.poll() is not None, timeout=120,
                 what="the warm starter's fork")
        assert hub.poll() is None, log.read_text()
        pids = json.loads((tmp_path / "pids.json").read_text())
        starter, server = psutil.Process(pids["starter"]), psutil.Process(pids["server"])
        wait_for(lambda: "parent-death signal" in (tmp_path / "server.log").read_text(), timeout=60,
                 what="the forked server running")
        assert server.ppid() == starter.pid and starter.ppid() == hub.pid

        hub.kill()
        hub.wait(timeout=10)
        wait_for(lambda: ended(starter), timeout=5, what="the warm starter gone with its hub")
        assert not ended(server), "the server went with the warm starter"
        assert "parent-death signal 0" in (tmp_path / "server.log").read_text()
        if held:  # the hub's end of the socket is still open: no end of file came, the signal took it
            assert not ended(psutil.Process(pids["holder"]))
    finally:
        kill_all([hub.pid, *pids.values()])


def test_a_warm_starter_whose_hub_has_gone_already_leaves_before_loading_anything():
    """The parent-death signal only comes for a parent that ends after it was asked for: a warm starter told
    of a hub that is not its parent (a hub that ended before it could ask) leaves at once, though nothing
    closed the control socket."""
    ended_hub = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                               text=True, check=True)  # fmt: skip
    ours, theirs = socket.socketpair()
    with ours, theirs:
        done = subprocess.run([sys.executable, "-m", "hub.warmstart", SCRIPT, str(theirs.fileno()),
                               ended_hub.stdout.strip()], pass_fds=[theirs.fileno()], capture_output=True,
                              text=True, timeout=30, env={**ENVIRONMENT, "HOME": "/nonexistent"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ready with" not in done.stderr  # it left before loading


async def test_a_thread_of_a_loaded_module_does_not_keep_the_warm_starter_once_the_hub_has_gone(tmp_path):
    """A module the warm starter loads may start a thread that never ends: the warm starter must leave all the
    same when the hub closes its end of the control socket (Python would wait for the thread at exit)."""
    (tmp_path / "mh_lingering_thread.py").write_text(
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(600,), name='lingering').start()\n\n"
        "def _jupyter_server_extension_points():\n"
        "    return [{'module': 'mh_lingering_thread'}]\n")
    (tmp_path / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"mh_lingering_thread": True}}}))
    environment = {**ENVIRONMENT, "JUPYTER_CONFIG_PATH": str(tmp_path), "PYTHONPATH": str(tmp_path)}
    starter = WarmStarter(SCRIPT, environment, logging.getLogger(__name__))
    starter._ensure_running()
    try:
        process = psutil.Process(starter.process.pid)
        await asyncio.to_thread(wait_for, lambda: process.num_threads() == 2, timeout=60,
                                what="the lingering thread started")
        await asyncio.to_thread(starter.stop)  # waits for it to exit (10 s at most)
        assert starter.process.returncode == 0
    finally:
        if starter.process.poll() is None:
            starter.process.kill()
            starter.process.wait()
