"""Every assignment's hidden tests discriminate, through the real nbgrader pipeline.

- Model answers get full marks on the autograded parts, the blank released notebook gets zero, planted wrong
  answers land in between (exactly where expected).
- Five synthetic teachers per assignment (``teacher_submissions.yaml``): the autograded scores rank
  weak < average < strong, and keyword stuffing and filler text earn no more than the weak teacher.
- Hints (autograder test cells worth 0 points) fire where expected, never for the model answers, never move a
  score, and reach the teacher's feedback page as hints, not points.

One course directory per course; each assignment is generated once and all of its submissions (model, blank,
planted and the five teachers) are autograded in one batch, inside a session fixture.
"""

from __future__ import annotations

import secrets

import nbformat
import pytest

from hub.courses import texts
from hub.courses.catalog import load_catalog
from hub.courses.pipeline import CoursePipeline
from tests.nbgrader.course_notebooks import (
    COURSES_DIR,
    answer_sources,
    autograded_points,
    hint_cells,
    load_planted,
    load_submissions,
    place_submission,
    with_answers,
)

pytestmark = pytest.mark.nbgrader

CASES = [(c.course_id, a.assignment_id) for c in load_catalog(COURSES_DIR).values() for a in c.assignments]
TEACHERS = ("weak", "average", "strong", "stuffing", "filler")
STUDENTS = ("model", "blank", "planted", *TEACHERS)
FEEDBACK_CASE = ("family-guidance", "home-visit")


def fired_hints(course_dir, student, aid, path) -> dict[str, str]:
    """Hint cells of one graded notebook that failed, with their message."""
    graded = nbformat.read(course_dir / "autograded" / student / aid / path.name, as_version=4)
    hints = set(hint_cells(nbformat.read(path, as_version=4)))
    fired = {}
    for cell in graded.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if gid in hints and errors:
            fired[gid] = str(errors[0].get("evalue", ""))
    return fired


def grade_course(course, planted, submissions, root):
    pipeline = CoursePipeline(course, root / course.course_id, root / "exchange", cell_timeout=30)
    pipeline.prepare()
    results = {}
    for assignment in course.assignments:
        aid = assignment.assignment_id
        pipeline.generate(aid)
        sources = sorted((course.source_dir / aid).glob("*.ipynb"))
        subs = {student: {} for student in STUDENTS}
        for path in sources:
            source = nbformat.read(path, as_version=4)
            released = nbformat.read(pipeline.course_dir / "release" / aid / path.name, as_version=4)
            subs["model"][path.name] = source
            subs["blank"][path.name] = released
            subs["planted"][path.name] = with_answers(source, planted[aid]["answers"])
            for teacher in TEACHERS:
                subs[teacher][path.name] = with_answers(released, submissions[aid][teacher]["answers"])
        for student, notebooks in subs.items():
            folder = place_submission(pipeline.course_dir, student, aid, notebooks)
            # what `collect` brings along from a real submission; releasing feedback needs it
            (folder / "submission_secret.txt").write_text(secrets.token_hex(16), encoding="utf-8")
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
                hints, hint_points = {}, set()
                for path in sources:
                    hints.update(fired_hints(pipeline.course_dir, student, aid, path))
                    for gid in hint_cells(nbformat.read(path, as_version=4)):
                        grade = gb.find_grade(gid, path.stem, aid, student)
                        hint_points.add((grade.score, grade.max_score))
                scores[student] = {"code": sub.code_score, "max_code": sub.max_code_score, "failing": failing,
                                   "hints": hints, "hint_points": hint_points}
        results[aid] = {"scores": scores, "sources": sources}
    if course.course_id == FEEDBACK_CASE[0]:
        aid = FEEDBACK_CASE[1]
        outcomes = pipeline.feedback(aid)
        assert all(o.ok for o in outcomes), [(o.student_id, o.message) for o in outcomes if not o.ok]
        results[aid]["feedback"] = {
            student: "".join(p.read_text(encoding="utf-8")
                             for p in sorted((pipeline.course_dir / "feedback" / student / aid).glob("*.html")))
            for student in STUDENTS}
    return results


