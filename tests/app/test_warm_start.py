"""Warm starts on a real hub: users' servers are forks of the warm starter, set up as the user's own
server, holding nothing of the warm starter's, and reaped when they stop; a new warm starter takes over
when the old one is gone."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import psutil
import pytest

from hub.priority import CGROUP_V1_CPU, USERS_GROUP, autogroup_nice, own_cgroup
from hub.warmstart import HOME_WHILE_LOADING
from tests.helpers import run_in_kernel, user_servers, wait_for
from tests.server_log_support import assert_output_kept_from_the_hub

pytestmark = pytest.mark.app

USER, SECOND_USER = "teacher11", "teacher12"


def socket_inodes(proc: psutil.Process) -> set[str]:
    inodes = set()
    for fd in os.listdir(f"/proc/{proc.pid}/fd"):
        try:
            target = os.readlink(f"/proc/{proc.pid}/fd/{fd}")
        except FileNotFoundError:
            continue
        if target.startswith("socket:"):
            inodes.add(target)
    return inodes


def warm_starter_of(hub) -> psutil.Process:
    (starter,) = [child for child in psutil.Process(hub.process.pid).children()
                  if "hub.warmstart" in " ".join(child.cmdline())]  # fmt: skip
    return starter


@pytest.fixture(scope="module")
def warm_server(running_hub):
    running_hub.spawn(USER)
    yield user_servers(running_hub.process.pid)[USER]
    running_hub.stop(USER)


def test_a_users_server_is_a_fork_of_the_warm_starter(running_hub, warm_server):
    starter = warm_starter_of(running_hub)
    assert warm_server.ppid() == starter.pid
    assert starter.environ()["HOME"] == HOME_WHILE_LOADING  # it loaded its modules without anyone's home
    assert "JUPYTERHUB_API_TOKEN" not in starter.environ()
    home = running_hub.state_dir / "users" / USER
    assert Path(warm_server.cwd()) == home
    # The same priority as a server started the ordinary way (tests/app/test_spawn_queue.py).
    assert warm_server.nice() == starter.nice() + 19 and os.getsid(warm_server.pid) == warm_server.pid
    if autogroup_nice(warm_server.pid) is not None:
        assert autogroup_nice(warm_server.pid) == 19
    if os.geteuid() == 0 and CGROUP_V1_CPU.is_dir():
        cpu_group = own_cgroup("cpu", f"/proc/{warm_server.pid}/cgroup")
        assert cpu_group.rsplit("/", 2)[-2:] == [USERS_GROUP, "running"]


def test_the_fork_and_its_kernels_write_into_their_own_log_not_the_hubs(running_hub, warm_server):
    assert_output_kept_from_the_hub(running_hub, USER, warm_server, running_hub.state_dir / "users" / USER)


def test_the_fork_runs_with_the_users_environment_and_command(running_hub, warm_server):
    # A kernel gets its server's environment: the fork's, set from the user's request. And it talks to
    # the server over Unix sockets (hub.kernels), which the fork's environment chose.
    code = ("import os, json\nfrom ipykernel.kernelapp import IPKernelApp\n"
            "env = {k: os.environ.get(k) for k in ('HOME', 'JUPYTERHUB_USER', 'JUPYTER_CONFIG_PATH')}\n"
            "print(json.dumps({**env, 'transport': IPKernelApp.instance().transport}))")
    out = run_in_kernel(f"{running_hub.url}/user/{USER}", running_hub.user_token(USER), code)
    env = json.loads(out)
    assert env["HOME"] == str(running_hub.state_dir / "users" / USER)
    assert env["JUPYTERHUB_USER"] == USER
    assert env["transport"] == "ipc"
    assert env["JUPYTER_CONFIG_PATH"]


def test_the_fork_holds_none_of_the_warm_starters_sockets(running_hub, warm_server):
    starter = warm_starter_of(running_hub)
    assert socket_inodes(starter)  # its control socket
    assert not socket_inodes(starter) & socket_inodes(warm_server)


def test_a_stopped_server_is_reaped_and_a_gone_warm_starter_is_replaced(running_hub):
    running_hub.spawn(SECOND_USER)
    server = user_servers(running_hub.process.pid)[SECOND_USER]
    old_starter = warm_starter_of(running_hub)
    running_hub.stop(SECOND_USER)
    wait_for(lambda: not psutil.pid_exists(server.pid), timeout=30, what="the stopped server reaped, not a zombie")

    old_starter.send_signal(signal.SIGKILL)  # a zombie until the hub next needs it and finds it gone
    wait_for(lambda: not old_starter.is_running() or old_starter.status() == psutil.STATUS_ZOMBIE,
             timeout=10, what="the warm starter killed")  # fmt: skip
    running_hub.spawn(SECOND_USER)
    server = user_servers(running_hub.process.pid)[SECOND_USER]
    new_starter = warm_starter_of(running_hub)
    assert new_starter.pid != old_starter.pid and server.ppid() == new_starter.pid
    running_hub.stop(SECOND_USER)


def test_how_a_forked_server_ended_reaches_the_hub(running_hub):
    """The warm starter reaps its forks; it reports their exit status, which the spawner's poll returns."""
    running_hub.spawn(SECOND_USER)
    server = user_servers(running_hub.process.pid)[SECOND_USER]
    server.send_signal(signal.SIGKILL)
    wait_for(lambda: f"User {SECOND_USER} server stopped, with exit code: -9" in running_hub.log_path.read_text(
        errors="replace"), timeout=90, what="the hub noticing the server's end, with its exit status")
