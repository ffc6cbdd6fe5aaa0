"""Hostile submissions through the real ``mentorhub course autograde`` (demo mode), beside honest ones.

Each attack of ``tests/nbgrader/hostile.py`` earns exactly its honest answer, sees and changes nothing of
the course, reaches nothing on the network, leaves no process behind, and the cohort's feedback is
released with the hostile ones in the batch.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeFetchFeedback, ExchangeSubmit

from hub.courses import texts
from hub.courses.pipeline import CoursePipeline
from tests.nbgrader.course_notebooks import (
    COURSES_DIR,
    autograded_points,
    model_answers,
    run_as_teacher,
    with_answers,
)
from tests.nbgrader.hostile import (
    AID,
    NOTEBOOK,
    Target,
    attacks,
    folder_digest,
    hostile_submissions,
    notebook_outputs,
    survivors,
)

pytestmark = pytest.mark.nbgrader

MENTORHUB = Path(sys.executable).with_name("mentorhub")
SECRET = "grader-secret-5b1f0c7e"
PROTECTED = ("source", "release", "submitted", "nbgrader_config.py")


def protected_digest(course_dir: Path) -> dict:
    digest = {}
    for name in PROTECTED:
        path = course_dir / name
        digest.update({f"{name}/{k}": v for k, v in folder_digest(path).items()} if path.is_dir()
                      else {name: path.read_bytes()})
    return digest


def submit(course_id, student, nb, exchange, home):
    """Fetch the released assignment, write the notebook in, submit: as the teacher's server would."""
    run_as_teacher(ExchangeFetchAssignment, student, course_id, AID, exchange, home)
    path = home / course_id / AID / NOTEBOOK
    if isinstance(nb, str):
        path.write_text(nb, encoding="utf-8")
    else:
        nbformat.write(nb, str(path))
    run_as_teacher(ExchangeSubmit, student, course_id, AID, exchange, home)


@pytest.fixture(scope="module")
def graded(catalog, tmp_path_factory):
    course = catalog["foundations"]
    state = tmp_path_factory.mktemp("hostile-state")
    course_dir, exchange = state / "courses" / "foundations", state / "exchange"
    pipeline = CoursePipeline(course, course_dir, exchange, cell_timeout=60)
    pipeline.prepare()
    pipeline.release(AID)
    source = nbformat.read(course.source_dir / AID / NOTEBOOK, as_version=4)
    released = nbformat.read(course_dir / "release" / AID / NOTEBOOK, as_version=4)

    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    target = Target(course_dir, listener.getsockname()[1], SECRET)
    submissions = {"honest-model": with_answers(released, model_answers(source)), "honest-blank": released,
                   **hostile_submissions(released, target, with_answers),
                   "x-invalid-notebook": '{"cells": [ 这不是笔记本'}
    for student, nb in submissions.items():
        submit("foundations", student, nb, exchange, state / "homes" / student)
    assert pipeline.collect(AID) == sorted(submissions)
    before = protected_digest(course_dir)

    env = {**os.environ, "MENTORHUB_GRADER_SECRET": SECRET, "JUPYTERHUB_API_TOKEN": SECRET}
    done = subprocess.run([str(MENTORHUB), "course", "--state-dir", str(state), "--courses-dir", str(COURSES_DIR),
                           "autograde", "foundations", AID, "--jobs", "2", "--timeout", "150"],
                          env=env, capture_output=True, text=True, timeout=900)
    try:
        connection = listener.accept()
    except BlockingIOError:
        connection = None
    listener.close()
    left = survivors()
    after = protected_digest(course_dir)
    with pipeline.gradebook() as gb:
        scores = {s: gb.find_submission(AID, s).code_score for s in submissions if s != "x-invalid-notebook"}
    outputs = {s: graded_outputs(course_dir, s) for s in submissions if s != "x-invalid-notebook"}
    feedback = pipeline.feedback(AID)
    for student in submissions:
        run_as_teacher(ExchangeFetchFeedback, student, "foundations", AID, exchange, state / "homes" / student)
    return {"done": done, "scores": scores, "outputs": outputs, "before": before, "after": after,
            "connection": connection, "survivors": left, "points": autograded_points(source),
            "feedback": {f.student_id: f for f in feedback}, "students": list(submissions), "homes": state / "homes"}


