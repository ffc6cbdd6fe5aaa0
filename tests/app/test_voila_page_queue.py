"""The machine's queue of Voilà pages (hub.kernel_queue, hub.voila_queue), in the session's real hub: a page
that arrives while the queue is full gets the waiting page with its place and no kernel; it is told when
its turn comes, and the page it then loads is the workbench, rendered by Voilà under its ticket."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
import requests

from hub.kernel_queue import GO_SUFFIX
from tests.helpers import user_servers, wait_for

pytestmark = pytest.mark.app

WORKBENCH = "/voila/render/apps/%E5%AF%BC%E5%B8%88%E5%B7%A5%E4%BD%9C%E5%8F%B0.ipynb"
TEACHER = "teacher7"
RENDERED = "application/vnd.jupyter.widget-view+json"  # the workbench widget, in the output Voilà sends


def queue_size() -> int:
    return max(2, os.cpu_count() or 2)  # the demo's page_concurrency is 0: the CPU count, at least 2


@pytest.fixture
def full_queue(running_hub):
    """The queue held full by pages 'being rendered' in this (living) test process, ahead of any new one."""
    folder = running_hub.state_dir / "kernel-queue"
    now = time.time_ns()
    held = [folder / f"{now - n:020d}-{os.getpid()}-{n:012x}{GO_SUFFIX}" for n in range(1, queue_size() + 1)]
    refresh(held)
    yield held
    for path in held:
        path.unlink(missing_ok=True)


def refresh(held) -> None:
    """(Again) just started: a page that has been rendered for longer than the queue's hold limit no longer counts."""
    for path in held:
        path.touch()


def kernels_of(hub, user: str) -> set[str]:
    response = requests.get(f"{hub.url}/user/{user}/api/kernels", timeout=30,
                           headers={"Authorization": f"token {hub.user_token(user)}"})
    return {kernel["id"] for kernel in response.json()}


def test_a_page_waits_its_turn_and_then_opens(running_hub, full_queue):
    session = running_hub.login(TEACHER)
    running_hub.spawn(TEACHER)
    before = kernels_of(running_hub, TEACHER)

    refresh(full_queue)
    waiting = session.get(f"{running_hub.url}/user/{TEACHER}{WORKBENCH}?theme=light", timeout=60)
    assert waiting.status_code == 200
    ticket = re.search(r'data-mentorhub-queue="([0-9a-f-]+)"', waiting.text).group(1)
    assert "页面正在排队" in waiting.text
    assert re.search(r'id="mh-queue-place">1<', waiting.text), "one page to wait for"
    assert RENDERED not in waiting.text
    assert kernels_of(running_hub, TEACHER) == before, "no kernel yet"

    poll = f"{running_hub.url}/user/{TEACHER}/mentorhub/voila-queue/{ticket}"
    assert session.get(poll, timeout=30).json() == {"go": False, "ahead": 1}
    assert session.get(f"{running_hub.url}/user/{TEACHER}/mentorhub/voila-queue/0-0-0", timeout=30).status_code == 404

    full_queue[0].unlink()  # one page done: this one's turn
    assert session.get(poll, timeout=30).json() == {"go": True}
    assert (running_hub.state_dir / "kernel-queue" / (ticket + GO_SUFFIX)).exists(), "reserved for the page"

    page = session.get(f"{running_hub.url}/user/{TEACHER}{WORKBENCH}?theme=light&mh_queue={ticket}", timeout=300)
    assert page.status_code == 200
    assert RENDERED in page.text and "页面正在排队" not in page.text
    assert not list((running_hub.state_dir / "kernel-queue").glob(f"{ticket}*")), "ticket released"
    assert len(kernels_of(running_hub, TEACHER) - before) == 1


def test_a_ticket_from_elsewhere_does_not_jump_the_queue(running_hub, full_queue):
    """A made-up or another page's ticket in the address is no pass: the page joins the queue at its end."""
    session = running_hub.login(TEACHER)
    running_hub.spawn(TEACHER)
    refresh(full_queue)
    forged = full_queue[0].name.removesuffix(GO_SUFFIX)
    page = session.get(f"{running_hub.url}/user/{TEACHER}{WORKBENCH}?mh_queue={forged}", timeout=60)
    assert "页面正在排队" in page.text and RENDERED not in page.text
    assert re.search(r'data-mentorhub-queue="([0-9a-f-]+)"', page.text).group(1) != forged


