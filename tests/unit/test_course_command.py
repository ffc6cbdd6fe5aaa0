"""``mentorhub course``: parser wiring and the commands that need no nbgrader run."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from hub.courses.command import register

COURSES = Path(__file__).resolve().parents[2] / "courses"


def parse(*argv):
    parser = argparse.ArgumentParser(prog="mentorhub")
    register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(list(argv))


def test_autograde_options():
    args = parse("course", "autograde", "psychology", "triage", "--jobs", "4", "--timeout", "30")
    assert (args.course, args.assignment, args.jobs, args.timeout) == ("psychology", "triage", 4, 30.0)
    assert callable(args.func)


def test_list_prints_courses_and_tiers(capsys):
    args = parse("course", "--courses-dir", str(COURSES), "list")
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "foundations" in out and "工作室主持人" in out and "合格线 70%" in out


def test_unknown_course_is_a_clear_error(tmp_path, capsys):
    args = parse("course", "--courses-dir", str(COURSES), "--state-dir", str(tmp_path), "release", "nope", "x")
    assert args.func(args) == 1
    assert "没有编号为「nope」的课程" in capsys.readouterr().err


def test_sync_roster_with_explicit_users_and_roster_file(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("username,staff_id,name,school\nteacher1,D0001,林老师,示范中学\n", encoding="utf-8")
    args = parse("course", "--courses-dir", str(COURSES), "--state-dir", str(tmp_path / "state"),
                 "sync-roster", "foundations", "--users", "teacher1,teacher2", "--roster", str(roster))
    assert args.func(args) == 0
    assert "新增 2 人" in capsys.readouterr().out


def test_a_sync_without_roster_file_keeps_the_names_the_course_knows(tmp_path, capsys):
    """The hub group knows login names only: syncing from it must not blank the gradebook's names (the
    formgrader would show teachers by login again)."""
    from hub.courses.catalog import load_catalog
    from hub.courses.pipeline import CoursePipeline

    roster = tmp_path / "roster.csv"
    roster.write_text("username,staff_id,name,school\nteacher1,D0001,林老师,示范中学\n", encoding="utf-8")
    common = ("course", "--courses-dir", str(COURSES), "--state-dir", str(tmp_path / "state"), "sync-roster",
              "foundations")
    for extra in (("--users", "teacher1", "--roster", str(roster)), ("--users", "teacher1,teacher2")):
        args = parse(*common, *extra)
        assert args.func(args) == 0
    settings = argparse.Namespace(state_dir=tmp_path / "state", courses_dir=COURSES, mode="demo")
    pipeline = CoursePipeline.from_settings(settings, load_catalog(COURSES)["foundations"])
    with pipeline.gradebook() as gb:
        assert gb.find_student("teacher1").last_name == "林老师"
        assert gb.find_student("teacher2").last_name == ""
    assert pipeline.roster()["teacher1"]["school"] == "示范中学"


@pytest.mark.parametrize("bad", ["username,name\n", "username,name,school\n,无名,一中\n"])
def test_bad_roster_file_is_refused(tmp_path, capsys, bad):
    roster = tmp_path / "roster.csv"
    roster.write_text(bad, encoding="utf-8")
    args = parse("course", "--courses-dir", str(COURSES), "--state-dir", str(tmp_path / "state"),
                 "sync-roster", "foundations", "--users", "t1", "--roster", str(roster))
    assert args.func(args) == 1
    assert "名册文件" in capsys.readouterr().err