def graded_outputs(course_dir: Path, student: str) -> str:
    return notebook_outputs(course_dir / "autograded" / student / AID / NOTEBOOK)


def test_the_command_grades_everyone_and_names_who_failed(graded):
    done = graded["done"]
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    failures = done.stdout.split(texts.FAILED_LIST, 1)[1]
    assert "x-invalid-notebook" in failures
    assert [s for s in graded["students"] if s in failures] == ["x-invalid-notebook"]
    assert texts.AUTOGRADE_SUMMARY.format(ok=len(graded["students"]) - 1, failed=1,
                                          total=len(graded["students"])) in done.stdout


def test_honest_submissions_get_what_they_earned(graded):
    assert graded["scores"]["honest-model"] == pytest.approx(sum(graded["points"].values()))
    assert graded["scores"]["honest-blank"] == 0


@pytest.mark.parametrize("student", sorted(attacks(Target(Path("/x"), 1, "s"))))
def test_an_attack_earns_exactly_its_honest_answer(graded, student):
    assert graded["scores"][student] == pytest.approx(graded["points"]["q1-tests"])


def test_nothing_of_the_course_is_read_or_written(graded):
    assert graded["after"] == graded["before"]
    for student in ("x-read-files", "x-write-files"):
        text = graded["outputs"][student]
        assert "DENIED" in text, "the attack must have run"
        assert "READ " not in text
        assert "WROTE /" not in text  # relative paths: its own throw-away copy, which is allowed


def test_no_secret_no_other_process_is_visible(graded):
    text = graded["outputs"]["x-proc-environ"]
    assert "ENVIRON /proc/1/environ" in text, "the attack must have run"
    assert SECRET not in text
    # Its own PID namespace: a handful of processes, not the machine's hundreds.
    assert text.count("ENVIRON /proc/") < 10


def test_no_network_at_all(graded):
    text = graded["outputs"]["x-network"]
    assert text.count("NO-CONNECTION") == len(Target(Path("/x"), 1, "s").addresses())
    assert "CONNECTED" not in text.replace("NO-CONNECTION", "")
    assert graded["connection"] is None


def test_tests_never_reach_the_teachers_kernel(graded):
    assert "PEEKED" not in graded["outputs"]["x-event-callback"]


def test_no_process_outlives_its_grading(graded):
    assert graded["survivors"] == []
    assert "FORK-REFUSED" in graded["outputs"]["x-fork-bomb"]


def test_memory_and_output_are_bounded(graded):
    assert "MEMORY-REFUSED" in graded["outputs"]["x-memory"]
    assert len(graded["outputs"]["x-output"]) < 3_000_000
    assert texts.OUTPUT_TRUNCATED in graded["outputs"]["x-output"]


def test_trainer_is_told_why_answers_scored_zero(graded):
    lines = {line.split("：", 1)[0].strip(): line for line in graded["done"].stdout.splitlines() if "：" in line}
    assert texts.ANSWERS_NOT_DATA.format(names="答案2") in lines["x-not-data"]
    assert texts.REASON_KERNEL_DIED in lines["x-os-exit"]


def test_feedback_is_released_for_the_whole_cohort(graded):
    feedback = graded["feedback"]
    assert set(feedback) == set(graded["students"]) - {"x-invalid-notebook"}
    assert all(outcome.ok for outcome in feedback.values()), {s: o.message for s, o in feedback.items() if not o.ok}
    for student in feedback:
        pages = list((graded["homes"] / student / "foundations" / AID / "feedback").rglob("*.html"))
        assert len(pages) == 1, f"{student} should have received their feedback"
    page = feedback_page(graded, "x-marker")
    assert texts.FEEDBACK_MARKER_NOTE in page


def test_feedback_is_in_chinese_with_pending_manual_grades(graded):
    page = feedback_page(graded, "honest-model")
    assert "作业反馈" in page and "待评" in page and "人工评分的回答" in page
    for english in ("Student's answer", "Test cell", "Score:", "Comments:"):
        assert english not in page


def feedback_page(graded, student) -> str:
    [page] = (graded["homes"] / student / "foundations" / AID / "feedback").rglob("*.html")
    return page.read_text(encoding="utf-8")
