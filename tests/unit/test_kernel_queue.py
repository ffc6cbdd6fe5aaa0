"""The machine's queue of Voilà pages (hub.kernel_queue): order of arrival, a bounded number going at once,
and nothing that a dead process, a hung page or a hostile user leaves behind holds the others for long."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time

import pytest

from hub.kernel_queue import GO_SUFFIX, KernelQueue, Ticket, prepare_folder
from hub.voila_queue import Waiting, script_literal, with_ticket


@pytest.fixture
def queue(tmp_path):
    return KernelQueue(prepare_folder(tmp_path / "kernel-queue", shared=False), size=2, hold_limit=60, max_age=900)


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_pages_go_in_order_of_arrival_two_at_a_time(queue):
    tickets = [queue.join() for _ in range(5)]
    assert [ticket.place() for ticket in tickets] == [0, 1, 2, 3, 4]
    assert [ticket.may_go() for ticket in tickets] == [True, True, False, False, False]
    tickets[0].go()
    tickets[1].go()
    assert tickets[2].place() == 2 and not tickets[2].may_go()
    tickets[1].release()  # the second page was rendered first: the third may go, not the fourth
    assert tickets[2].may_go() and not tickets[3].may_go()
    tickets[2].go()
    tickets[0].release()
    assert tickets[3].may_go() and not tickets[4].may_go()


def test_a_new_ticket_is_always_behind_those_waiting(queue):
    first = queue.join()
    later = queue.join()
    assert later.name > first.name and later.place() == 1


def test_a_dead_servers_tickets_do_not_count_and_its_user_sweeps_them(queue):
    pid = dead_pid()
    now = time.time_ns()
    for n in range(3):
        (queue.folder / f"{now - n - 1:020d}-{pid}-{n:012x}{GO_SUFFIX * (n % 2)}").touch()
    mine = queue.join()
    assert mine.place() == 0
    assert queue.sweep() == 3
    assert [entry.name for entry in queue.folder.iterdir()] == [mine.name]


def test_a_page_going_for_too_long_no_longer_holds_the_others(queue):
    held = [queue.join() for _ in range(2)]
    for ticket in held:
        ticket.go()
    mine = queue.join()
    assert not mine.may_go()
    old = time.time() - 61
    os.utime(held[0].path, (old, old))  # rendered for longer than hold_limit: hung, or kept on purpose
    assert mine.may_go()


def test_a_ticket_too_old_counts_no_more(queue):
    ancient = time.time_ns() - 901 * 10**9
    (queue.folder / f"{ancient:020d}-{os.getpid()}-{0:012x}").touch()  # waiting since long before max_age
    assert queue.join().place() == 0


def test_files_that_are_not_tickets_are_ignored(queue):
    for name in ("notes.txt", "00000000000000000001-x-y", "1-2", ".hidden"):
        (queue.folder / name).touch()
    (queue.folder / "00000000000000000001-dir-x").mkdir()
    assert queue.join().place() == 0


def test_a_ticket_renamed_while_counted_counts_as_going(queue, monkeypatch):
    """Between the listing and the stat, a ticket ahead became a page being rendered: it still counts."""
    ahead = queue.join()
    mine = queue.join()
    real_scandir = os.scandir

    class Renaming:
        def __init__(self, path):
            self.inner = real_scandir(path)

        def __enter__(self):
            entries = list(self.inner)
            ahead.go()  # renamed after the listing
            return entries

        def __exit__(self, *exc):
            self.inner.close()

    monkeypatch.setattr("hub.kernel_queue.os.scandir", Renaming)
    assert mine.place() == 1


def test_the_folder_is_private_in_demo_mode_and_shared_sticky_in_server_mode(tmp_path):
    demo = prepare_folder(tmp_path / "demo", shared=False)
    server = prepare_folder(tmp_path / "server", shared=True)
    assert stat.S_IMODE(demo.stat().st_mode) == 0o700
    assert stat.S_IMODE(server.stat().st_mode) == 0o1777  # each user removes only their own tickets


def test_from_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("MENTORHUB_KERNEL_QUEUE", raising=False)
    assert KernelQueue.from_environment() is None
    monkeypatch.setenv("MENTORHUB_KERNEL_QUEUE", str(tmp_path / "missing"))
    assert KernelQueue.from_environment() is None
    monkeypatch.setenv("MENTORHUB_KERNEL_QUEUE", str(tmp_path))
    for size, expected in (("3", 3), ("0", max(2, os.cpu_count() or 2)), ("x", max(2, os.cpu_count() or 2))):
        monkeypatch.setenv("MENTORHUB_KERNEL_QUEUE_SIZE", size)
        assert KernelQueue.from_environment().size == expected


def test_a_waiting_page_is_told_its_turn_and_its_ticket_is_reserved(queue):
    waiting = Waiting(queue)
    held = [queue.join() for _ in range(2)]
    for ticket in held:
        ticket.go()
    mine: Ticket = queue.join()
    waiting.tickets[mine.name] = mine
    assert waiting.poll(mine.name) == {"go": False, "ahead": 1}
    assert waiting.poll("00000000000000000000-1-abc") is None
    held[0].release()
    assert waiting.poll(mine.name) == {"go": True}
    assert mine.path.name.endswith(GO_SUFFIX), "counts as going from now on"
    late = queue.join()
    assert not late.may_go()


def test_forgotten_and_unclaimed_tickets_are_given_up(queue, monkeypatch):
    waiting = Waiting(queue)
    forgotten, unclaimed, asking = queue.join(), queue.join(), queue.join()
    for ticket in (forgotten, unclaimed, asking):
        waiting.tickets[ticket.name] = ticket
    unclaimed.go()
    now = time.monotonic()
    forgotten.last_seen = now - 21
    unclaimed.going_since = now - 31
    waiting.sweep()
    assert set(waiting.tickets) == {asking.name}
    assert sorted(entry.name for entry in queue.folder.iterdir()) == [asking.name]


def test_the_address_keeps_its_arguments_and_gets_one_ticket():
    url = "/user/t1/voila/render/apps/%E5%AF%BC.ipynb?theme=light&mh_queue=old"
    assert with_ticket(url, "new") == "/user/t1/voila/render/apps/%E5%AF%BC.ipynb?theme=light&mh_queue=new"
    assert with_ticket(url, None) == "/user/t1/voila/render/apps/%E5%AF%BC.ipynb?theme=light"


def test_script_literals_cannot_end_the_script():
    literal = script_literal('/x</script><script>alert("1")</script>&amp;')
    assert "<" not in literal and ">" not in literal and "&" not in literal
    assert literal.startswith('"') and literal.endswith('"')


def test_waiting_counts_the_pages_that_wait_not_those_going(queue):
    tickets = [queue.join() for _ in range(4)]
    tickets[0].go()
    (queue.folder / f"{time.time_ns():020d}-{dead_pid()}-{0:012x}").touch()  # its server died
    assert queue.waiting() == 3
    tickets[1].release()
    assert queue.waiting() == 2


def test_joining_a_queue_whose_folder_is_gone_fails_as_an_os_error(tmp_path):
    """hub.voila_queue then renders the page without the queue (logged) instead of failing it."""
    queue = KernelQueue(tmp_path / "gone", size=2)
    with pytest.raises(OSError):
        queue.join()
