"""Every assignment's hidden tests discriminate: model answers get full marks on the autograded parts,
the blank released notebook gets zero, planted wrong answers land in between (exactly where expected).

One course directory per course; all of a course's assignments are generated and autograded once, in
batches of three submissions, inside a session fixture.
"""

from __future__ import annotations

import nbformat
import pytest

from hub.courses.catalog import load_catalog
from hub.courses.pipeline import CoursePipeline
from tests.nbgrader.course_notebooks import (
    COURSES_DIR,
    answer_sources,
    autograded_points,
    load_planted,
    place_submission,
    with_answers,
)

pytestmark = pytest.mark.nbgrader

CASES = [(c.course_id, a.assignment_id) for c in load_catalog(COURSES_DIR).values() for a in c.assignments]
STUDENTS = ("model", "blank", "planted")


def grade_course(course, planted, root):
    pipeline = CoursePipeline(course, root / course.course_id, root / "exchange", cell_timeout=30)
    pipeline.prepare()
    results = {}
    for assignment in course.assignments:
        aid = assignment.assignment_id
        pipeline.generate(aid)
        sources = sorted((course.source_dir / aid).glob("*.ipynb"))
        subs = {"model": {}, "blank": {}, "planted": {}}
        for path in sources:
            source = nbformat.read(path, as_version=4)
            released = nbformat.read(pipeline.course_dir / "release" / aid / path.name, as_version=4)
            subs["model"][path.name] = source
            subs["blank"][path.name] = released
            subs["planted"][path.name] = with_answers(source, planted[aid]["answers"])
        for student, notebooks in subs.items():
            place_submission(pipeline.course_dir, student, aid, notebooks)
        outcomes = pipeline.autograde(aid, jobs=2, timeout=120, students=STUDENTS)
        assert all(o.ok for o in outcomes), [o.to_dict() for o in outcomes]
        with pipeline.gradebook() as gb:
            scores = {}
            for student in STUDENTS:
                sub = gb.find_submission(aid, student)
                failing = set()
                for path in sources:
                    for gid in autograded_points(nbformat.read(path, as_version=4)):
                        grade = gb.find_grade(gid, path.stem, aid, student)
                        if grade.score < grade.max_score:
                            failing.add(gid)
                scores[student] = {"code": sub.code_score, "max_code": sub.max_code_score, "failing": failing}
        results[aid] = {"scores": scores, "sources": sources}
    return results


@pytest.fixture(scope="session")
def graded(catalog, planted, tmp_path_factory):
    cache = {}

    def get(course_id):
        if course_id not in cache:
            root = tmp_path_factory.mktemp(f"discrimination-{course_id}")
            cache[course_id] = grade_course(catalog[course_id], planted[course_id], root)
        return cache[course_id]
    return get


@pytest.mark.parametrize(("course_id", "assignment_id"), CASES)
def test_hidden_tests_discriminate(graded, course_id, assignment_id):
    result = graded(course_id)[assignment_id]
    scores = result["scores"]
    points = {}
    for path in result["sources"]:
        points.update(autograded_points(nbformat.read(path, as_version=4)))
    full = sum(points.values())
    fails = set(load_planted()[course_id][assignment_id]["fails"])

    assert full > 0
    assert scores["model"]["max_code"] == pytest.approx(full)
    assert scores["model"]["code"] == pytest.approx(full), scores["model"]["failing"]
    assert scores["blank"]["code"] == 0, "blank notebook must not earn autograded points"
    assert scores["blank"]["failing"] == set(points)
    assert scores["planted"]["failing"] == fails
    assert scores["planted"]["code"] == pytest.approx(full - sum(points[g] for g in fails))
    assert 0 < scores["planted"]["code"] < full


@pytest.mark.parametrize(("course_id", "assignment_id"), CASES)
def test_planted_answers_target_real_answer_cells(course_id, assignment_id):
    course = load_catalog(COURSES_DIR)[course_id]
    planted = load_planted()[course_id][assignment_id]
    cells = {}
    points = {}
    for path in (course.source_dir / assignment_id).glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        cells.update(answer_sources(nb))
        points.update(autograded_points(nb))
    assert set(planted["answers"]) <= set(cells)
    assert set(planted["fails"]) <= set(points)
