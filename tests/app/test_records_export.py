"""The audited .xlsx export of a school's 三个一 summary, through a real hub, proxy and records service
(``running_hub``, the seeded demo district).

The export is tested on a term of its own, set up in the hub's database at the start of this module
(an old school year no other test writes to), so every count in the workbook is known by hand:
four 东湖 students matched to teacher1 and teacher2 (primary) and psych1 (additional for two of them),
and records written by primary and by additional mentors, before and after the term's due dates.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from urllib.parse import unquote

import openpyxl
import pytest
import requests
from sqlalchemy import select

from hub.store.models import Staff
from widgets.client import RecordsClient
from widgets.export import ExportButton

pytestmark = pytest.mark.app
API = "/services/records/api/v1/"
EXPORT = "exports/progress.xlsx"
TERM = "2001-2002-1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACTION = "export.progress_summary"
HOME_VISIT = {"kind": "home_visit", "form": "视频", "purpose": "了解居家学习环境"}
TALK = {"kind": "talk", "talk_type": "例行关怀", "summary": "聊了聊期中后的学习安排"}
GROWTH = {"kind": "growth_message", "text": "你在运动会上主动帮同学搬器材，老师看到了你的担当。"}


@pytest.fixture(scope="module")
def term_plan(store):
    """The export term, its matching and its records. Records can only be written for current mentees,
    so the demo's current pairs are reused: teacher1 has a1 and a2, teacher2 has b1, psych1 has p1; in the
    export term teacher2 is p1's primary mentor and psych1 the additional mentor of a2 and p1."""
    store.add_term(TERM, "2001-2002", 1, dt.date(2001, 9, 1), dt.date(2002, 1, 20),
                   home_visit_due=dt.date(2001, 11, 30), talk_due=dt.date(2001, 11, 30),
                   growth_message_due=dt.date(2002, 1, 10))  # fmt: skip
    mentees = {user: sorted(store.actor_for(user).mentee_ids) for user in ("teacher1", "teacher2", "psych1")}
    a1, a2 = mentees["teacher1"][-2:]
    b1 = mentees["teacher2"][-1]
    p1 = next(s for s in mentees["psych1"] if s not in mentees["teacher1"] + mentees["teacher2"])
    rows = [{"student_id": a1, "staff_id": "teacher1", "kind": "primary"},
            {"student_id": a2, "staff_id": "teacher1", "kind": "primary"},
            {"student_id": b1, "staff_id": "teacher2", "kind": "primary"},
            {"student_id": p1, "staff_id": "teacher2", "kind": "primary"},
            {"student_id": a2, "staff_id": "psych1", "kind": "additional"},
            {"student_id": p1, "staff_id": "psych1", "kind": "additional"}]  # fmt: skip
    store.add_assignments(store.actor_for("schooladmin1"), TERM, rows)
    done = [  # (writer, student, record, date); due dates: visit and talk 2001-11-30, message 2002-01-10
        ("teacher1", a1, HOME_VISIT, "2001-10-08"), ("teacher1", a1, TALK, "2001-12-05"),  # talk late: still done
        ("teacher1", a1, GROWTH, "2002-01-09"), ("teacher1", a2, TALK, "2001-10-10"),
        ("teacher2", b1, HOME_VISIT, "2001-12-20"),  # late: still done
        ("psych1", p1, HOME_VISIT, "2001-11-01"), ("psych1", p1, TALK, "2001-11-02"),  # by the additional mentor
        ("psych1", p1, GROWTH, "2002-01-05"),
    ]  # fmt: skip
    for writer, student, record, day in done:
        store.add_record(store.actor_for(writer), {"student_id": student, "date": day, **record})
    with store.reading() as s:
        names = {sid: s.get(Staff, sid).name for sid in ("psych1", "teacher1", "teacher2")}
    mentors = [  # (name, mentees, home visit, talk, growth message, all three), by staff id; by hand:
        (names["psych1"], 2, 1, 2, 1, 1),  # a2: talk (by teacher1); p1: all three (own records)
        (names["teacher1"], 2, 1, 2, 1, 1),  # a1: all three; a2: talk
        (names["teacher2"], 2, 2, 1, 1, 1),  # b1: visit; p1: all three (by psych1)
    ]  # fmt: skip
    return {"students": (a1, a2, b1, p1), "done": done, "mentors": mentors}


def class_counts(store, plan) -> dict[str, tuple]:
    """Per class: (students, home visit, talk, growth message, all three) from the plan's records."""
    kinds: dict[str, set] = {}
    for _, student, record, _ in plan["done"]:
        kinds.setdefault(student, set()).add(record["kind"])
    counts: dict[str, Counter] = {}
    for student in store.find_students_in(school_id="dh"):
        row = counts.setdefault(student.class_id, Counter())
        row["students"] += 1
        row.update(kinds.get(student.student_id, ()))
        row["complete"] += len(kinds.get(student.student_id, ())) == 3
    return {class_id: (c["students"], c["home_visit"], c["talk"], c["growth_message"], c["complete"])
            for class_id, c in counts.items()}  # fmt: skip


def call(hub, token, path, **params):
    return requests.get(hub.url + API + path, headers={"Authorization": f"token {token}"}, params=params, timeout=120)


def sheet_rows(book, name):
    return [row for row in book[name].iter_rows(min_row=2, values_only=True)]


