"""The matching panel, driven headless: set .value on uploads and inputs, click buttons."""

from __future__ import annotations

import csv
import datetime
import re

import pytest
from openpyxl import Workbook

from hub.matching import AdjustmentRefused, MatchingError
from widgets.matching_model import MatchingModel
from widgets.matching_panel import MatchingPanel

STUDENTS = (
    "student_id,class_id,needs_mentors,prefs\n"
    "s1,c1,,T1;T2\n"
    "s2,c1,,T1\n"
    "s3,c2,2,T2\n"
    "s4,c2,,T3\n"
    "<b>s5</b>,c2,,\n"
)
MENTORS = (
    "mentor_id,roles,capacity,classes,prefs\n"
    "T1,subject,1,c1,s2\n"
    "T2,head_teacher,,c2,\n"
    "T3,psychology,2,c1,\n"
)


def upload(name: str, content: bytes):
    return (
        {
            "name": name,
            "type": "text/csv",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime.datetime(2026, 9, 1),
        },
    )


def cells(html_table: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", html_table)
    return [re.findall(r"<t[dh]>(.*?)</t[dh]>", row) for row in rows]


@pytest.fixture
def panel() -> MatchingPanel:
    panel = MatchingPanel()
    panel.upload_students.value = upload("students.csv", STUDENTS.encode())
    panel.upload_mentors.value = upload("mentors.csv", MENTORS.encode())
    return panel


def test_summary_run_and_results(panel):
    assert "学生 5 名" in panel.summary.value and "导师 3 位" in panel.summary.value
    assert "多位导师的 1 名" in panel.summary.value
    assert not panel.run_button.disabled
    panel.run_button.click()
    assert "匹配完成" in panel.message.value and "核验通过" in panel.message.value
    table = cells(panel.results.value)
    assert table[0] == ["学生编号", "班级", "主导师", "志愿", "其他导师（多对一）"]
    by_student = {row[0]: row for row in table[1:]}
    assert by_student["s2"][2:4] == ["T1", "第1志愿"]
    assert by_student["s1"][2:4] == ["T2", "第2志愿"]
    assert by_student["s3"][3:] == ["志愿外", "T2"]
    # Listed by class, then student_id; nothing score-like.
    order = [(row[1], row[0]) for row in table[1:]]
    assert order == sorted(order)
    # Data from the tables is escaped.
    assert "&lt;b&gt;s5&lt;/b&gt;" in panel.results.value and "<b>s5" not in panel.results.value
    loads = {row[0]: row for row in cells(panel.loads.value)[1:]}
    assert loads["T1"] == ["T1", "学科教师", "1", "1"]

    panel.class_filter.value = "c1"
    assert {row[1] for row in cells(panel.results.value)[1:]} == {"c1"}


def test_bad_table_is_reported_with_file_row_and_column():
    panel = MatchingPanel()
    panel.upload_students.value = upload("students.csv", STUDENTS.replace("s2,c1,,T1", "s2,c1,,T9").encode())
    panel.upload_mentors.value = upload("mentors.csv", MENTORS.encode())
    assert "students.csv" in panel.message.value and "第 3 行" in panel.message.value
    assert "T9" in panel.message.value
    assert panel.run_button.disabled

    panel.upload_mentors.value = upload("mentors.csv", MENTORS.replace("T3,psychology,2", "T3,psychology,x").encode())
    assert "mentors.csv" in panel.message.value and "“capacity”列" in panel.message.value


def test_refused_reassignment_explains_and_changes_nothing(panel):
    panel.run_button.click()
    before = panel.model.assignment
    panel.student.value = "s4"
    panel.new_mentor.value = "T1"  # T1 is full (capacity 1)
    panel.reassign_button.click()
    assert "调整未执行" in panel.message.value and "超过其容量 1" in panel.message.value
    assert panel.model.assignment is before

    panel.student.value = "nobody"
    panel.reassign_button.click()
    assert "学生编号“nobody”不存在" in panel.message.value


def test_accepted_reassignment_and_swap_update_the_table(panel):
    panel.run_button.click()
    panel.student.value = "s4"
    panel.new_mentor.value = "T2"
    panel.reassign_button.click()
    assert "已调整" in panel.message.value and "“T3”改为“T2”" in panel.message.value
    # s4 listed T3 and T3 still has room: the edit creates a blocking pair, and the panel says so.
    assert "不再稳定" in panel.message.value
    rows = {row[0]: row for row in cells(panel.results.value)[1:]}
    assert rows["s4"][2:4] == ["T2", "志愿外"]

    panel.swap_first.value = "s1"
    panel.swap_second.value = "s2"
    panel.swap_button.click()
    assert "互换" in panel.message.value
    rows = {row[0]: row for row in cells(panel.results.value)[1:]}
    assert rows["s1"][2:4] == ["T1", "第1志愿"] and rows["s2"][2:4] == ["T2", "志愿外"]


def test_model_refuses_priority_role_loss():
    students = "student_id,class_id,needs_mentors,prefs\nx,c1,2,\n"
    mentors = "mentor_id,roles,capacity,classes,prefs\nH,head_teacher,,c1,\nA,subject,,,\nB,subject,,,\n"
    model = MatchingModel()
    model.load_students("s.csv", students.encode())
    model.load_mentors("m.csv", mentors.encode())
    model.run()
    x = model.instance.student_index["x"]
    assert model.instance.mentor_ids[model.assignment.additional[x][0]] == "H"
    with pytest.raises(AdjustmentRefused, match="班主任"):
        model.reassign("x", "B", "H")
    with pytest.raises(AdjustmentRefused, match="不存在"):
        model.reassign("nobody", "B")


def test_save_to_file(panel, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    panel.save_file_button.click()
    assert "请先完成匹配" in panel.message.value
    panel.run_button.click()
    panel.file_name.value = "结对.csv"
    panel.save_file_button.click()
    assert "已保存 6 行" in panel.message.value
    with open(tmp_path / "结对.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sum(r["kind"] == "primary" for r in rows) == 5
    panel.file_name.value = "结对.txt"
    panel.save_file_button.click()
    assert ".csv 或 .xlsx" in panel.message.value
    panel.save_store_button.click()
    assert "没有连接" in panel.message.value


class RecordsClientStandIn:
    """Stands in for widgets.client.RecordsClient (an HTTP client to the records service)."""

    def __init__(self):
        self.saved = []

    def students(self):
        return [
            {"student_id": "s1", "class_id": "c1", "needs_mentors": None, "prefs": ["T1"]},
            {"student_id": "s2", "class_id": "c1", "needs_mentors": 1, "preferred_mentor_choices": "T1;T2"},
        ]

    def staff(self):
        return [
            {"staff_id": "T1", "roles": ["班主任"], "max_mentees": 1, "classes": ["c1"], "prefs": []},
            {"staff_id": "T2", "roles": "subject", "max_mentees": None},
        ]

    def save_assignments(self, term, rows):
        self.saved.append((term, rows))


def test_from_client_reads_the_store_and_saves_back():
    client = RecordsClientStandIn()
    panel = MatchingPanel.from_client(client)
    assert "2 名学生、2 位导师" in panel.message.value
    panel.run_button.click()
    panel.save_store_button.click()
    assert "请填写学期" in panel.message.value
    panel.term.value = "2026-2027-1"
    panel.save_store_button.click()
    assert "保存到导师平台" in panel.message.value
    ((term, rows),) = client.saved
    assert term == "2026-2027-1"
    assert sorted(tuple(r.values()) for r in rows) == [
        ("s1", "T1", "primary", "学生志愿"),
        ("s2", "T2", "primary", "学生志愿"),
    ]


def test_client_without_the_method_gives_a_clear_message():
    with pytest.raises(MatchingError, match="students"):
        MatchingModel.from_client(object())


def test_workbook_upload_and_capacity_default(tmp_path):
    book = Workbook()
    book.active.title = "students"
    for line in STUDENTS.strip().splitlines():
        book["students"].append(line.split(","))
    book.create_sheet("mentors")
    for line in MENTORS.strip().splitlines():
        book["mentors"].append(line.split(","))
    book.save(tmp_path / "school.xlsx")
    panel = MatchingPanel()
    panel.upload_workbook.value = upload("school.xlsx", (tmp_path / "school.xlsx").read_bytes())
    assert "容量合计 18" in panel.summary.value  # T2's blank capacity takes the default 15
    panel.capacity.value = 10
    assert "容量合计 13" in panel.summary.value
    panel.run_button.click()
    assert "匹配完成" in panel.message.value
