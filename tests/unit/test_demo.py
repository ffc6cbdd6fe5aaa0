"""The demo district: shape, policy lines (≤15 mentees, one primary each), logins, determinism."""

from __future__ import annotations

import argparse
import datetime as dt
from collections import Counter

import bcrypt
import pytest

from hub.demo import DEMO_PASSWORD, register, seed_demo
from hub.store import open_store
from hub.store.testing import new_database_url

ACCOUNTS = ["admin", "district1", "trainer1", "trainer2", "leader1", "principal1", "schooladmin1", "schooladmin2", "psych1"] + [
    f"teacher{n}" for n in range(1, 25)
]


def seeded(tmp_path):
    url, _ = new_database_url("sqlite", tmp_path)
    store = open_store(url)
    counts = seed_demo(store)
    return store, counts


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    store, counts = seeded(tmp_path_factory.mktemp("demo"))
    yield store, counts
    store.close()


def snapshot(store):
    term = store.current_term()
    rows = [(a.student_id, a.staff_id, a.kind) for school in ("schooladmin1", "schooladmin2")
            for a in store.find_assignments(store.actor_for(school), term.term_id)]  # fmt: skip
    return ([s.to_dict() for s in store.find_students_in()], [s.to_dict() for s in store.find_staff_members()], rows)


def test_shape_of_the_district(demo):
    store, counts = demo
    assert len(store.find_schools()) == 2 and len(store.find_classes()) == 10
    assert 25 <= counts["staff"] <= 35 and counts["students"] == 300
    assert sorted(a.username for a in store.find_accounts()) == sorted(ACCOUNTS)
    roles = {role for s in store.find_staff_members() for role in s.to_dict()["roles"]}
    assert roles >= {"subject", "head_teacher", "psychology", "leader", "middle_manager", "studio_leader",
                     "school_admin"}  # fmt: skip
    term = store.current_term()
    assert term.start_date <= dt.date.today() <= term.end_date
    assert counts["records"] > 0


def test_every_student_has_one_primary_and_no_mentor_has_more_than_fifteen(demo):
    store, _ = demo
    rows = snapshot(store)[2]
    primaries = Counter(student for student, _, kind in rows if kind == "primary")
    assert set(primaries) == {s.student_id for s in store.find_students_in()}
    assert set(primaries.values()) == {1}
    loads = Counter(staff for _, staff, kind in rows if kind == "primary")
    assert max(loads.values()) <= 15


def test_every_demo_teacher_has_their_own_mentees(demo):
    store, _ = demo
    mentee_sets = [store.actor_for(f"teacher{n}").mentee_ids for n in range(1, 25)]
    assert all(mentee_sets)
    assert len({frozenset(s) for s in mentee_sets}) == len(mentee_sets)
    heads = [store.actor_for(f"teacher{n}").class_ids for n in (1, 2, 15)]
    assert all(heads)


def test_logins_use_the_demo_password_without_forced_change(demo):
    store, _ = demo
    for username in ("admin", "teacher1", "psych1"):
        account = store.find_account(username)
        assert bcrypt.checkpw(DEMO_PASSWORD.encode(), account["password_hash"].encode())
        assert account["must_change_password"] is False


def test_groups_for_the_hub(demo):
    store, _ = demo
    groups = store.group_memberships()
    assert groups["nbgrader-foundations"] == sorted(f"teacher{n}" for n in range(1, 11))
    assert "leader1" in groups["studio-donghu"] and "leader1" in groups["studio-leaders"]
    assert groups["trainers"] == ["trainer1", "trainer2"] and groups["admins"] == ["admin"]
    assert groups["school-admins"] == ["schooladmin1", "schooladmin2"]


def test_seed_is_deterministic(demo, tmp_path):
    store, _ = demo
    again, _ = seeded(tmp_path)
    assert snapshot(again) == snapshot(store)
    again.close()


def test_command_seeds_once(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["demo", "seed", "--state", str(tmp_path / "state")])
    assert args.func(args) == 0
    assert "演示学区已生成" in capsys.readouterr().out
    assert args.func(args) == 0
    assert "已存在" in capsys.readouterr().out
    assert (tmp_path / "state" / "records.sqlite").exists()