def export_entries(hub, **filters):
    response = call(hub, hub.user_token("admin"), "audit", action=ACTION, **filters)
    assert response.status_code == 200, response.text
    return [entry for entry in response.json()["audit"] if entry["entity_id"] == TERM]


def test_a_school_admin_downloads_the_counts_and_the_export_is_audited(running_hub, store, term_plan):
    before = len(export_entries(running_hub, who="schooladmin1"))
    response = call(running_hub, running_hub.user_token("schooladmin1"), EXPORT, term=TERM)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == XLSX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and 'filename="progress-dh-2001-2002-1.xlsx"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == "三个一汇总-东湖初级中学-2001-2002-1.xlsx"

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按班级", "按导师", "说明"]
    classes = class_counts(store, term_plan)
    assert {row[0]: row[1:] for row in sheet_rows(book, "按班级")} == classes
    assert [row[0] for row in sheet_rows(book, "按班级")] == sorted(classes)  # by class id, not by a count
    assert sheet_rows(book, "按导师") == term_plan["mentors"]  # by staff id, not by a count

    with store.reading() as s:  # a student may share a name with a teacher: those names are allowed
        staff_names = set(s.scalars(select(Staff.name).where(Staff.school_id == "dh")))
    student_names = {st.display_name for st in store.find_students_in(school_id="dh")} - staff_names
    student_ids = {st.student_id for st in store.find_students_in(school_id="dh")}
    cells = {str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
    text = " ".join(cells)
    assert not student_names & cells and not any(sid in text for sid in student_ids)

    entries = export_entries(running_hub, who="schooladmin1")
    assert len(entries) == before + 1
    entry = entries[0]  # newest first
    assert entry["action"] == ACTION and entry["entity"] == "term"
    assert entry["detail"] == {"school_id": "dh", "format": "xlsx", "class_rows": len(classes), "mentor_rows": 3}
    assert not any(sid in json.dumps(entry, ensure_ascii=False) for sid in term_plan["students"])


@pytest.mark.parametrize("user", ["teacher8", "teacher2", "principal1", "leader1", "admin"])
def test_mentors_head_teachers_and_others_are_refused_and_nothing_is_audited(running_hub, term_plan, user):
    """teacher8 is a mentor only, teacher2 head teacher of 东湖六(2)班, principal1 (school leader) may read the
    school's progress but not export it, leader1 hosts a studio, admin is a district admin who belongs to no
    school."""
    response = call(running_hub, running_hub.user_token(user), EXPORT, term=TERM)
    assert response.status_code == 403, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert "学校管理员" in response.json()["error"]["message_zh"]
    assert export_entries(running_hub, who=user) == []


def test_another_schools_admin_cannot_export_this_school(running_hub, store, term_plan):
    token = running_hub.user_token("schooladmin2")
    refused = call(running_hub, token, EXPORT, term=TERM, school="dh")
    assert refused.status_code == 403 and "学校管理员" in refused.json()["error"]["message_zh"]
    assert export_entries(running_hub, who="schooladmin2") == []
    own = call(running_hub, token, EXPORT, term=TERM)  # their own school: 西岭小学, nothing of 东湖
    assert own.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(own.content))
    assert {row[0][:3] for row in sheet_rows(book, "按班级")} == {"xl-"}
    assert sheet_rows(book, "按导师") == []  # no matching for 西岭 in that term
    dh_names = {st.display_name for st in store.find_students_in(school_id="dh")}
    assert not dh_names & {str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row}
    assert [e["detail"]["school_id"] for e in export_entries(running_hub, who="schooladmin2")] == ["xl"]


def test_an_unknown_term_is_a_404_in_chinese(running_hub):
    response = call(running_hub, running_hub.user_token("schooladmin1"), EXPORT, term="1999-2000-9")
    assert response.status_code == 404 and "找不到学期" in response.json()["error"]["message_zh"]


def test_a_browser_link_downloads_with_the_hub_login_cookie(running_hub, term_plan):
    session = running_hub.login("schooladmin1")
    response = session.get(running_hub.url + API + EXPORT, params={"term": TERM},
                           headers={"Accept": "text/html,application/xhtml+xml,*/*"}, timeout=120)  # fmt: skip
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"] == XLSX and "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == ["按班级", "按导师", "说明"]


def test_the_workbench_export_button_gets_a_per_mentor_sheet_from_the_service(running_hub, store, term_plan):
    client = RecordsClient(f"{running_hub.url}{API}", running_hub.user_token("schooladmin1"))
    before = len(export_entries(running_hub, who="schooladmin1"))
    button = ExportButton(client, TERM)
    button.button.click()
    assert 'download="三个一汇总-2001-2002-1.xlsx"' in button.link.value
    assert f"data:{XLSX};base64," in button.link.value
    book = openpyxl.load_workbook(io.BytesIO(button.data))
    assert sheet_rows(book, "按导师") == term_plan["mentors"]
    assert len(export_entries(running_hub, who="schooladmin1")) == before + 1  # the button's export is audited


def test_the_button_shows_the_services_refusal(running_hub, term_plan):
    client = RecordsClient(f"{running_hub.url}{API}", running_hub.user_token("teacher8"))
    button = ExportButton(client, TERM)
    button.button.click()
    assert "导出失败" in button.link.value and "学校管理员" in button.link.value
    assert button.data is None and "data:" not in button.link.value
