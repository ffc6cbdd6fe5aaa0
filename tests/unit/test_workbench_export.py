"""The school admin's 三个一 .xlsx: counts per class and per mentor, in id order, no student-level content."""

import io

import openpyxl
import pytest

from widgets.export_model import export_filename, mentor_counts, summary_xlsx

PROGRESS = {
    "term_id": "2024-2025-2",
    "students": [
        {"student_id": "b-01", "display_name": "乙同学", "class_id": "b", "home_visit": True, "talk": True,
         "growth_message": True},
        {"student_id": "a-01", "display_name": "甲同学", "class_id": "a", "home_visit": True, "talk": False,
         "growth_message": False},
    ],
    "classes": [{"class_id": "b", "students": 1, "home_visit": 1, "talk": 1, "growth_message": 1, "complete": 1},
                {"class_id": "a", "students": 1, "home_visit": 1, "talk": 0, "growth_message": 0, "complete": 0}],
}  # fmt: skip
ASSIGNMENTS = [{"student_id": "b-01", "staff_id": "t2"}, {"student_id": "a-01", "staff_id": "t2"},
               {"student_id": "a-01", "staff_id": "t1"}]  # fmt: skip


def test_mentor_counts_from_assignments_are_in_id_order():
    rows = mentor_counts(PROGRESS, ASSIGNMENTS)
    assert [r["staff_id"] for r in rows] == ["t1", "t2"]
    assert rows[1] == {"staff_id": "t2", "name": "t2", "students": 2, "home_visit": 2, "talk": 1,
                       "growth_message": 1, "complete": 1}  # fmt: skip


def test_the_services_own_mentor_block_is_used_when_present():
    progress = {**PROGRESS, "mentors": [{"staff_id": "t9", "name": "某老师", "students": 3, "home_visit": 1}]}
    assert mentor_counts(progress, ASSIGNMENTS)[0]["name"] == "某老师"


def test_the_workbook_holds_counts_only():
    book = openpyxl.load_workbook(io.BytesIO(summary_xlsx(PROGRESS, ASSIGNMENTS)))
    assert book.sheetnames == ["按班级", "按导师", "说明"]
    classes = list(book["按班级"].iter_rows(values_only=True))
    assert classes[0] == ("班级", "学生数", "家访", "谈心谈话", "成长寄语", "三项均完成")
    assert [r[0] for r in classes[1:]] == ["a", "b"]
    mentors = list(book["按导师"].iter_rows(values_only=True))
    assert mentors[0][:2] == ("导师", "结对学生数") and [r[0] for r in mentors[1:]] == ["t1", "t2"]
    cells = {str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
    assert not {"甲同学", "乙同学", "a-01", "b-01"} & cells


def test_the_about_sheet_names_school_term_dates_and_how_mentors_are_counted():
    progress = {**PROGRESS, "school_id": "dh", "school_name": "东湖初级中学", "start_date": "2025-02-17",
                "end_date": "2025-07-04", "due": {"home_visit": "2025-06-01", "talk": None},
                "mentors": [{"staff_id": "t1", "name": "某老师", "students": 1, "home_visit": 1, "talk": 0,
                             "growth_message": 0, "complete": 0}]}  # fmt: skip
    book = openpyxl.load_workbook(io.BytesIO(summary_xlsx(progress)))
    about = [row[0] for row in book["说明"].iter_rows(min_row=2, values_only=True)]
    assert "学校：东湖初级中学" in about and "学期：2024-2025-2（2025-02-17 至 2025-07-04）" in about
    assert "截止日期：家访 2025-06-01，谈心谈话 未设置，成长寄语 未设置" in about
    assert any(line.startswith("“按导师”表") for line in about)
    assert list(book["按导师"].iter_rows(min_row=2, values_only=True)) == [("某老师", 1, 1, 0, 0, 0)]


@pytest.mark.parametrize(("progress", "why"), [
    ({**PROGRESS, "mentors": []}, "该学期本校没有结对名单，此表为空。"),
    (PROGRESS, "服务未提供按导师的统计，此表为空。"),  # an older service and no assignments given
])  # fmt: skip
def test_an_empty_mentor_sheet_says_why(progress, why):
    book = openpyxl.load_workbook(io.BytesIO(summary_xlsx(progress)))
    assert list(book["按导师"].iter_rows(min_row=2, values_only=True)) == []
    assert why in [row[0] for row in book["说明"].iter_rows(values_only=True)]


def test_export_filename():
    assert export_filename("2025-2026-1") == "三个一汇总-2025-2026-1.xlsx"
    assert export_filename("2025-2026-1", "东湖/初中") == "三个一汇总-东湖_初中-2025-2026-1.xlsx"
    assert export_filename("") == "三个一汇总-当前学期.xlsx"
