"""Training results, trainer to dashboard: a grade export written by ``hub.courses.export.write_rows`` (the
trainer's own export) is imported with ``mentorhub training import`` into the records store (SQLite and
PostgreSQL), and the research dashboards show completion by school and course from it (small groups
blanked). Bad files are refused with Chinese messages naming row and column, and nothing is written."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hub.cases.training import read_results
from hub.cli import main
from hub.courses import texts as course_texts
from hub.courses.export import write_rows
from hub.store import open_store
from hub.store.models import AuditLog, TrainingResult
from hub.store.testing import SMALL_WORLD, build_small_world, new_database_url

TITLE = "全员导师制基础"
ASSIGNMENTS = ("导师职责与边界", "谈心谈话")
SCHOOL_A = sorted(s for s, (school, _) in SMALL_WORLD["staff"].items() if school == "A")  # seven teachers
SCHOOL_B = sorted(s for s, (school, _) in SMALL_WORLD["staff"].items() if school == "B")  # three: blanked
NOT_DONE = {SCHOOL_A[0]: course_texts.NOT_SUBMITTED, SCHOOL_A[1]: course_texts.PASSED_PENDING}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path_factory):
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    url, cleanup = new_database_url(request.param, tmp_path_factory.mktemp("training"), pg)
    store = open_store(url)
    build_small_world(store)
    store.add_account("district1", platform_roles=["trainer"], must_change_password=False)
    store.close()
    yield url
    cleanup()


def export_rows(title=TITLE, not_done=NOT_DONE, staff=(*SCHOOL_A, *SCHOOL_B)) -> list[dict]:
    """What ``mentorhub course export`` writes: one row per teacher and assignment."""
    rows = []
    for staff_id in staff:
        for number, assignment in enumerate(ASSIGNMENTS):
            passed = not_done.get(staff_id, course_texts.PASSED_YES) if number else course_texts.PASSED_YES
            rows.append({"staff_id": staff_id, "name": "", "school": "", "course": title, "assignment": assignment,
                         "score": 8.0, "max_score": 10.0, "passed": passed,
                         "hours": 2.0 if passed == course_texts.PASSED_YES else 0.0, "date": "2026-10-08"})  # fmt: skip
    return rows


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["training", "import", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def stored(url) -> dict[str, tuple]:
    store = open_store(url)
    with store.reading() as s:
        rows = {r.staff_id: (r.course_id, r.course_title, r.completed, r.hours) for r in s.scalars(select(TrainingResult))}
    store.close()
    return rows


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_imported_shows_on_the_dashboard(database, tmp_path, capsys, suffix):
    path = write_rows(export_rows(), tmp_path / f"grades{suffix}")
    code, out, err = run(capsys, path, "--course", "foundations", "--db", database)
    assert code == 0, err
    assert "10 名教师" in out and "8 名已完成" in out
    results = stored(database)
    assert results[SCHOOL_A[2]] == ("foundations", TITLE, True, 4.0)
    assert results[SCHOOL_A[0]] == ("foundations", TITLE, False, 2.0)  # second assignment not submitted
    assert results[SCHOOL_A[1]][2] is False  # still waiting for a manual grade: not completed yet

    store = open_store(database)
    board = store.find_dashboards(store.actor_for("district1"))
    training = {row["school"]: row for row in board["tables"]["training"]}
    assert training["甲校"]["teachers"] == 7 and training["甲校"]["completed"] == pytest.approx(5 / 7)
    assert training["乙校"]["suppressed"] is True and training["乙校"]["completed"] is None
    assert board["charts"]["training"] == [{"course": TITLE, "teachers": 10.0, "completed": 0.8, "suppressed": False}]
    assert not any(staff in json.dumps(board) for staff in (*SCHOOL_A, *SCHOOL_B))  # no teacher is named
    school_board = store.find_dashboards(store.actor_for("adm_b"))
    assert [row["school"] for row in school_board["tables"]["training"]] == ["乙校"]
    with store.reading() as s:
        assert s.scalars(select(AuditLog).where(AuditLog.action == "training.import")).first() is not None
    store.close()


def test_a_new_import_replaces_the_course(database, tmp_path, capsys):
    path = write_rows(export_rows(), tmp_path / "grades.csv")
    assert run(capsys, path, "--course", "foundations", "--db", database)[0] == 0
    fewer = write_rows(export_rows(not_done={}, staff=SCHOOL_A[:5]), tmp_path / "again.csv")
    assert run(capsys, fewer, "--course", "foundations", "--db", database)[0] == 0
    results = stored(database)
    assert sorted(results) == SCHOOL_A[:5] and all(r[2] for r in results.values())


@pytest.mark.parametrize(("change", "expected"), [
    (lambda rows: rows[3].update(passed="通过"), "第 5 行「是否合格」：「通过」不是有效的结果"),
    (lambda rows: rows[0].update(hours="两小时"), "第 2 行「学时」：「两小时」不是有效的学时"),
    (lambda rows: rows[1].update(hours=-1), "第 3 行「学时」"),
    (lambda rows: rows[6].update(course="心理健康"), "第 8 行「课程」：课程「心理健康」与第一行的课程「全员导师制基础」不同"),
    (lambda rows: rows[2].update(staff_id=""), "第 4 行「工号」：不能为空"),
    (lambda rows: rows[9].update(staff_id="nobody"), "第 11 行「工号」：工号「nobody」不在教职工名册中"),
])  # fmt: skip
def test_a_bad_row_is_named_and_nothing_is_written(database, tmp_path, capsys, change, expected):
    good = write_rows(export_rows(), tmp_path / "good.csv")
    assert run(capsys, good, "--course", "foundations", "--db", database)[0] == 0
    before = stored(database)
    rows = export_rows(not_done={})
    change(rows)
    bad = write_rows(rows, tmp_path / "bad.csv")
    code, out, err = run(capsys, bad, "--course", "foundations", "--db", database)
    assert code == 1 and expected in err and "没有写入任何数据" in err
    assert stored(database) == before


def test_files_that_are_not_an_export_are_refused(database, tmp_path, capsys):
    other = tmp_path / "list.csv"
    other.write_text("姓名,学校\n张老师,甲校\n", encoding="utf-8")
    code, _, err = run(capsys, other, "--course", "foundations", "--db", database)
    assert code == 1 and "缺少列：工号、课程、是否合格、学时" in err
    text = tmp_path / "grades.txt"
    text.write_text("x", encoding="utf-8")
    assert "不支持的文件格式「.txt」" in run(capsys, text, "--course", "foundations", "--db", database)[2]
    good = write_rows(export_rows(), tmp_path / "good.csv")
    assert "课程编号「../x」无效" in run(capsys, good, "--course", "../x", "--db", database)[2]


def test_completion_is_every_assignment_passed_and_hours_add_up(tmp_path):
    title, results = read_results(write_rows(export_rows(), tmp_path / "grades.xlsx"))
    assert title == TITLE and len(results) == 10
    by_staff = {r.staff_id: r for r in results}
    assert [by_staff[s].completed for s in SCHOOL_A[:3]] == [False, False, True]
    assert by_staff[SCHOOL_A[2]].hours == 4.0 and by_staff[SCHOOL_A[0]].row == 2


def test_the_dashboard_page_shows_a_training_tab(database, tmp_path, capsys):
    from widgets.dashboards import DashboardApp

    assert run(capsys, write_rows(export_rows(), tmp_path / "grades.csv"), "--course", "foundations",
               "--db", database)[0] == 0  # fmt: skip
    store = open_store(database)
    board = json.loads(json.dumps(store.find_dashboards(store.actor_for("district1"))))  # as sent over HTTP
    store.close()
    client = type("Client", (), {"dashboards": lambda self, term: board})()  # GET dashboards, answered
    app = DashboardApp.from_client(client)
    position = app.keys.index("training")
    assert app.tabs.titles[position] == "培训完成率（按学校、课程）"
    table = app.tabs.children[position].children[0].value
    assert "甲校" in table and "71%" in table and "&lt;5" in table
    app.tabs.selected_index = position
    assert bytes(app.images["training"].value).startswith(b"\x89PNG")
