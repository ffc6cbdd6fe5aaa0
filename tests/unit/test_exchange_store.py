"""The exchange's pure parts: name and path validation, hidden-test fingerprints, the atomic store."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.exchange import hidden
from hub.exchange.access import Caller, Policy
from hub.exchange.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from hub.exchange.names import check_name, check_relative_path
from hub.exchange.store import CorruptFile, ExchangeStore
from hub.exchange.wire import decode_files, encode_files


@pytest.mark.parametrize("path", ["../x.ipynb", "a/../../b", "/etc/passwd", "a//b", ".hidden", "a\\b", "",
                                  "a/./b", "x\x00.ipynb", " lead.ipynb"])
def test_bad_paths_are_refused(path):
    with pytest.raises(Invalid):
        check_relative_path(path)


@pytest.mark.parametrize("path", ["policy-basics.ipynb", "data/表格 1.csv", "images/a.png"])
def test_good_paths_pass(path):
    assert check_relative_path(path) == path


@pytest.mark.parametrize("name", ["..", "../a", "a/b", ".x", "a+b", "", "x" * 101])
def test_bad_names_are_refused(name):
    with pytest.raises(Invalid):
        check_name(name, "student")


def test_policy_roles_come_from_groups_and_service_name():
    teacher = Caller("t1", frozenset({"nbgrader-foundations"}))
    trainer = Caller("tr", frozenset({"formgrade-foundations", "nbgrader-psychology"}))
    service = Caller("foundations", is_service=True)
    policy = Policy(frozenset({"foundations", "psychology"}))
    policy.require_participant(teacher, "foundations")
    policy.require_trainer(trainer, "foundations")
    policy.require_trainer(service, "foundations")
    with pytest.raises(Forbidden):
        policy.require_trainer(teacher, "foundations")
    with pytest.raises(Forbidden):
        policy.require_trainer(service, "psychology")
    with pytest.raises(Forbidden):
        policy.require_owner_or_trainer(teacher, "foundations", "t2")
    with pytest.raises(NotFound):
        policy.require_member(teacher, "other")
    assert policy.visible_courses(trainer) == {"foundations": "trainer", "psychology": "participant"}


def test_fingerprints_cover_hidden_lines_not_visible_ones():
    source = {"cells": [{"cell_type": "code", "source": [
        "assert isinstance(答案, str)\n", "### BEGIN HIDDEN TESTS\n", "assert 答案 == 'B'\n",
        "assert isinstance(答案, str)\n", "### END HIDDEN TESTS\n"]}]}
    released = {"cells": [{"cell_type": "code", "source": "assert isinstance(答案, str)\n"}]}
    prints = set(hidden.fingerprints([source], [released]))
    assert prints == {hidden.fingerprint("assert 答案 == 'B'")}
    assert hidden.leaks_hidden_tests("<pre><span>assert</span> 答案 ==   &#39;B&#39;</pre>", prints)
    assert not hidden.leaks_hidden_tests("<pre>assert isinstance(答案, str)</pre>", prints)
    assert hidden.leaks_hidden_tests("<p>### begin hidden tests</p>")


def test_wire_round_trip_and_size_limit():
    files = {"a.ipynb": b"{}", "data/b.csv": "列".encode()}
    assert decode_files(encode_files(files), 1000) == files
    with pytest.raises(TooLarge):
        decode_files(encode_files({"a": b"x" * 11}), 10)


class StepClock:
    def __init__(self):
        self.now = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)

    def __call__(self):
        self.now += dt.timedelta(seconds=1)
        return self.now


def test_store_files_submissions_by_server_time_and_verifies_checksums(tmp_path):
    store = ExchangeStore(tmp_path, max_bytes=1000, clock=StepClock())
    store.add_release("foundations", "a1", {"a1.ipynb": b"{}"})
    with pytest.raises(Conflict):
        store.add_release("foundations", "a1", {"a1.ipynb": b"{}"})
    first = store.add_submission("foundations", "a1", "t1", {"a1.ipynb": b"one"})
    second = store.add_submission("foundations", "a1", "t1", {"a1.ipynb": b"two"})
    assert first["timestamp"] == "2026-03-01T08:00:02+00:00" and second["timestamp"] == "2026-03-01T08:00:03+00:00"
    assert [s["submission_id"] for s in store.find_submissions("foundations", student="t1")] == [
        first["submission_id"], second["submission_id"]]
    _, files = store.read_submission("foundations", "t1", "a1", first["submission_id"])
    assert files == {"a1.ipynb": b"one"}
    stored = tmp_path / "foundations" / "submissions" / "t1" / "a1" / first["submission_id"] / "files" / "a1.ipynb"
    stored.write_bytes(b"tampered")
    with pytest.raises(CorruptFile):
        store.read_submission("foundations", "t1", "a1", first["submission_id"])


def test_store_refuses_oversize_and_unreleased_without_leftovers(tmp_path):
    store = ExchangeStore(tmp_path, max_bytes=10)
    store.add_release("foundations", "a1", {"a1.ipynb": b"{}"})
    with pytest.raises(TooLarge):
        store.add_submission("foundations", "a1", "t1", {"a1.ipynb": b"x" * 11})
    with pytest.raises(NotFound):
        store.add_submission("foundations", "a2", "t1", {"a1.ipynb": b"x"})
    assert store.find_submissions("foundations") == []
    assert list((tmp_path / ".incoming").iterdir()) == []


def test_forced_release_replaces_whole_folder(tmp_path):
    store = ExchangeStore(tmp_path)
    store.add_release("c", "a1", {"old.ipynb": b"1", "keep/x.csv": b"2"})
    store.add_release("c", "a1", {"new.ipynb": b"3"}, force=True)
    manifest, files = store.read_release("c", "a1")
    assert files == {"new.ipynb": b"3"} and manifest["total_bytes"] == 1
    store.remove_release("c", "a1")
    assert store.find_releases("c") == []


@pytest.mark.parametrize("paths", [("a", "a/b"), ("x/a.ipynb", "x/a.ipynb/b/c.txt")])
def test_a_file_that_is_also_a_folder_is_refused_on_the_wire_and_in_the_store(tmp_path, paths):
    """Issue 16, finding 7: files ``a`` and ``a/b`` in one submission were a 500 (the second write found a file
    where it needed a folder); now a 400 naming both, and nothing is left behind."""
    files = {path: b"1" for path in paths}
    with pytest.raises(Invalid) as refused:
        decode_files(encode_files(files), 1000)
    assert paths[0] in refused.value.message_zh and "文件夹" in refused.value.message_zh
    store = ExchangeStore(tmp_path, max_bytes=1000)
    store.add_release("foundations", "a1", {"a1.ipynb": b"{}"})
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(Invalid):
        store.add_submission("foundations", "a1", "t1", files)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_files_beside_a_folder_of_a_similar_name_pass():
    files = {"a": b"1", "ab/c": b"2", "a.b": b"3", "d/e": b"4", "d/f": b"5"}
    assert decode_files(encode_files(files), 1000) == files
