"""Full cycle per course with three synthetic teachers (strong, weak, blank), through the real nbgrader:
generate → release → fetch → submit → collect → autograde → manual grade (gradebook API) → feedback →
export. Teachers act through nbgrader's exchange classes with ``CourseDirectory.student_id`` set, as their
servers do; the exchange is a temporary folder.
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeFetchFeedback, ExchangeSubmit

from hub.courses import texts
from hub.courses.export import write_rows
from hub.courses.pipeline import CoursePipeline
from hub.courses.roster import RosterEntry
from tests.nbgrader.course_notebooks import (
    autograded_points,
    manual_points,
    model_answers,
    run_as_teacher,
    with_answers,
)

pytestmark = pytest.mark.nbgrader

TEACHERS = {
    "t-strong": RosterEntry("t-strong", "D1001", "林晓", "示范第一中学"),
    "t-weak": RosterEntry("t-weak", "D1002", "陈默", "示范第二中学"),
    "t-blank": RosterEntry("t-blank", "D1003", "赵一", "示范小学"),
}


def answers_for(teacher, source_nb, planted_answers):
    if teacher == "t-blank":
        return {}
    answers = model_answers(source_nb)
    if teacher == "t-weak":
        answers.update(planted_answers)
    return answers


@pytest.mark.parametrize("course_id", ["foundations", "psychology", "family-guidance"])
def test_full_cycle(course_id, catalog, planted, tmp_path):
    course = catalog[course_id]
    exchange = tmp_path / "exchange"
    pipeline = CoursePipeline(course, tmp_path / "course", exchange, cell_timeout=30)
    pipeline.prepare()
    assert pipeline.sync_roster(list(TEACHERS.values())) == {"added": 3, "updated": 0, "total": 3}
    expected = {}

    for assignment in course.assignments:
        aid = assignment.assignment_id
        pipeline.release(aid)
        sources = {p.name: nbformat.read(p, as_version=4) for p in (course.source_dir / aid).glob("*.ipynb")}
        auto_total = sum(sum(autograded_points(nb).values()) for nb in sources.values())
        manual_total = sum(sum(manual_points(nb).values()) for nb in sources.values())
        lost = sum(autograded_points(nb).get(g, 0) for nb in sources.values()
                   for g in planted[course_id][aid]["fails"])

        for teacher in TEACHERS:
            home = tmp_path / "home" / teacher
            run_as_teacher(ExchangeFetchAssignment, teacher, course_id, aid, exchange, home)
            folder = home / course_id / aid
            for name, source in sources.items():
                fetched = nbformat.read(folder / name, as_version=4)
                answers = answers_for(teacher, source, planted[course_id][aid]["answers"])
                nbformat.write(with_answers(fetched, answers), str(folder / name))
            run_as_teacher(ExchangeSubmit, teacher, course_id, aid, exchange, home)

        assert pipeline.collect(aid) == sorted(TEACHERS)
        outcomes = pipeline.autograde(aid, jobs=2, timeout=120)
        assert [o.ok for o in outcomes] == [True, True, True], [o.to_dict() for o in outcomes]

        manual = {"t-strong": 1.0, "t-weak": 0.5, "t-blank": 0.0}
        with pipeline.gradebook() as gb:
            for teacher, share in manual.items():
                for name, nb in sources.items():
                    for gid, points in manual_points(nb).items():
                        grade = gb.find_grade(gid, Path(name).stem, aid, teacher)
                        grade.manual_score = points * share
                        grade.needs_manual_grade = False
            gb.db.commit()

        pipeline.feedback(aid)
        for teacher in TEACHERS:
            home = tmp_path / "home" / teacher
            run_as_teacher(ExchangeFetchFeedback, teacher, course_id, aid, exchange, home)
            pages = list((home / course_id / aid / "feedback").rglob("*.html"))
            assert len(pages) == len(sources), f"{teacher} should receive exactly their own feedback for {aid}"
            for page in pages:
                html = page.read_text(encoding="utf-8")
                assert "BEGIN HIDDEN TESTS" not in html and "_文" not in html and "AssertionError" not in html
                if teacher == "t-blank":
                    assert texts.FEEDBACK_HINT_PREFIX in html

        scores = {
            "t-strong": auto_total + manual_total,
            "t-weak": auto_total - lost + manual_total * 0.5,
            "t-blank": 0.0,
        }
        for teacher, score in scores.items():
            maximum = auto_total + manual_total
            passed = score >= assignment.pass_ratio * maximum
            expected[(TEACHERS[teacher].staff_id, assignment.title)] = (
                round(score, 2), maximum, texts.PASSED_YES if passed else texts.PASSED_NO,
                assignment.credit_hours if passed else 0.0)

    rows = pipeline.export_rows()
    got = {(r["staff_id"], r["assignment"]): (r["score"], r["max_score"], r["passed"], r["hours"]) for r in rows}
    assert got == expected
    assert {r["school"] for r in rows} == {t.school for t in TEACHERS.values()}
    assert all(r["course"] == course.title and r["date"] for r in rows)
    strong_hours = sum(r["hours"] for r in rows if r["staff_id"] == "D1001")
    assert strong_hours == sum(a.credit_hours for a in course.assignments)
    assert sum(r["hours"] for r in rows if r["staff_id"] == "D1003") == 0

    csv_path = write_rows(rows, tmp_path / "out" / "grades.csv")
    xlsx_path = write_rows(rows, tmp_path / "out" / "grades.xlsx")
    with csv_path.open(encoding="utf-8-sig") as handle:
        table = list(csv.DictReader(handle))
    headers = texts.EXPORT_COLUMNS
    assert list(table[0]) == list(headers.values())
    assert [(r[headers["staff_id"]], float(r[headers["score"]]), float(r[headers["hours"]])) for r in table] == \
        [(r["staff_id"], r["score"], r["hours"]) for r in rows]
    sheet = pd.read_excel(xlsx_path, dtype={headers["staff_id"]: str})
    assert list(sheet.columns) == list(headers.values())
    assert sheet[headers["hours"]].sum() == pytest.approx(sum(r["hours"] for r in rows))