@pytest.fixture(scope="session")
def graded(catalog, planted, tmp_path_factory):
    cache = {}
    submissions = load_submissions()

    def get(course_id):
        if course_id not in cache:
            root = tmp_path_factory.mktemp(f"discrimination-{course_id}")
            cache[course_id] = grade_course(catalog[course_id], planted[course_id], submissions[course_id], root)
        return cache[course_id]
    return get


def points_of(result) -> dict[str, float]:
    points = {}
    for path in result["sources"]:
        points.update(autograded_points(nbformat.read(path, as_version=4)))
    return points


@pytest.mark.parametrize(("course_id", "assignment_id"), CASES)
def test_hidden_tests_discriminate(graded, course_id, assignment_id):
    result = graded(course_id)[assignment_id]
    scores = result["scores"]
    points = points_of(result)
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
def test_better_answers_score_higher_and_gaming_does_not_pay(graded, course_id, assignment_id):
    code = {teacher: graded(course_id)[assignment_id]["scores"][teacher]["code"] for teacher in TEACHERS}
    assert code["weak"] < code["average"] < code["strong"], code
    assert code["stuffing"] <= code["weak"], code
    assert code["filler"] <= code["weak"], code


@pytest.mark.parametrize(("course_id", "assignment_id"), CASES)
def test_hints_fire_where_expected_and_never_for_the_model(graded, course_id, assignment_id):
    result = graded(course_id)[assignment_id]
    submissions = load_submissions()[course_id][assignment_id]
    assert result["scores"]["model"]["hints"] == {}, "the model answers must not trigger any hint"
    assert result["scores"]["strong"]["hints"] == {}, "the strong teacher's answers must not trigger any hint"
    for teacher in TEACHERS:
        expected = set(submissions[teacher].get("hints", []))
        fired = result["scores"][teacher]["hints"]
        assert expected <= set(fired), (teacher, expected - set(fired))
        assert all(message.strip() for message in fired.values())


def test_every_assignment_has_five_teachers_on_real_answer_cells():
    submissions = load_submissions()
    for course_id, assignment_id in CASES:
        course = load_catalog(COURSES_DIR)[course_id]
        cells, hints = {}, set()
        for path in (course.source_dir / assignment_id).glob("*.ipynb"):
            nb = nbformat.read(path, as_version=4)
            cells.update(answer_sources(nb))
            hints.update(hint_cells(nb))
        teachers = submissions[course_id][assignment_id]
        assert set(teachers) == set(TEACHERS), (course_id, assignment_id)
        for teacher, spec in teachers.items():
            assert spec["answers"] and set(spec["answers"]) <= set(cells), (assignment_id, teacher)
            assert set(spec.get("hints", [])) <= hints, (assignment_id, teacher)


def test_hints_reach_the_feedback_as_hints_not_points(graded):
    course_id, aid = FEEDBACK_CASE
    result = graded(course_id)[aid]
    weak, model = result["feedback"]["weak"], result["feedback"]["model"]
    fired = result["scores"]["weak"]["hints"]
    assert {"q2-hint-privacy", "q2-hint-homework", "q2-hint-advice"} <= set(fired)
    for message in fired.values():
        assert texts.FEEDBACK_HINT_PREFIX + message in weak
    assert "自动检查提示（不计分）" in weak and "自动检查提示（不计分）" in model
    assert "电话号码" in fired["q2-hint-privacy"]
    # the hints cost nothing and give nothing: every hint is graded 0 out of 0, fired or not
    for student in STUDENTS:
        assert result["scores"][student]["hint_points"] == {(0, 0)}
    assert texts.FEEDBACK_HINT_PREFIX + "第2题：记录里" not in model
    assert "BEGIN HIDDEN TESTS" not in weak and "AssertionError" not in weak


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
