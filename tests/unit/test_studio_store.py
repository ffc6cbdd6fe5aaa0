"""Case-study verbs of the records store (SQLite; PostgreSQL too with MENTORHUB_TEST_PG_URL): the case
library in the database, the discussion room's rules enforced server-side, minutes, and the research
aggregates computed from a seeded term (figures worked out from the seed, small cells blanked)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json

import docx
import pytest
from sqlalchemy import select

from hub.cases import library
from hub.cases.command import SHIPPED_FOLDER
from hub.store import Forbidden, Invalid, NotFound, open_store
from hub.store.dashboard_verbs import exam_dates_of
from hub.store.models import AuditLog, StudioSession
from hub.store.testing import new_database_url

TODAY = dt.date.today()
DAY = (TODAY - dt.timedelta(days=5)).isoformat()
EXAM_DAY = TODAY - dt.timedelta(days=3)
C1 = [f"c1-{n}" for n in range(6)]  # six students: a class big enough to show
C2 = ["c2-0", "c2-1"]  # two students: always blanked
HOME_VISIT = {"form": "视频", "purpose": "了解居家学习环境和作息", "participants": "导师、母亲"}
TALK = {"talk_type": "例行关怀", "key_timepoint": "期中", "summary": "聊了期中前的复习安排。", "guidance_domains": ["学习辅导"]}
MESSAGE = {"text": "运动会上你主动帮同学搬器材，让老师看到了你的担当，愿你把这份热心带到学习小组里。", "delivered_via": "手写卡"}


def build_world(store) -> None:
    store.add_term("T1", "2026", 1, TODAY - dt.timedelta(days=60), TODAY + dt.timedelta(days=60),
                   key_timepoints=[{"name": "开学", "date": (TODAY - dt.timedelta(days=60)).isoformat()},
                                   {"name": "期中", "date": EXAM_DAY.isoformat()}])  # fmt: skip
    schools = [{"school_id": "C", "name": "丙校"}, {"school_id": "D", "name": "丁校"}]
    classes = [{"class_id": "C1", "school_id": "C", "grade": 7, "name": "七(1)班", "head_teacher_id": "m_c"},
               {"class_id": "C2", "school_id": "C", "grade": 7, "name": "七(2)班"},
               {"class_id": "D1", "school_id": "D", "grade": 4, "name": "四(1)班"}]  # fmt: skip
    staff = [{"staff_id": sid, "name": name, "school_id": school, "roles": roles} for sid, name, school, roles in (
        ("m_c", "何文清", "C", ["subject", "head_teacher"]), ("adm_c", "罗晓岚", "C", ["school_admin"]),
        ("host", "沈若竹", "C", ["subject", "studio_leader"]), ("mem1", "韩启明", "C", ["subject"]),
        ("mem2", "唐雨晴", "D", ["subject"]), ("outsider", "陆一舟", "C", ["subject"]),
        ("groupie", "范静秋", "D", ["subject"]), ("adm_d", "江海峰", "D", ["school_admin"]))]  # fmt: skip
    students = [{"student_id": sid, "display_name": f"学生{sid}", "school_id": "C", "class_id": sid[:2].upper()}
                for sid in C1 + C2]  # fmt: skip
    students.append({"student_id": "d1-0", "display_name": "学生d1-0", "school_id": "D", "class_id": "D1"})
    store.import_roster(schools, classes, staff, students)
    store.add_account("trainer9", platform_roles=["trainer"], must_change_password=False)
    store.add_assignments(store.actor_for("adm_c"), "T1",
                          [{"student_id": s, "staff_id": "m_c", "kind": "primary"} for s in C1 + C2])  # fmt: skip
    mentor = store.actor_for("m_c")
    for index, student in enumerate(C1 + C2):
        store.add_record(mentor, {"student_id": student, "kind": "talk", "date": DAY, **TALK})
        if index < 3:  # the first three of C1 have all three of 三个一
            store.add_record(mentor, {"student_id": student, "kind": "home_visit", "date": DAY, **HOME_VISIT})
            store.add_record(mentor, {"student_id": student, "kind": "growth_message", "date": DAY, **MESSAGE})
    store.add_studio("s1", "丙校导师工作室", "host", members=["mem1", "mem2"])


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path_factory):
    pg_url = None
    if request.param == "postgres":
        pg_url = request.getfixturevalue("pg_url")
    url, cleanup = new_database_url(request.param, tmp_path_factory.mktemp("studio"), pg_url)
    st = open_store(url)
    build_world(st)
    st.put_cases(library.load_library(SHIPPED_FOLDER))
    yield st
    st.close()
    cleanup()


def actor(store, name, *groups):
    return store.actor_for(name, groups=groups or ("teachers",))


# --- case library --------------------------------------------------------------------------------

def test_the_shipped_library_is_stored_once_and_filters_like_the_files(store):
    files = library.load_library(SHIPPED_FOLDER)
    assert store.put_cases(files) == {"added": 0, "updated": 0, "unchanged": len(files)}
    reader = actor(store, "mem1")
    assert [c.id for c in store.find_cases(reader)] == [c.id for c in files]
    assert store.find_cases(reader, stage="初中") == library.filter_cases(files, stage="初中")
    assert store.find_cases(reader, domain="生涯指导", text="选科") == library.filter_cases(
        files, domain="生涯指导", text="选科")
    assert store.find_case(reader, files[0].id) == files[0]
    with pytest.raises(NotFound):
        store.find_case(reader, "no-such-case")


def test_cases_are_for_teachers_leaders_and_trainers_only(store):
    assert store.find_cases(store.actor_for("trainer9"))  # by role, even without hub groups
    with pytest.raises(Forbidden) as info:
        store.find_cases(store.actor_for("someone-else"))
    assert "案例库" in info.value.message_zh


def test_a_case_naming_a_roster_person_is_refused_and_nothing_is_stored(store):
    good, original = library.load_library(SHIPPED_FOLDER)[:2]
    changed = dataclasses.replace(good, title=good.title + "（修订）")
    leaking = dataclasses.replace(original, background=original.background + "她的导师何文清多次家访。")
    with pytest.raises(Invalid) as info:
        store.put_cases([changed, leaking])
    assert "姓名" in info.value.message_zh and leaking.title in info.value.message_zh
    assert store.find_case(actor(store, "mem1"), good.id).title == good.title  # the good one was not written
    phone = dataclasses.replace(original, outcome=original.outcome + "联系电话 13812345678。")
    with pytest.raises(Invalid) as info:
        store.put_cases([phone])
    assert "电话" in info.value.message_zh


def test_an_edited_case_file_updates_its_row(store):
    case = library.load_library(SHIPPED_FOLDER)[0]
    edited = dataclasses.replace(case, tags=(*case.tags, "新标签"))
    assert store.put_cases([edited]) == {"added": 0, "updated": 1, "unchanged": 0}
    assert "新标签" in store.find_case(actor(store, "mem1"), case.id).tags
    store.put_cases([case])


# --- discussion room ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def case_id(store):
    return library.load_library(SHIPPED_FOLDER)[0].id


def test_only_the_host_opens_a_discussion(store, case_id):
    with pytest.raises(Forbidden):
        store.add_discussion(actor(store, "mem1"), "s1", case_id)
    with pytest.raises(NotFound):
        store.add_discussion(actor(store, "host"), "s1", "no-such-case")
    with pytest.raises(NotFound):
        store.add_discussion(actor(store, "host"), "no-such-studio", case_id)
    session = store.add_discussion(actor(store, "host"), "s1", case_id)
    assert session["leader"] == "host" and set(session["members"]) == {"host", "mem1", "mem2"}


def test_a_whole_discussion_with_the_rules_held_by_the_store(store, case_id):
    host, mem1, mem2 = actor(store, "host"), actor(store, "mem1"), actor(store, "mem2")
    sid = store.add_discussion(host, "s1", case_id)["id"]
    versions = [store.find_discussion_version(host, sid)["version"]]
    with pytest.raises(Forbidden) as info:
        store.join_discussion(actor(store, "outsider"), sid)
    assert "不是本工作室成员" in info.value.message_zh
    with pytest.raises(Forbidden):
        store.find_discussion(actor(store, "outsider"), sid)
    with pytest.raises(Forbidden):
        store.find_discussion_version(actor(store, "outsider"), sid)
    for member in (mem1, mem2):
        store.join_discussion(member, sid)
    # a user in the hub group studio-s1 (not in the table) may join as well
    store.join_discussion(actor(store, "groupie", "teachers", "studio-s1"), sid)

    mine = store.add_contribution(mem1, sid, "先了解孩子在家里的作息和情绪变化。")
    store.add_contribution(mem2, sid, "可以请同伴小组在课间主动邀请。")
    versions.append(store.find_discussion_version(host, sid)["version"])
    assert store.find_discussion(mem2, sid)["contributions"][0]["author"] == "mem2"  # analysis stays private
    with pytest.raises(Forbidden):
        store.update_contribution(mem2, mine["id"], "改别人的发言")
    store.update_contribution(mem1, mine["id"], "先了解孩子在家里的作息、情绪和同伴变化。")
    with pytest.raises(Invalid) as info:
        store.add_contribution(mem1, sid, "电话 13812345678 联系家长")
    assert "个人身份" in info.value.message_zh
    with pytest.raises(Forbidden):
        store.advance_discussion(mem1, sid)

    store.advance_discussion(host, sid)  # sharing
    assert len(store.find_discussion(mem2, sid)["contributions"]) == 2
    store.advance_discussion(host, sid)  # proposal
    proposal = store.add_contribution(mem1, sid, "建立每周一次的十分钟谈心。")
    store.add_contribution(mem2, sid, "和家长约定周末作息表。")
    store.advance_discussion(host, sid)  # vote
    store.put_discussion_vote(mem2, sid, proposal["id"])
    store.put_discussion_vote(host, sid, proposal["id"])
    with pytest.raises(Forbidden):
        store.close_discussion_vote(mem1, sid)
    store.close_discussion_vote(host, sid)
    store.advance_discussion(host, sid)  # summary
    with pytest.raises(Forbidden):
        store.write_discussion_summary(mem1, sid, "我来总结")
    store.write_discussion_summary(host, sid, "先稳定作息，再用同伴小组帮助融入。", finish=True)
    view = store.find_discussion(host, sid)
    versions.append(view["version"])
    assert versions == sorted(set(versions))  # every write moved the version
    assert view["session"]["finished"] and [t["votes"] for t in view["tally"]] == [2, 0]
    with pytest.raises(Invalid):
        store.add_contribution(mem1, sid, "结束后再发言")

    content, media_type = store.find_minutes(mem1, sid, "docx")
    assert media_type.startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    for contribution in view["contributions"]:
        assert contribution["text"] in text
    markdown = store.find_minutes(host, sid, "md")[0].decode("utf-8")
    assert "先稳定作息" in markdown and "2 票" in markdown
    with store.reading() as s:
        studio_session = s.scalars(select(StudioSession).where(StudioSession.studio_id == "s1")).first()
    assert studio_session.case_ids == [case_id] and "groupie" in studio_session.attendance
    with store.reading() as s:
        exports = s.scalars(select(AuditLog).where(AuditLog.action == "minutes.export",
                                                   AuditLog.entity_id == sid)).all()  # fmt: skip
    assert sorted(e.actor for e in exports) == ["host", "mem1"]
    with pytest.raises(Invalid):
        store.find_minutes(host, sid, "pdf")


def test_discussions_are_listed_for_members_only(store, case_id):
    store.add_discussion(actor(store, "host"), "s1", case_id)
    assert store.find_discussions(actor(store, "mem2"))
    assert store.find_discussions(actor(store, "outsider")) == []
    assert [s["studio_id"] for s in store.find_my_studios(actor(store, "host"))] == ["s1"]
    assert store.find_my_studios(actor(store, "host"))[0]["is_host"] is True
    assert store.find_my_studios(actor(store, "mem1"))[0]["is_host"] is False


# --- research aggregates ------------------------------------------------------------------------

def rows_by(table, *keys):
    return {tuple(row[k] for k in keys): row for row in table}


def test_dashboards_from_the_seeded_term(store):
    board = store.find_dashboards(store.actor_for("trainer9"))
    assert board["scope"] == "district" and board["exam_dates"] == [EXAM_DAY.isoformat()]
    tri = rows_by(board["tables"]["tri_one"], "school", "class")
    c1 = tri[("丙校", "七(1)班")]
    assert c1["students"] == len(C1) and c1["talk"] == 1.0
    assert c1["home_visit"] == c1["message"] == c1["all_three"] == pytest.approx(3 / len(C1))
    small = tri[("丙校", "七(2)班")]
    assert small["suppressed"] is True and small["students"] is None and small["talk"] is None
    domains = rows_by(board["tables"]["domains"], "domain")
    talks = len(C1) + len(C2)
    assert domains[("学习辅导",)]["records"] == talks and domains[("学习辅导",)]["share"] == 1.0
    assert domains[("思想引导",)]["suppressed"] is True
    timing = rows_by(board["tables"]["exam_timing"], "window")
    assert timing[("exam_week",)]["records"] == talks  # every talk was two days before the exam
    assert timing[("before_2w",)]["suppressed"] is True
    text = json.dumps(board, ensure_ascii=False)
    for forbidden in (*C1, *C2, "学生c1-0", "何文清"):
        assert forbidden not in text  # no student id, no name


def test_a_school_admin_sees_only_their_school_and_a_teacher_nothing(store):
    board = store.find_dashboards(store.actor_for("adm_d"))
    assert board["scope"] == "schools"
    assert {row["school"] for row in board["tables"]["tri_one"]} == {"丁校"}
    with pytest.raises(Forbidden):
        store.find_dashboards(store.actor_for("mem1"))


def test_exam_dates_are_the_exam_time_points():
    term = type("T", (), {"key_timepoints": [{"name": "开学", "date": "2026-09-01"},
                                            {"name": "期中考试", "date": "2026-11-05"},
                                            {"name": "期末", "date": "2027-01-15"}]})()  # fmt: skip
    assert exam_dates_of(term) == ["2026-11-05", "2027-01-15"]


def test_the_migration_chain_has_one_head():
    from alembic.script import ScriptDirectory

    from hub.store.db import alembic_config

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, heads


def test_the_database_aggregation_matches_the_pandas_dashboards(store):
    """The oracle: the same term read row by row into frames and aggregated by hub.cases.dashboards."""
    import pandas as pd

    from hub.cases import dashboards
    from hub.store.dashboard_verbs import table_rows
    from hub.store.models import Record, School, SchoolClass, Student

    with store.reading() as s:
        schools = {x.school_id: x.name for x in s.scalars(select(School))}
        classes = {x.class_id: x.name for x in s.scalars(select(SchoolClass))}
        pupils = {x.student_id: x for x in s.scalars(select(Student))}
        rows = list(s.scalars(select(Record).where(Record.term_id == "T1")))
    students = pd.DataFrame([(schools[p.school_id], classes[p.class_id], p.student_id) for p in pupils.values()],
                            columns=["school", "class", "student"])  # fmt: skip
    kinds = {"growth_message": "message"}
    records = pd.DataFrame(
        [(r.student_id, kinds.get(r.kind, r.kind), pd.Timestamp(r.event_date),
          r.fields.get("domains") or r.fields.get("guidance_domains") or []) for r in rows],
        columns=["student", "kind", "date", "domains"])  # fmt: skip
    board = store.find_dashboards(store.actor_for("trainer9"), "T1")
    expected = {
        "tri_one": dashboards.tri_one_completion(students, records),
        "domains": dashboards.domain_distribution(records),
        "exam_timing": dashboards.talk_timing(records, [EXAM_DAY.isoformat()]),
    }
    for key, table in expected.items():
        assert board["tables"][key] == table_rows(table), key
