"""The store's school-level 三个一 progress: the per-mentor block, the term's dates, and who may export.

A small world (``hub.store.testing``) whose current term's home-visit and talk due dates lie five days in
the past, so records fall on both sides of them; primary and additional mentors both write records, one
record belongs to an older term and one is deleted. Every expected number is written out by hand.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hub.store import Forbidden, NotFound, open_store
from hub.store.testing import build_small_world, new_database_url

TODAY = dt.date.today()
#: the small world's term runs from START - 60 to START + 60 days, due dates at START + 50 (+55)
START = TODAY - dt.timedelta(days=55)
DUE = START + dt.timedelta(days=50)  # home visit and talk: five days ago

# school A's mentors this term: primary and additional; ht_a1 and psy_a mentor two students each
PRIMARY = {"sa1": "m_a", "sa2": "m_a", "sa3": "ht_a1", "sa4": "lead_a"}
ADDITIONAL = {"sa2": "psy_a", "sa3": "psy_a", "sa1": "ht_a1"}


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def home_visit(student_id, date):
    return {"student_id": student_id, "kind": "home_visit", "date": date, "form": "视频", "purpose": "了解在家学习环境"}


def talk(student_id, date):
    return {"student_id": student_id, "kind": "talk", "date": date, "talk_type": "例行关怀",
            "summary": "谈了谈开学以来的适应情况"}  # fmt: skip


def growth(student_id, date):
    return {"student_id": student_id, "kind": "growth_message", "date": date,
            "text": "你在运动会上帮同学搬器材，很有担当，希望你继续保持。"}  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path_factory):
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    url, cleanup = new_database_url(request.param, tmp_path_factory.mktemp("progress"), pg)
    st = open_store(url)
    build_small_world(st, today=START)
    rows = [{"student_id": s, "staff_id": m, "kind": "primary"} for s, m in PRIMARY.items()]
    rows += [{"student_id": s, "staff_id": m, "kind": "additional"} for s, m in ADDITIONAL.items()]
    st.add_assignments(st.actor_for("adm_a"), "T-cur", rows)
    st.add_account("district_a", staff_id="plain_a", platform_roles=["admin"], must_change_password=False)

    def write(user, payload):
        return st.add_record(st.actor_for(user), payload)

    write("m_a", home_visit("sa1", day(-10)))  # before the due date
    write("m_a", talk("sa1", day(-2)))  # after it: late, still done
    write("m_a", growth("sa1", day(-1)))
    write("m_a", talk("sa2", day(-20)))
    write("psy_a", home_visit("sa2", day(-3)))  # the additional mentor's records count for the student
    write("psy_a", growth("sa2", day(-3)))
    write("ht_a1", talk("sa3", day(-30)))
    removed = write("ht_a1", home_visit("sa3", day(-30)))
    st.remove_record(st.actor_for("ht_a1"), removed.record_id, "填错了学生")  # deleted: never counts
    write("lead_a", home_visit("sa4", "2020-10-01"))  # the older term T-old: not this term's
    for payload in (home_visit("sb1", day(-4)), talk("sb1", day(-4)), growth("sb1", day(-4))):
        write("m_b", payload)  # the other school
    yield st
    st.close()
    cleanup()


def counts(students, home_visit, talk, growth_message, complete):
    return {"students": students, "home_visit": home_visit, "talk": talk, "growth_message": growth_message,
            "complete": complete}  # fmt: skip


MENTORS_A = [
    {"staff_id": "ht_a1", "name": "教师ht_a1", **counts(2, 1, 2, 1, 1)},  # sa1 (additional) done, sa3 talk only
    {"staff_id": "lead_a", "name": "教师lead_a", **counts(1, 0, 0, 0, 0)},  # sa4: only last term's visit
    {"staff_id": "m_a", "name": "教师m_a", **counts(2, 2, 2, 2, 2)},  # sa1 and sa2 (psy_a did sa2's visit)
    {"staff_id": "psy_a", "name": "教师psy_a", **counts(2, 1, 2, 1, 1)},  # sa2 done, sa3 talk only
]
CLASSES_A = [{"class_id": "A1", **counts(3, 2, 3, 2, 2)}, {"class_id": "A2", **counts(1, 0, 0, 0, 0)}]


def test_the_due_dates_lie_between_the_records():
    assert day(-10) < DUE.isoformat() < day(-3)


def test_a_school_admin_gets_the_mentors_block_in_staff_id_order(store):
    progress = store.find_progress(store.actor_for("adm_a"))
    assert progress["mentors"] == MENTORS_A
    assert progress["classes"] == CLASSES_A
    assert progress["students"] == []  # still no per-student rows for a whole school


def test_the_term_dates_are_in_every_progress_answer(store):
    expected = {"start_date": (START - dt.timedelta(days=60)).isoformat(),
                "end_date": (START + dt.timedelta(days=60)).isoformat(),
                "due": {"home_visit": DUE.isoformat(), "talk": DUE.isoformat(),
                        "growth_message": (START + dt.timedelta(days=55)).isoformat()}}  # fmt: skip
    for user in ("adm_a", "m_a", "ht_a1"):
        progress = store.find_progress(store.actor_for(user))
        assert {key: progress[key] for key in expected} == expected, user


def test_mentors_and_head_teachers_get_no_mentors_block(store):
    mine = store.find_progress(store.actor_for("m_a"))
    assert "mentors" not in mine and [row["student_id"] for row in mine["students"]] == ["sa1", "sa2"]
    assert "mentors" not in store.find_progress(store.actor_for("ht_a2"))


def test_the_other_school_sees_only_its_own_mentors(store):
    progress = store.find_progress(store.actor_for("adm_b"))
    assert progress["mentors"] == [{"staff_id": "m_b", "name": "教师m_b", **counts(1, 1, 1, 1, 1)}]


def test_an_older_term_has_its_own_counts(store):
    old = store.find_progress(store.actor_for("adm_a"), "T-old")
    assert old["mentors"] == [] and old["start_date"] == "2020-09-01"  # no assignments in that term


def test_the_export_counts_one_school_without_student_data(store):
    export = store.find_progress_export(store.actor_for("adm_a"))
    assert (export["school_id"], export["school_name"], export["term_id"]) == ("A", "甲校", "T-cur")
    assert export["mentors"] == MENTORS_A and export["classes"] == CLASSES_A and export["students"] == []
    text = json.dumps(export, ensure_ascii=False)
    assert not any(student in text for student in ("sa1", "sa2", "sa3", "sa4", "sb1", "学生"))


def test_a_district_admin_who_belongs_to_the_school_may_export_it(store):
    actor = store.actor_for("district_a")
    assert store.find_progress_export(actor, "T-cur", "A")["mentors"] == MENTORS_A
    with pytest.raises(Forbidden):
        store.find_progress_export(actor, "T-cur", "B")


@pytest.mark.parametrize(("user", "school"), [
    ("m_a", None), ("ht_a1", None), ("lead_a", None), ("psy_a", None), ("trainer1", None),
    ("admin", None), ("admin", "A"), ("adm_b", "A"), ("adm_a", "B"), ("adm_a", "no-such-school"),
])  # fmt: skip
def test_everybody_else_is_refused_in_chinese(store, user, school):
    with pytest.raises(Forbidden) as refused:
        store.find_progress_export(store.actor_for(user), "T-cur", school)
    assert "学校管理员" in refused.value.message_zh


def test_an_unknown_term_is_not_found(store):
    with pytest.raises(NotFound):
        store.find_progress_export(store.actor_for("adm_a"), "no-such-term")
