"""Reading tables (CSV, XLSX, Excel's GBK CSV) and writing outputs atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from hub.matching import InputError
from hub.matching.io import (
    assignment_writer,
    json_writer,
    load_instance,
    read_mentors,
    read_students,
    write_outputs,
)

STUDENTS = "student_id,class_id,needs_mentors,prefs\ns1,c1,,T1;T2\ns2,c1,2,T2\ns3,c2,1,\n"
MENTORS = "mentor_id,roles,capacity,classes,prefs\nT1,subject,,c1,s2\nT2,head_teacher;leader,3,c1;c2,\nT3,,2,,\n"


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_text(text, encoding=encoding)
    return path


def problems(error: InputError):
    return {(p.file, p.row, p.column) for p in error.problems}


def test_reads_csv_with_blank_defaults(tmp_path):
    students = read_students(write(tmp_path, "students.csv", STUDENTS))
    mentors = read_mentors(write(tmp_path, "mentors.csv", MENTORS), default_capacity=12)
    assert [(s.student_id, s.needs_mentors, s.prefs, s.row) for s in students] == [
        ("s1", 1, ("T1", "T2"), 2),
        ("s2", 2, ("T2",), 3),
        ("s3", 1, (), 4),
    ]
    assert [(m.mentor_id, m.capacity, m.classes) for m in mentors] == [
        ("T1", 12, ("c1",)),
        ("T2", 3, ("c1", "c2")),
        ("T3", 2, ()),
    ]
    assert mentors[1].roles == {"head_teacher", "leader"}


def test_excel_habits_are_accepted(tmp_path):
    # BOM, GBK encoding, full-width separators, spaces, Chinese role names, blank trailing lines.
    students = "student_id,class_id,needs_mentors,prefs\n 学生1 ,一班,2.0,T1； T2\n,,,\n"
    mentors = "mentor_id,roles,capacity,classes,prefs\nT1,班主任;心理教师,15,一班,\nT2,学科教师,,,\n"
    instance = load_instance(write(tmp_path, "s.csv", students, "gb18030"), write(tmp_path, "m.csv", "\ufeff" + mentors))
    assert instance.student_ids == ["学生1"]
    assert instance.needs == [2]
    assert instance.mentor_roles[0] == {"head_teacher", "psychology"}
    assert instance.student_prefs == [[0, 1]]


def test_reads_both_sheets_of_one_workbook(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "students"
    for line in STUDENTS.strip().splitlines():
        sheet.append([int(c) if c.isdigit() else (c or None) for c in line.split(",")])
    sheet = book.create_sheet("mentors")
    for line in MENTORS.strip().splitlines():
        sheet.append([int(c) if c.isdigit() else (c or None) for c in line.split(",")])
    path = tmp_path / "school.xlsx"
    book.save(path)
    from_xlsx = load_instance(path, path)
    from_csv = load_instance(write(tmp_path, "s.csv", STUDENTS), write(tmp_path, "m.csv", MENTORS))
    assert from_xlsx.student_ids == from_csv.student_ids
    assert from_xlsx.student_prefs == from_csv.student_prefs
    assert from_xlsx.capacity == from_csv.capacity
    assert from_xlsx.mentor_roles == from_csv.mentor_roles


def test_missing_sheet_is_named(tmp_path):
    book = Workbook()
    book.active.title = "students"
    book.create_sheet("other")
    path = tmp_path / "school.xlsx"
    book.save(path)
    with pytest.raises(InputError, match="mentors"):
        read_mentors(path)


@pytest.mark.parametrize(
    ("students", "mentors", "where", "words"),
    [
        ("student_id,class_id,prefs\ns1,c1,T1\n", MENTORS, ("students.csv", 1, "needs_mentors"), "缺少"),
        ("student_id,class_id,needs_mentors,prefs\ns1,c1,x,T1\n", MENTORS, ("students.csv", 2, "needs_mentors"), "整数"),
        ("student_id,class_id,needs_mentors,prefs\ns1,c1,0,T1\n", MENTORS, ("students.csv", 2, "needs_mentors"), "至少"),
        ("student_id,class_id,needs_mentors,prefs\ns1,c1,1,T9\n", MENTORS, ("students.csv", 2, "prefs"), "T9"),
        ("student_id,class_id,needs_mentors,prefs\ns1,c1,1,\ns1,c2,1,\n", MENTORS, ("students.csv", 3, "student_id"), "重复"),
        (STUDENTS, MENTORS.replace("T3,,2", "T3,,16"), ("mentors.csv", 4, "capacity"), "15"),
        (STUDENTS, MENTORS.replace("T3,,2", "T1,,2"), ("mentors.csv", 4, "mentor_id"), "第 2 行"),
        (STUDENTS, MENTORS.replace("c1,s2", "c1,s9"), ("mentors.csv", 2, "prefs"), "s9"),
        (STUDENTS, "mentor_id,capacity,classes,prefs\nT1,1,,\n", ("mentors.csv", 1, "roles"), "缺少"),
    ],
)
def test_bad_input_names_file_row_and_column(tmp_path, students, mentors, where, words):
    with pytest.raises(InputError) as caught:
        load_instance(write(tmp_path, "students.csv", students), write(tmp_path, "mentors.csv", mentors))
    assert where in problems(caught.value)
    assert words in str(caught.value)


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(InputError, match=".txt"):
        read_students(write(tmp_path, "s.txt", STUDENTS))
    with pytest.raises(InputError, match="找不到"):
        read_students(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="无法读取"):
        read_students(write(tmp_path, "fake.xlsx", "not a workbook"))


def test_outputs_are_all_or_nothing(tmp_path):
    out, report = tmp_path / "a.csv", tmp_path / "r.json"
    out.write_text("old\n")

    def broken(handle):
        handle.write(b"partial")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_outputs([(out, assignment_writer(out, [("s1", "T1", "primary")])), (report, broken)])
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]

    write_outputs([(out, assignment_writer(out, [("s1", "T1", "primary")])), (report, json_writer({"学生": 1}))])
    assert out.read_text(encoding="utf-8-sig").splitlines() == ["student_id,mentor_id,kind", "s1,T1,primary"]
    assert json.loads(report.read_text(encoding="utf-8")) == {"学生": 1}
