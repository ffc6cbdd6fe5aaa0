"""Roster import: a good file, an idempotent re-import, and a table of bad files each refused whole."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from hub.roster import RosterRefused, check_roster, import_roster_file
from hub.store.testing import new_database_url

GOOD = {
    "schools": [{"school_id": "s1", "name": "甲区第一中学"}, {"school_id": "s2", "name": "甲区实验小学"}],
    "classes": [
        {"class_id": "c701", "school_id": "s1", "grade": "7", "head_teacher_id": "t_wang", "name": "七(1)班"},
        {"class_id": "c401", "school_id": "s2", "grade": "4", "head_teacher_id": "t_li", "name": "四(1)班"},
    ],
    "staff": [
        {"staff_id": "t_wang", "name": "王老师", "school_id": "s1", "roles": "subject;head_teacher", "classes": "c701"},
        {"staff_id": "t_zhao", "name": "赵老师", "school_id": "s1", "roles": "心理教师", "classes": ""},
        {"staff_id": "t_li", "name": "李老师", "school_id": "s2", "roles": "班主任、学科教师", "classes": "c401"},
    ],
    "students": [
        {"student_id": "p001", "name": "学生甲", "school_id": "s1", "class_id": "c701", "needs_mentors": "1"},
        {"student_id": "p002", "name": "学生乙", "school_id": "s1", "class_id": "c701", "needs_mentors": "2"},
        {"student_id": "p003", "name": "学生丙", "school_id": "s2", "class_id": "c401", "needs_mentors": ""},
    ],
}  # fmt: skip


def write_csv_folder(folder: Path, sheets: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, rows in sheets.items():
        pd.DataFrame(rows).to_csv(folder / f"{sheet}.csv", index=False)
    return folder


def write_xlsx(path: Path, sheets: dict) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for sheet, rows in sheets.items():
            pd.DataFrame(rows).to_excel(writer, sheet_name=sheet, index=False)
    return path


@pytest.fixture
def store(empty_store):
    return empty_store


def snapshot(store):
    return ([s.to_dict() for s in store.find_schools()], [c.to_dict() for c in store.find_classes()],
            [s.to_dict() for s in store.find_staff_members()], [s.to_dict() for s in store.find_students_in()],
            [a.username for a in store.find_accounts()])  # fmt: skip


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_good_import_then_idempotent_reimport(store, tmp_path, form):
    path = write_csv_folder(tmp_path / "roster", GOOD) if form == "csv" else write_xlsx(tmp_path / "r.xlsx", GOOD)
    first = import_roster_file(store, path)
    assert first["students"] == {"created": 3, "updated": 0, "unchanged": 0}
    assert first["staff"]["created"] == 3
    after_first = snapshot(store)
    assert store.find_staff("t_li").to_dict()["roles"] == ["head_teacher", "subject"]
    assert store.find_staff("t_zhao").to_dict()["roles"] == ["psychology"]
    assert {s.student_id: s.needs_mentors for s in store.find_students_in()} == {"p001": 1, "p002": 2, "p003": 1}
    assert store.find_account("t_wang")["must_change_password"] is True
    second = import_roster_file(store, path)
    assert all(c["created"] == c["updated"] == 0 for c in second.values())
    assert snapshot(store) == after_first


def test_changed_row_is_counted_as_updated(store, tmp_path):
    import_roster_file(store, write_csv_folder(tmp_path / "a", GOOD))
    changed = {**GOOD, "students": [{**GOOD["students"][0], "name": "学生甲改"}] + GOOD["students"][1:]}
    counts = import_roster_file(store, write_csv_folder(tmp_path / "b", changed))
    assert counts["students"] == {"created": 0, "updated": 1, "unchanged": 2}


def with_rows(sheet, rows):
    return {**GOOD, sheet: rows}


BAD_TABLES = [
    # (name, sheets, expected (sheet, row, column) among the problems)
    ("missing sheet", {k: v for k, v in GOOD.items() if k != "classes"}, ("classes", "-", "-")),
    ("missing column", with_rows("students", [{k: v for k, v in r.items() if k != "class_id"}
                                              for r in GOOD["students"]]), ("students", 1, "class_id")),
    ("duplicate student id", with_rows("students", GOOD["students"] + [GOOD["students"][0]]),
     ("students", 5, "student_id")),
    ("duplicate staff id", with_rows("staff", GOOD["staff"] + [GOOD["staff"][1]]), ("staff", 5, "staff_id")),
    ("unknown school", with_rows("students", GOOD["students"][:2] + [{**GOOD["students"][2], "school_id": "s9"}]),
     ("students", 4, "school_id")),
    ("unknown class", with_rows("students", [{**GOOD["students"][0], "class_id": "c999"}] + GOOD["students"][1:]),
     ("students", 2, "class_id")),
    ("head teacher not staff", with_rows("classes", [GOOD["classes"][0], {**GOOD["classes"][1],
                                                                           "head_teacher_id": "t_nobody"}]),
     ("classes", 3, "head_teacher_id")),
    ("bad role", with_rows("staff", [{**GOOD["staff"][0], "roles": "校长"}] + GOOD["staff"][1:]),
     ("staff", 2, "roles")),
    ("bad grade", with_rows("classes", [{**GOOD["classes"][0], "grade": "七"}, GOOD["classes"][1]]),
     ("classes", 2, "grade")),
    ("empty sheet", with_rows("schools", []), ("schools", "-", "-")),
]  # fmt: skip


@pytest.mark.parametrize("name, sheets, where", BAD_TABLES, ids=[row[0] for row in BAD_TABLES])
def test_bad_rosters_are_refused_whole(store, tmp_path, name, sheets, where):
    folder = tmp_path / "bad"
    write_csv_folder(folder, sheets)
    if name == "empty sheet":
        (folder / "schools.csv").write_text("", encoding="utf-8")
    before = snapshot(store)
    with pytest.raises(RosterRefused) as info:
        import_roster_file(store, folder)
    found = {(p.sheet, p.row, p.column) for p in info.value.problems}
    assert where in found, info.value.problems
    assert all(p.message for p in info.value.problems)
    assert snapshot(store) == before


def test_non_utf8_csv_names_the_row(store, tmp_path):
    folder = write_csv_folder(tmp_path / "gbk", GOOD)
    rows = "student_id,name,school_id,class_id,needs_mentors\np001,学生甲,s1,c701,1\np002,学生乙,s1,c701,1\n"
    (folder / "students.csv").write_bytes(rows.encode("gbk"))
    with pytest.raises(RosterRefused) as info:
        import_roster_file(store, folder)
    problem = info.value.problems[0]
    assert (problem.sheet, problem.row) == ("students", 2) and "UTF-8" in problem.message
    assert store.find_students_in() == []


@pytest.mark.parametrize("content", [b"", os.urandom(10 * 1024 * 1024)], ids=["empty file", "10 MB junk"])
def test_empty_or_junk_workbook_is_refused(store, tmp_path, content):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(content)
    with pytest.raises(RosterRefused) as info:
        import_roster_file(store, path)
    assert info.value.problems and info.value.problems[0].row == "-"
    assert store.find_schools() == []


def test_all_problems_are_collected_not_only_the_first():
    sheets = {sheet: [{**row, "_row": i + 2} for i, row in enumerate(rows)] for sheet, rows in GOOD.items()}
    sheets["students"][0]["class_id"] = "nope"
    sheets["students"][1]["needs_mentors"] = "many"
    sheets["staff"][0]["staff_id"] = "Bad Name"
    _, problems = check_roster(sheets)
    assert {(p.sheet, p.column) for p in problems} >= {("students", "class_id"), ("students", "needs_mentors"),
                                                        ("staff", "staff_id")}  # fmt: skip


def test_command_line_import(tmp_path):
    url, _ = new_database_url("sqlite", tmp_path)
    folder = write_csv_folder(tmp_path / "roster", GOOD)
    run = [sys.executable, "-m", "hub.cli", "roster", "import", str(folder), "--db", url]
    env = {k: v for k, v in os.environ.items() if k != "JUPYTERHUB_API_URL"}
    done = subprocess.run(run, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert "新增 3" in done.stdout
    bad = write_csv_folder(tmp_path / "bad", with_rows("staff", [{**GOOD["staff"][0], "roles": "校长"}] + GOOD["staff"][1:]))
    refused = subprocess.run([*run[:5], str(bad), "--db", url], capture_output=True, text=True, timeout=120, env=env)
    assert refused.returncode == 1 and "校长" in refused.stdout


def staff_row(staff_id: str) -> dict:
    return {**GOOD["staff"][1], "staff_id": staff_id, "name": "李明"}


def test_two_login_names_that_share_a_unix_account_are_refused_row_by_row(store, tmp_path):
    """`li.ming` and `li_ming` both become the server-mode account `mh-li-ming`: one would read the other's
    home and token. The second row is named, with the first, in Chinese; nothing is written."""
    sheets = with_rows("staff", GOOD["staff"] + [staff_row("li.ming"), staff_row("t_x"), staff_row("li_ming")])
    before = snapshot(store)
    with pytest.raises(RosterRefused) as info:
        import_roster_file(store, write_csv_folder(tmp_path / "clash", sheets))
    (problem,) = info.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("staff", 7, "staff_id")
    assert "li_ming" in problem.message and "li.ming" in problem.message and "第 5 行" in problem.message
    assert "同一个服务器账号" in problem.message
    assert snapshot(store) == before


def test_a_login_name_sharing_the_account_of_one_already_imported_is_refused(store, tmp_path):
    import_roster_file(store, write_csv_folder(tmp_path / "first", with_rows("staff", GOOD["staff"] + [
        staff_row("li.ming")])))
    before = snapshot(store)
    second = with_rows("staff", GOOD["staff"] + [staff_row("li.ming"), staff_row("li-ming")])
    with pytest.raises(RosterRefused) as info:
        import_roster_file(store, write_csv_folder(tmp_path / "second", second))
    assert [(p.row, p.column) for p in info.value.problems] == [(6, "staff_id")]
    # and without li.ming in the file: named as the existing account
    third = with_rows("staff", GOOD["staff"] + [staff_row("li-ming")])
    with pytest.raises(RosterRefused) as info:
        import_roster_file(store, write_csv_folder(tmp_path / "third", third))
    (problem,) = info.value.problems
    assert problem.row == 5 and "已有账号“li.ming”" in problem.message
    assert snapshot(store) == before
    import_roster_file(store, write_csv_folder(tmp_path / "again", with_rows("staff", GOOD["staff"] + [
        staff_row("li.ming")])))  # the same name again is no clash
