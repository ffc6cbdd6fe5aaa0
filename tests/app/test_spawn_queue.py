"""Users' servers on one machine when many start at once (demo mode, own hub with a start queue of one):
servers wait their turn in order and the spawn page says so in Chinese, every one of them starts, and
servers and their kernels run at the lower CPU priority while the hub keeps its own — as processes and
as sessions (autogroups), since each server and each kernel is a session of its own; a started server's
session is moved from the start priority to the running one."""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest

from hub.priority import CGROUP_V1_CPU, USERS_GROUP, autogroup_nice, own_cgroup
from tests.helpers import run_in_kernel, start_hub, user_servers, write_hub_settings
from tests.server_log_support import assert_output_kept_from_the_hub

pytestmark = pytest.mark.app
USERS = ("teacher7", "teacher8", "teacher9")
# Users' processes go into cpu cgroups where the hub may make them (root, cgroup v1), as here and in CI.
CGROUPS = os.geteuid() == 0 and CGROUP_V1_CPU.is_dir()


def cpu_group(pid: int | str = "self") -> str:
    return own_cgroup("cpu", f"/proc/{pid}/cgroup")


@pytest.fixture(scope="module")
def queued_hub(tmp_path_factory):
    folder = tmp_path_factory.mktemp("queued-hub")
    # Servers started the ordinary way (Popen and preexec_fn): the warm starter's forks are tested in
    # test_warm_start.py on the session's hub, so both ways get the same priority checks between them.
    spawner = {"start_concurrency": 1, "cpu_nice": 7, "start_nice": 3, "warm_start": False}
    settings = write_hub_settings(folder, extra={"spawner": spawner})
    handle = start_hub(settings)
    try:
        yield handle
    finally:
        handle.shutdown()


def progress_messages(hub, user: str, token: str) -> list[str]:
    """The spawn's progress stream as the spawn-pending page reads it, from the moment the spawn is pending
    (the stream is refused with 400 before the request has reached the hub)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with hub.api("GET", f"/users/{user}/server/progress", token=token, stream=True) as stream:
            if stream.status_code == 400:
                time.sleep(0.05)
                continue
            messages = []
            for line in stream.iter_lines(decode_unicode=True):
                if line.startswith("data:"):
                    event = json.loads(line[len("data:"):])
                    messages.append(event.get("message", ""))
                    if event.get("ready") or event.get("failed"):
                        return messages
    raise AssertionError(f"no progress stream for {user}")


def test_servers_start_one_after_another_and_the_waiting_see_their_place(queued_hub):
    tokens = {user: queued_hub.user_token(user) for user in USERS}

    def request(user):  # the hub holds this request up to 10 s while the server starts
        return queued_hub.api("POST", f"/users/{user}/server", token=tokens[user]).status_code

    with ThreadPoolExecutor(2 * len(USERS)) as pool:
        readers = {user: pool.submit(progress_messages, queued_hub, user, tokens[user]) for user in USERS}
        requests_ = [pool.submit(request, user) for user in USERS]
        assert all(r.result() in (201, 202) for r in requests_)
        streams = {user: reader.result() for user, reader in readers.items()}
    for user, messages in streams.items():
        assert messages[-1] == "工作空间已就绪，正在打开…", (user, messages)
    queued = [m for messages in streams.values() for m in messages if m.startswith("当前启动的人较多，正在排队")]
    assert queued, streams  # with one start at a time, at least one of three waited
    assert all(queued_hub.api("GET", f"/users/{u}").json()["servers"][""]["ready"] for u in USERS)


def environ_of(process: psutil.Process) -> dict:
    """A process's environment; empty for one that has just ended (a short-lived child of the hub, not yet
    reaped, is a zombie whose environment cannot be read)."""
    try:
        return process.environ()
    except psutil.Error:
        return {}


def test_servers_run_at_lower_cpu_priority_than_the_hub(queued_hub):
    hub_nice = psutil.Process(queued_hub.process.pid).nice()
    processes = psutil.Process(queued_hub.process.pid).children(recursive=True)
    servers = [server for user, server in user_servers(queued_hub.process.pid).items() if user in USERS]
    services = [p for p in processes if "JUPYTERHUB_SERVICE_NAME" in environ_of(p)]  # records, exchange, formgraders
    assert len(servers) == len(USERS) and services
    assert all(server.ppid() == queued_hub.process.pid for server in servers)  # warm_start false: not forks
    assert all(server.nice() == hub_nice + 7 for server in servers), [s.nice() for s in servers]
    assert all(service.nice() == hub_nice for service in services), [s.nice() for s in services]
    assert hub_nice == os.nice(0)  # the hub itself runs at the priority it was started with
    hub_group = autogroup_nice(queued_hub.process.pid)
    if hub_group is not None:  # a Linux kernel with autogroup scheduling: sessions are lowered too
        assert [autogroup_nice(server.pid) for server in servers] == [7] * len(USERS)
        assert {autogroup_nice(service.pid) for service in services} == {hub_group}
    if CGROUPS:  # servers weigh together, in the group of running users' processes; services not
        assert {cpu_group(server.pid).rsplit("/", 2)[-2:] == [USERS_GROUP, "running"] for server in servers} == {True}
        assert not any(USERS_GROUP in cpu_group(service.pid) for service in services)


def test_kernels_keep_their_servers_lower_priority_in_their_own_session(queued_hub):
    code = ("import os\nfrom hub.priority import autogroup_nice, own_cgroup\n"
            "cpu = own_cgroup('cpu') if os.path.isdir('/sys/fs/cgroup/cpu') else '-'\n"
            "print(os.nice(0), os.getsid(0) == os.getpid(), autogroup_nice(), cpu)")
    process_nice, own_session, group_nice, kernel_cpu_group = run_in_kernel(
        f"{queued_hub.url}/user/{USERS[0]}", queued_hub.user_token(USERS[0]), code).split()
    assert (int(process_nice), own_session) == (os.nice(0) + 7, "True")  # the hub runs at the tests' niceness
    if autogroup_nice() is not None:
        assert int(group_nice) == os.nice(0) + 7
    if CGROUPS:  # and in their server's cgroup
        assert kernel_cpu_group.rsplit("/", 2)[-2:] == [USERS_GROUP, "running"]


def test_servers_started_the_ordinary_way_and_their_kernels_keep_out_of_the_hubs_log(queued_hub):
    user = USERS[0]
    queued_hub.spawn(user)
    server = user_servers(queued_hub.process.pid)[user]
    assert server.ppid() == queued_hub.process.pid  # not a fork of the warm starter
    assert_output_kept_from_the_hub(queued_hub, user, server, queued_hub.state_dir / "users" / user)
