"""The district dashboard (issue 22, part 2) checked against figures computed by hand for a small district
(tests.district_world), on SQLite and PostgreSQL: per school and stage, fixed order, small cells blanked,
no student anywhere; a write shows at once; the exports read back."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from hub.district_docs import brief_docx, dashboard_xlsx
from hub.store import Forbidden
from tests.district_world import build_hand_district


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def district(request, tmp_path):
    from hub.store import open_store
    from hub.store.testing import new_database_url

    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    url, cleanup = new_database_url(request.param, tmp_path, pg)
    store = open_store(url)
    info = build_hand_district(store)
    yield store, info
    store.close()
    cleanup()


def rows_of(board, key):
    return [{k: v for k, v in row.items() if k != "school_name"} for row in board["tables"][key]]


def test_coverage_by_school_and_stage(district):
    store, _ = district
    board = store.find_district_dashboard(store.actor_for("dist1"))
    assert [s["school_id"] for s in board["schools"]] == ["A", "B"]
    assert rows_of(board, "coverage") == [
        {"school": "A", "stage": "小学", "students": 6, "with_mentor": 6, "special_needs": 2,
         "special_with_priority": 1, "with_mentor_share": 1.0, "special_priority_share": 0.5, "suppressed": False},
        {"school": "A", "stage": "初中", "students": 17, "with_mentor": 16, "special_needs": 0,
         "special_with_priority": 0, "with_mentor_share": pytest.approx(16 / 17), "special_priority_share": None,
         "suppressed": False},
        {"school": "B", "stage": "初中", "students": None, "with_mentor": None, "special_needs": None,
         "special_with_priority": None, "with_mentor_share": None, "special_priority_share": None, "suppressed": True},
    ]  # fmt: skip


def test_tri_one_mentor_load_training_and_activity(district):
    store, _ = district
    board = store.find_district_dashboard(store.actor_for("admin"))
    tri = {(r["school"], r["stage"]): r for r in board["tables"]["tri_one"]}
    small = tri[("A", "小学")]
    assert (small["students"], small["home_visit"], small["talk"], small["message"], small["all_three"]) == (6, 2, 2, 1, 1)
    assert small["all_three_share"] == pytest.approx(1 / 6)
    junior = tri[("A", "初中")]
    assert (junior["students"], junior["talk"], junior["home_visit"], junior["all_three"]) == (17, 6, 0, 0)
    assert tri[("B", "初中")]["suppressed"] is True and tri[("B", "初中")]["talk"] is None
    assert rows_of(board, "mentors") == [
        {"school": "A", "mentors": 5, "over_limit": 1, "mean_mentees": pytest.approx(24 / 5), "suppressed": False},
        {"school": "B", "mentors": None, "over_limit": None, "mean_mentees": None, "suppressed": True}]
    assert rows_of(board, "training") == [
        {"school": "A", "course": "导师工作基础", "tier": "新任导师", "teachers": 5, "completed": 3, "hours": 30.0,
         "completed_share": 0.6, "suppressed": False},
        {"school": "B", "course": "导师工作基础", "tier": "新任导师", "teachers": None, "completed": None, "hours": None,
         "completed_share": None, "suppressed": True}]  # fmt: skip
    assert rows_of(board, "activity") == [
        {"school": "A", "team_meetings": 2, "team_students_discussed": 3, "studio_sessions": 0, "studio_cases": 0},
        {"school": "B", "team_meetings": 0, "team_students_discussed": 0, "studio_sessions": 0, "studio_cases": 0},
        {"school": "", "team_meetings": 0, "team_students_discussed": 0, "studio_sessions": 1, "studio_cases": 2}]


def test_a_write_shows_at_once_and_no_student_is_named(district):
    store, info = district
    district_staff = store.actor_for("dist1")
    before = {(r["school"], r["stage"]): r for r in store.find_district_dashboard(district_staff)["tables"]["tri_one"]}
    store.add_record(store.actor_for("ta5"), {"student_id": "a13", "kind": "talk", "date": info["today"].isoformat(),
                                              "talk_type": "例行关怀", "summary": "聊了最近的学习和生活情况"})  # fmt: skip
    board = store.find_district_dashboard(district_staff)
    after = {(r["school"], r["stage"]): r for r in board["tables"]["tri_one"]}
    assert after[("A", "初中")]["talk"] == before[("A", "初中")]["talk"] + 1 == 7
    text = repr(board)
    assert not any(name in text for name in info["student_names"])
    assert not any(f"'a{n}'" in text or f"'b{n}'" in text for n in range(1, 24))


def test_only_the_district_and_platform_admins_see_it(district):
    store, _ = district
    for user in ("adm", "lead", "ta1", "ta3"):
        with pytest.raises(Forbidden):
            store.find_district_dashboard(store.actor_for(user))


def test_the_exports_read_back(district):
    store, _ = district
    board = store.find_district_dashboard(store.actor_for("dist1"))
    book = load_workbook(io.BytesIO(dashboard_xlsx(board)), read_only=True)
    coverage = [list(row) for row in book["导师覆盖"].iter_rows(values_only=True)]
    assert coverage[0][:4] == ["学校", "学段", "学生数", "有主导师"]
    assert coverage[1][:4] == ["甲校", "小学", 6, 6] and coverage[3][:3] == ["乙校", "初中", "<5"]
    document = Document(io.BytesIO(brief_docx(board)))
    assert len(document.inline_shapes) == 3  # coverage, 三个一, training as charts
    assert any("三个一完成情况" in p.text for p in document.paragraphs)
    assert document.tables[0].rows[1].cells[0].text == "甲校"


def test_the_timeline_says_which_schools_met_each_check(district):
    store, info = district
    today = info["today"].isoformat()
    store.put_milestones(store.actor_for("dist1"), "2026-2027", [
        {"title": f"检查{check}", "due_date": today, "audience": ["school_admin", "mentor"], "check": check}
        for check in ("matching", "home_visits", "plan_submitted")])  # fmt: skip
    district = {m["check"]: (m["schools_met"], m["schools"]) for m in store.find_milestones(store.actor_for("dist1"))}
    # A: a23 has no mentor; B: every student matched; no school visited every student; no plan submitted
    assert district == {"matching": (1, 2), "home_visits": (0, 2), "plan_submitted": (0, 2)}
    school_a = {m["check"]: m["met"] for m in store.find_milestones(store.actor_for("adm"))}
    school_b = {m["check"]: m["met"] for m in store.find_milestones(store.actor_for("tb1"))}
    assert school_a["matching"] is False and school_b["matching"] is True
    for n in range(1, 4):
        store.add_record(store.actor_for("tb1"), {"student_id": f"b{n}", "kind": "home_visit", "date": today,
                                                  "form": "入户", "purpose": "了解家庭情况", "participants": "导师、父亲"})  # fmt: skip
    assert {m["check"]: m["met"] for m in store.find_milestones(store.actor_for("tb1"))}["home_visits"] is True
