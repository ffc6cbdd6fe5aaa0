"""The hub lifts the servers that render a page (hub.page_priority): only its own servers, only for tickets
made by the server's own account and still counted, at most the queue's size, oldest first."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from hub.kernel_queue import GO_SUFFIX, KernelQueue, prepare_folder
from hub.page_priority import PagePriority, going_servers


class FakeServer:
    def __init__(self, pid: int):
        self.pid = pid
        self.moves: list[str] = []

    def move_tree_to_tier(self, running: bool) -> None:
        self.moves.append("running" if running else "starting")


@pytest.fixture
def sleepers():
    processes = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) for _ in range(4)]
    yield [process.pid for process in processes]
    for process in processes:
        process.kill()
        process.wait()


@pytest.fixture
def queue(tmp_path):
    return KernelQueue(prepare_folder(tmp_path / "q", shared=False), size=2, hold_limit=60)


def ticket(queue: KernelQueue, pid: int, age_s: float = 1.0, going: bool = True) -> str:
    name = f"{time.time_ns() - int(age_s * 1e9):020d}-{pid}-{os.urandom(6).hex()}" + (GO_SUFFIX if going else "")
    (queue.folder / name).touch()
    return name


def test_only_the_hubs_servers_with_a_page_going_are_lifted_oldest_first(queue, sleepers):
    a, b, c, stranger = sleepers
    servers = {pid: FakeServer(pid) for pid in (a, b, c)}
    ticket(queue, c, age_s=1)
    ticket(queue, a, age_s=3)
    ticket(queue, b, age_s=2, going=False)  # waiting, not rendered yet
    ticket(queue, stranger, age_s=9)  # not a server of this hub (it could be the hub itself)
    assert going_servers(queue, servers) == [a, c]
    ticket(queue, b, age_s=2)
    assert going_servers(queue, servers) == [a, b], "at most the queue's size"


def test_a_page_going_for_too_long_lifts_nothing(queue, sleepers):
    server = sleepers[0]
    name = ticket(queue, server)
    old = time.time() - 61
    os.utime(queue.folder / name, (old, old))
    assert going_servers(queue, {server: FakeServer(server)}) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="making a file of another account needs root")
def test_a_ticket_made_by_another_account_lifts_nothing(queue, sleepers):
    server = sleepers[0]
    name = ticket(queue, server)
    os.chown(queue.folder / name, 65534, 65534)  # another user named this server in a ticket of theirs
    assert going_servers(queue, {server: FakeServer(server)}) == []


def test_a_server_is_lifted_while_its_page_goes_and_put_back_after(queue, sleepers):
    server = FakeServer(sleepers[0])
    other = FakeServer(sleepers[1])
    priority = PagePriority(queue)
    priority.servers = {server.pid: server, other.pid: other}
    priority.step()
    assert server.moves == [] and other.moves == []
    name = ticket(queue, server.pid)
    priority.step()
    priority.step()
    assert server.moves == ["starting"], "moved once, not at every look"
    (queue.folder / name).unlink()
    priority.step()
    assert server.moves == ["starting", "running"] and other.moves == []


def test_a_stopped_server_is_forgotten(queue, sleepers):
    server = FakeServer(sleepers[0])
    priority = PagePriority(queue)
    priority.servers = {server.pid: server}
    ticket(queue, server.pid)
    priority.step()
    priority.remove(server)
    priority.step()
    assert server.moves == ["starting"] and priority.lifted == set()


def test_a_server_that_fails_to_move_does_not_stop_the_others(queue, sleepers):
    class Vanishing(FakeServer):
        def move_tree_to_tier(self, running: bool) -> None:
            raise ProcessLookupError(self.pid)

    gone, other = Vanishing(sleepers[0]), FakeServer(sleepers[1])
    priority = PagePriority(queue)
    priority.servers = {gone.pid: gone, other.pid: other}
    ticket(queue, gone.pid, age_s=2)
    ticket(queue, other.pid, age_s=1)
    priority.step()
    assert other.moves == ["starting"]