def test_the_waiting_page_escapes_the_address(running_hub, full_queue):
    session = running_hub.login(TEACHER)
    running_hub.spawn(TEACHER)
    hostile = f"{running_hub.url}/user/{TEACHER}{WORKBENCH}?x=%3C/script%3E%3Cscript%3Ealert(1)%3C/script%3E"
    refresh(full_queue)
    page = session.get(hostile, timeout=60)
    assert "页面正在排队" in page.text
    assert "</script><script>alert(1)" not in page.text
    assert page.text.count("<script>") == 1


def test_an_abandoned_waiting_page_gives_its_ticket_up(running_hub, full_queue):
    """Nobody asks for the waiting page's place any more (its tab was closed): its ticket is removed, so it
    holds no one up."""
    session = running_hub.login(TEACHER)
    running_hub.spawn(TEACHER)
    refresh(full_queue)
    page = session.get(f"{running_hub.url}/user/{TEACHER}{WORKBENCH}", timeout=60)
    ticket = re.search(r'data-mentorhub-queue="([0-9a-f-]+)"', page.text).group(1)
    folder = running_hub.state_dir / "kernel-queue"
    assert (folder / ticket).exists()
    started = time.monotonic()
    wait_for(lambda: not (folder / ticket).exists(), timeout=60, what="the forgotten ticket removed")
    assert time.monotonic() - started > 10, "not before the page has had time to ask"


def cpu_cgroup(pid: int) -> str:
    """The cpu cgroup of ``pid`` (v1's cpu hierarchy, or v2's single one)."""
    lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "cpu" in controllers.split(",") or controllers == "":
            return path
    return ""


def test_a_server_rendering_a_page_runs_in_the_starting_tier(running_hub):
    """The hub lifts a server holding a going ticket, with its kernels, into the tier of starting servers,
    and puts it back when the ticket is gone (hub.page_priority)."""
    running_hub.login(TEACHER)
    running_hub.spawn(TEACHER)
    server = user_servers(running_hub.process.pid)[TEACHER]
    running = cpu_cgroup(server.pid)
    if not running.endswith("/mentorhub-users/running"):
        pytest.skip(f"no cpu cgroups for users' servers here ({running!r}): niceness only")
    requests.post(f"{running_hub.url}/user/{TEACHER}/api/kernels", json={"name": "python3"}, timeout=120,
                  headers={"Authorization": f"token {running_hub.user_token(TEACHER)}"}).raise_for_status()
    kernel = next(p for p in server.children(recursive=True) if "ipykernel" in " ".join(p.cmdline()))
    assert cpu_cgroup(kernel.pid) == running

    going = running_hub.state_dir / "kernel-queue" / f"{time.time_ns():020d}-{server.pid}-{0:012x}{GO_SUFFIX}"
    going.touch()
    starting = running.removesuffix("running") + "starting"
    try:
        wait_for(lambda: cpu_cgroup(server.pid) == starting and cpu_cgroup(kernel.pid) == starting, timeout=30,
                 what="the server and its kernel in the starting tier")
    finally:
        going.unlink()
    wait_for(lambda: cpu_cgroup(server.pid) == running and cpu_cgroup(kernel.pid) == running, timeout=30,
             what="both back in the running tier")
    assert server.is_running() and kernel.is_running()


def test_a_server_start_waits_while_pages_wait_for_their_turn(running_hub):
    """More pages waiting than the machine renders at once: a new server start is held (those teachers are in
    already), its spawn page says why, and it starts once the pages have had their turn."""
    user = "teacher9"
    running_hub.stop(user)
    folder = running_hub.state_dir / "kernel-queue"
    now = time.time_ns()
    waiting = [folder / f"{now - n:020d}-{os.getpid()}-{n:012x}" for n in range(1, 2 * queue_size() + 2)]
    for path in waiting:
        path.touch()
    try:
        assert running_hub.api("POST", f"/users/{user}/server").status_code in (201, 202)
        time.sleep(5)
        server = running_hub.api("GET", f"/users/{user}").json()["servers"][""]
        assert not server["ready"] and server["pending"] == "spawn"
        progress = requests.get(f"{running_hub.url}/hub/api/users/{user}/server/progress", stream=True, timeout=30,
                                headers={"Authorization": f"token {running_hub.admin_token}"})
        messages = []
        for line in progress.iter_lines(decode_unicode=True):
            if line.startswith("data:"):
                messages.append(json.loads(line.removeprefix("data:"))["message"])
                if "正在打开页面的老师较多" in messages[-1]:
                    break
        progress.close()
        assert any("正在打开页面的老师较多" in message for message in messages), messages
    finally:
        for path in waiting:
            path.unlink()
    wait_for(lambda: running_hub.api("GET", f"/users/{user}").json()["servers"][""]["ready"], timeout=60,
             what="the server started once the pages had their turn")
