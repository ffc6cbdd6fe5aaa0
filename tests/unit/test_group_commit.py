"""Group commit of record writes (hub/store/group_commit.py): batching, results, failure isolation.

The first tests drive ``GroupCommit`` with a fake batch writer whose first call is held open, so that the
next callers queue up deterministically; the store tests do the same in front of the real
``_insert_records`` on SQLite and PostgreSQL, with a duplicate ``client_ref`` inside one batch.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import select

from hub.store import Conflict
from hub.store.group_commit import GroupCommit
from hub.store.models import Record


def wait_until(condition, what: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.005)


class HeldWriter:
    """A batch writer whose first call waits for ``release()``; records every batch it is given."""

    def __init__(self, write):
        self.write = write
        self.batches: list[list] = []
        self.entered = threading.Event()
        self.gate = threading.Event()

    def __call__(self, values: list) -> list:
        self.batches.append(list(values))
        if len(self.batches) == 1:
            self.entered.set()
            self.gate.wait()
        return self.write(values)

    def release(self) -> None:
        self.gate.set()


def in_threads(call, values) -> tuple[dict, list[threading.Thread]]:
    """Start one thread per value running ``call(value)``; outcomes land in the returned dict."""
    outcomes: dict = {}

    def run(value):
        try:
            outcomes[value] = ("ok", call(value))
        except Exception as error:  # the test inspects which callers failed and how
            outcomes[value] = ("error", error)

    threads = [threading.Thread(target=run, args=(value,)) for value in values]
    for thread in threads:
        thread.start()
    return outcomes, threads


def queued(group: GroupCommit) -> int:
    with group._mutex:  # the waiting callers (white box: only to make the batching deterministic)
        return len(group._queue)


def test_a_lone_write_is_written_at_once_by_its_caller():
    writer = HeldWriter(lambda values: [v * 10 for v in values])
    writer.release()
    group = GroupCommit(writer)
    assert group.submit(4) == 40
    assert group.submit(5) == 50
    assert writer.batches == [[4], [5]]


def test_callers_arriving_during_a_commit_share_the_next_batch_and_get_their_own_results():
    writer = HeldWriter(lambda values: [v * 10 for v in values])
    group = GroupCommit(writer)
    first, first_threads = in_threads(group.submit, [1])
    assert writer.entered.wait(60)
    outcomes, threads = in_threads(group.submit, range(2, 10))
    wait_until(lambda: queued(group) == 8, "eight queued callers")
    writer.release()
    for thread in first_threads + threads:
        thread.join(60)
    assert writer.batches[0] == [1]
    assert sorted(writer.batches[1]) == list(range(2, 10)) and len(writer.batches) == 2
    assert first == {1: ("ok", 10)}
    assert outcomes == {v: ("ok", v * 10) for v in range(2, 10)}


def test_batches_are_capped():
    writer = HeldWriter(lambda values: list(values))
    group = GroupCommit(writer, max_batch=3)
    first, first_threads = in_threads(group.submit, [0])
    assert writer.entered.wait(60)
    outcomes, threads = in_threads(group.submit, range(1, 8))
    wait_until(lambda: queued(group) == 7, "seven queued callers")
    writer.release()
    for thread in first_threads + threads:
        thread.join(60)
    assert [len(batch) for batch in writer.batches] == [1, 3, 3, 1]
    assert outcomes == {v: ("ok", v) for v in range(1, 8)}


def test_one_bad_value_fails_only_its_own_caller():
    def write(values):
        if "bad" in values:
            raise ValueError("bad value in batch")
        return [v.upper() for v in values]

    writer = HeldWriter(write)
    group = GroupCommit(writer)
    first, first_threads = in_threads(group.submit, ["first"])
    assert writer.entered.wait(60)
    outcomes, threads = in_threads(group.submit, ["a", "bad", "c"])
    wait_until(lambda: queued(group) == 3, "three queued callers")
    writer.release()
    for thread in first_threads + threads:
        thread.join(60)
    assert first == {"first": ("ok", "FIRST")}
    assert outcomes["a"] == ("ok", "A") and outcomes["c"] == ("ok", "C")
    assert outcomes["bad"][0] == "error" and str(outcomes["bad"][1]) == "bad value in batch"
    # the failed batch of three, then each value alone
    assert sorted(writer.batches[1]) == ["a", "bad", "c"]
    assert sorted(writer.batches[2:]) == [["a"], ["bad"], ["c"]]


class Down(Exception):
    pass


def test_an_unreachable_database_fails_the_batch_at_once_without_retrying_each_value():
    def write(values):
        if len(writer.batches) > 1:
            raise Down("database unreachable")
        return list(values)

    writer = HeldWriter(write)
    group = GroupCommit(writer, shared=(Down,))
    first, first_threads = in_threads(group.submit, ["first"])
    assert writer.entered.wait(60)
    outcomes, threads = in_threads(group.submit, ["a", "b", "c"])
    wait_until(lambda: queued(group) == 3, "three queued callers")
    writer.release()
    for thread in first_threads + threads:
        thread.join(60)
    assert first == {"first": ("ok", "first")}
    assert all(kind == "error" and isinstance(error, Down) for kind, error in outcomes.values())
    assert len(outcomes) == 3 and len(writer.batches) == 2  # no retries one by one


def test_a_lone_failure_reaches_its_caller():
    def write(values):
        raise KeyError("nope")

    group = GroupCommit(write)
    with pytest.raises(KeyError):
        group.submit(1)
    with pytest.raises(KeyError):  # and the next caller leads again
        group.submit(2)


# --- the store's record writes ---------------------------------------------------------------------


@pytest.fixture
def store(fresh_small_world):
    return fresh_small_world


def talk(student: str, ref: str) -> dict:
    return {"student_id": student, "kind": "talk", "date": dt.date.today().isoformat(), "talk_type": "例行关怀",
            "summary": f"谈话记录 {ref}", "client_ref": ref}  # fmt: skip


def test_store_batch_with_duplicate_refs_stores_every_good_record_once(store):
    mentor = store.actor_for("m_a")
    store.add_record(mentor, talk("sa1", "stored-before"))
    writer = HeldWriter(store._insert_records)
    store._record_writes = GroupCommit(writer)
    before = store.count_records()

    def add(key):  # "twin-1" and "twin-2" send the same client_ref: a duplicate inside one batch
        return store.add_record(mentor, talk("sa1", "twin" if key.startswith("twin") else key)).record_id

    first, first_threads = in_threads(add, ["lead"])
    assert writer.entered.wait(60)
    refs = ["g1", "twin-1", "g2", "stored-before", "twin-2", "g3"]
    outcomes, threads = in_threads(add, refs)
    wait_until(lambda: queued(store._record_writes) == len(refs), "six queued writes")
    writer.release()
    for thread in first_threads + threads:
        thread.join(60)

    assert first["lead"][0] == "ok"
    assert sorted(len(batch) for batch in writer.batches[:2]) == [1, 6]  # the six shared one transaction
    assert outcomes["stored-before"][0] == "error" and isinstance(outcomes["stored-before"][1], Conflict)
    twins = sorted(outcomes[key][0] for key in ("twin-1", "twin-2"))
    assert twins == ["error", "ok"]  # whichever came first is stored, the other is told it is a duplicate
    assert all(isinstance(outcomes[key][1], Conflict) for key in ("twin-1", "twin-2") if outcomes[key][0] == "error")
    good = {ref: outcomes[ref][1] for ref in ("g1", "g2", "g3")}
    good["twin"] = next(outcomes[key][1] for key in ("twin-1", "twin-2") if outcomes[key][0] == "ok")
    assert all(outcomes[ref][0] == "ok" for ref in ("g1", "g2", "g3"))
    # lead + three good ones + one twin; nothing doubled, nothing half-written
    assert store.count_records() == before + 5
    with store.reading() as session:
        rows = dict(session.execute(select(Record.client_ref, Record.record_id)
                                    .where(Record.client_ref.in_(list(good)))).all())  # fmt: skip
    assert rows == good
