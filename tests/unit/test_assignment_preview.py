"""Saving a term's matching safely (``hub.store.assignment_verbs``), on the small world of ``hub.store.testing``:
the preview says who moves and how many records their previous mentor wrote, lists every problem at once,
writes nothing; a save with the preview's ``basis`` is refused when someone saved in between."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.store import Conflict, Forbidden, Invalid

CURRENT = [("sa1", "m_a", "primary"), ("sa2", "m_a", "primary"), ("sa2", "psy_a", "additional"),
           ("sa3", "ht_a1", "primary"), ("sa4", "lead_a", "primary")]  # fmt: skip


@pytest.fixture
def store(fresh_small_world):
    return fresh_small_world


def rows(pairs):
    return [{"student_id": s, "staff_id": m, "kind": k} for s, m, k in pairs]


def saved(store):
    return sorted((a.student_id, a.staff_id, a.kind) for a in store.find_assignments(store.actor_for("adm_a"), "T-cur"))


def talk(store, user, student):
    store.add_record(store.actor_for(user), {"student_id": student, "kind": "talk", "date": dt.date.today().isoformat(),
                                             "talk_type": "例行关怀", "summary": "聊了聊最近的学习"})  # fmt: skip


def test_the_preview_names_who_moves_whose_records_stay_and_writes_nothing(store):
    talk(store, "m_a", "sa1")
    talk(store, "m_a", "sa1")
    new = [("sa1", "plain_a", "primary"), ("sa2", "m_a", "primary"), ("sa3", "ht_a1", "primary")]
    preview = store.preview_assignments(store.actor_for("adm_a"), "T-cur", rows(new))
    assert preview["moved"] == [{"student_id": "sa1", "name": "学生sa1", "class_id": "A1",
                                 "from": {"staff_id": "m_a", "name": "教师m_a"},
                                 "to": {"staff_id": "plain_a", "name": "教师plain_a"}, "records": 2}]  # fmt: skip
    assert preview["removed"] == [{"student_id": "sa4", "name": "学生sa4", "class_id": "A2",
                                   "from": {"staff_id": "lead_a", "name": "教师lead_a"}, "records": 0}]  # fmt: skip
    assert preview["additional"] == [{"student_id": "sa2", "name": "学生sa2", "class_id": "A1", "gained": [],
                                      "lost": [{"staff_id": "psy_a", "name": "教师psy_a"}]}]  # fmt: skip
    assert (preview["unchanged"], preview["added"], preview["students"]) == (2, [], 3)
    assert saved(store) == sorted(CURRENT)


def test_every_problem_of_the_rows_at_once(store):
    bad = [("sa1", "nobody", "primary"), ("sb1", "m_a", "primary"), ("sa2", "m_b", "primary"),
           ("sa3", "ht_a1", "primary"), ("sa3", "m_a", "primary"), ("sa4", "m_a", "leader")]  # fmt: skip
    with pytest.raises(Invalid) as refused:
        store.preview_assignments(store.actor_for("adm_a"), "T-cur", rows(bad))
    text = refused.value.message_zh
    for expected in ("第 1 行：导师编号“nobody”", "第 2 行：学生编号“sb1”", "第 3 行：导师编号“m_b”", "第 6 行",
                     "学生 sa3 只能有一位主导师", "有 5 处问题"):  # fmt: skip
        assert expected in text


def test_a_save_with_an_outdated_preview_is_refused_and_changes_nothing(store):
    admin = store.actor_for("adm_a")
    mine = [("sa1", "ht_a1", "primary"), ("sa2", "m_a", "primary"), ("sa3", "ht_a1", "primary"),
            ("sa4", "lead_a", "primary")]  # fmt: skip
    basis = store.preview_assignments(admin, "T-cur", rows(mine))["basis"]
    theirs = [("sa1", "m_a", "primary"), ("sa2", "plain_a", "primary"), ("sa3", "ht_a1", "primary"),
              ("sa4", "lead_a", "primary")]  # fmt: skip
    store.add_assignments(admin, "T-cur", rows(theirs))  # a colleague saves in between
    with pytest.raises(Conflict) as refused:
        store.add_assignments(admin, "T-cur", rows(mine), basis=basis)
    assert "重新预览" in refused.value.message_zh
    assert saved(store) == sorted(theirs)
    fresh = store.preview_assignments(admin, "T-cur", rows(mine))["basis"]
    store.add_assignments(admin, "T-cur", rows(mine), basis=fresh)
    assert saved(store) == sorted(mine)


@pytest.mark.parametrize("user", ["m_a", "ht_a1", "psy_a", "lead_a", "trainer1", "studio1", "admin", "nobody"])
def test_only_a_school_admin_previews(store, user):
    with pytest.raises(Forbidden):
        store.preview_assignments(store.actor_for(user), "T-cur", rows(CURRENT))


def test_another_schools_admin_sees_none_of_this_school(store):
    with pytest.raises(Invalid) as refused:
        store.preview_assignments(store.actor_for("adm_b"), "T-cur", rows(CURRENT))
    assert "学生编号“sa1”不是本校学生" in refused.value.message_zh
