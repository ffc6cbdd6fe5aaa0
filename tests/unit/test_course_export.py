"""Pass/fail and credit hours per submission, and the export files (Chinese headers, no ranking)."""

from __future__ import annotations

import csv
from datetime import datetime

import pandas as pd
import pytest

from hub.courses import texts
from hub.courses.catalog import Assignment
from hub.courses.errors import Invalid
from hub.courses.export import assignment_result, local_date, write_rows

A = Assignment("a", "作业", "新任导师", credit_hours=3, pass_ratio=0.6)


@pytest.mark.parametrize(("score", "needs", "expected"), [
    (None, False, (texts.NOT_SUBMITTED, 0.0)),
    (12.0, True, (texts.PASSED_PENDING, 0.0)),
    (12.0, False, (texts.PASSED_YES, 3.0)),
    (11.99, False, (texts.PASSED_NO, 0.0)),
    (20.0, False, (texts.PASSED_YES, 3.0)),
])
def test_assignment_result(score, needs, expected):
    assert assignment_result(A, score, 20.0, needs) == expected


def test_local_date_converts_nbgrader_utc_to_shanghai():
    assert local_date(datetime(2025, 3, 1, 17, 30)) == "2025-03-02"
    assert local_date(None) == ""


ROWS = [
    {"staff_id": "D2", "name": "乙", "school": "二中", "course": "课", "assignment": "作业", "score": 5.0,
     "max_score": 10.0, "passed": texts.PASSED_NO, "hours": 0.0, "date": "2025-03-02"},
    {"staff_id": "D1", "name": "甲", "school": "一中", "course": "课", "assignment": "作业", "score": 9.0,
     "max_score": 10.0, "passed": texts.PASSED_YES, "hours": 2.0, "date": "2025-03-02"},
]


def test_csv_and_xlsx_keep_row_order_and_chinese_headers(tmp_path):
    csv_path = write_rows(ROWS, tmp_path / "g.csv")
    with csv_path.open(encoding="utf-8-sig") as handle:
        table = list(csv.reader(handle))
    assert table[0] == list(texts.EXPORT_COLUMNS.values())
    assert [r[0] for r in table[1:]] == ["D2", "D1"]
    sheet = pd.read_excel(write_rows(ROWS, tmp_path / "g.xlsx"))
    assert list(sheet[texts.EXPORT_COLUMNS["hours"]]) == [0.0, 2.0]
    assert not any("排名" in h or "rank" in h.lower() for h in texts.EXPORT_COLUMNS.values())


def test_unknown_format_is_refused_and_nothing_written(tmp_path):
    with pytest.raises(Invalid, match=".pdf"):
        write_rows(ROWS, tmp_path / "g.pdf")
    assert list(tmp_path.iterdir()) == []
