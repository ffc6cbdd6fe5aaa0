"""Bad submissions in one batch: each is handled (restored test cells, timeout, clear message, late flag)
and none stops the others from being graded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import nbformat
import pytest

from hub.courses import texts
from hub.courses.pipeline import CoursePipeline
from tests.nbgrader.course_notebooks import autograded_points, model_answers, place_submission, with_answers

pytestmark = pytest.mark.nbgrader

AID = "policy-basics"
NAME = "policy-basics.ipynb"


@pytest.fixture(scope="module")
def batch(catalog, tmp_path_factory):
    course = catalog["foundations"]
    root = tmp_path_factory.mktemp("bad-submissions")
    pipeline = CoursePipeline(course, root / "course", root / "exchange", cell_timeout=300)
    pipeline.prepare()
    pipeline.generate(AID)
    due = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)
    with pipeline.gradebook() as gb:
        gb.update_or_create_assignment(AID, duedate=due.replace(tzinfo=None))
    source = nbformat.read(course.source_dir / AID / NAME, as_version=4)
    released = nbformat.read(pipeline.course_dir / "release" / AID / NAME, as_version=4)
    good = with_answers(released, model_answers(source))

    deleted = nbformat.from_dict(good)
    deleted.cells = [c for c in deleted.cells if c.metadata["nbgrader"]["grade_id"] != "q1-tests"]
    edited = with_answers(good, {"q1-answer": '答案1 = "C"'})
    for cell in edited.cells:
        if cell.metadata["nbgrader"]["grade_id"] == "q1-tests":
            cell.source = "pass  # 改掉了测试"
    raises = with_answers(good, {"q2-answer": 'raise RuntimeError("作答时出错")'})
    loops = with_answers(good, {"q3-answer": "while True:\n    pass"})

    on_time = due - timedelta(days=1)
    submissions = {
        "good": (good, on_time),
        "deletes-test": (deleted, on_time),
        "edits-test": (edited, on_time),
        "raises": (raises, on_time),
        "loops": (loops, on_time),
        "not-json": ('{"cells": [ 这不是 JSON', on_time),
        "late": (good, due + timedelta(hours=5)),
    }
    for student, (nb, stamp) in submissions.items():
        place_submission(pipeline.course_dir, student, AID, {NAME: nb}, timestamp=stamp)
    seen = []
    outcomes = pipeline.autograde(AID, jobs=2, timeout=20, on_result=seen.append)
    with pipeline.gradebook() as gb:
        scores = {s: gb.find_submission(AID, s).code_score for s in submissions if s != "not-json"}
    return {"outcomes": {o.student_id: o for o in outcomes}, "scores": scores, "seen": seen,
            "points": autograded_points(source)}


def test_every_submission_gets_an_outcome(batch):
    assert set(batch["outcomes"]) == {"good", "deletes-test", "edits-test", "raises", "loops", "not-json", "late"}
    assert len(batch["seen"]) == 7


def test_good_and_late_submissions_get_full_marks(batch):
    full = sum(batch["points"].values())
    assert batch["scores"]["good"] == pytest.approx(full)
    assert batch["scores"]["late"] == pytest.approx(full)
    assert batch["outcomes"]["good"].ok and batch["outcomes"]["good"].messages == []
    assert texts.SUBMISSION_LATE in batch["outcomes"]["late"].messages
    assert texts.SUBMISSION_LATE not in batch["outcomes"]["good"].messages


def test_deleted_test_cell_loses_only_its_points(batch):
    outcome = batch["outcomes"]["deletes-test"]
    assert outcome.ok and texts.SUBMISSION_TESTS_MODIFIED in outcome.messages
    full = sum(batch["points"].values())
    assert batch["scores"]["deletes-test"] == pytest.approx(full - batch["points"]["q1-tests"])


def test_edited_test_cell_is_restored_before_grading(batch):
    outcome = batch["outcomes"]["edits-test"]
    assert outcome.ok and texts.SUBMISSION_TESTS_MODIFIED in outcome.messages
    full = sum(batch["points"].values())
    assert batch["scores"]["edits-test"] == pytest.approx(full - batch["points"]["q1-tests"])


def test_raising_answer_costs_only_that_question(batch):
    full = sum(batch["points"].values())
    assert batch["outcomes"]["raises"].ok
    assert batch["scores"]["raises"] == pytest.approx(full - batch["points"]["q2-tests"])


def test_endless_loop_times_out_without_stalling_the_batch(batch):
    outcome = batch["outcomes"]["loops"]
    assert not outcome.ok
    assert outcome.messages == [texts.SUBMISSION_TIMEOUT.format(seconds=20),
                                texts.ANSWERS_UNAVAILABLE.format(reason=texts.REASON_WORKER)]


def test_stopped_submission_is_recorded_with_zero_autograded_points(batch):
    # Graded again without running it: in the gradebook, with nothing from its (unfinished) answers.
    assert batch["scores"]["loops"] == 0


def test_invalid_json_is_reported_not_graded(batch):
    outcome = batch["outcomes"]["not-json"]
    assert not outcome.ok
    assert outcome.messages == [texts.SUBMISSION_UNREADABLE.format(name=NAME)]
