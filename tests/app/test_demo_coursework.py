"""The demo's coursework as a trainer and teachers find it (issue 19, item 3; seeded by `hub.demo_courses`).

Checked on the session's hub through the doors people use: the course's formgrader (the trainer's view of
releases, submissions, grades and names) and nbgrader's assignment list on teachers' own servers. Other
test modules of the session release ``policy-basics`` and ``mentor-role`` and submit as teacher1, so the
checks here name the seeded assignment and the seeded teachers only.
"""

from __future__ import annotations

import pytest

from hub.courses.catalog import load_catalog
from hub.demo_courses import (
    AWAITING_MANUAL,
    GRADED_WITH_FEEDBACK,
    NOT_AUTOGRADED,
    SUBMISSION_COURSE,
    seeded_assignment,
)
from tests.courses_hub_support import AssignmentList, Formgrader, expected_points
from tests.nbgrader.course_notebooks import COURSES_DIR

pytestmark = pytest.mark.app

CATALOG = load_catalog(COURSES_DIR)
ASSIGNMENT = seeded_assignment(CATALOG[SUBMISSION_COURSE])


@pytest.fixture(scope="module")
def formgrader(running_hub):
    running_hub.wait_for_service(SUBMISSION_COURSE)
    return Formgrader(running_hub, "trainer1", SUBMISSION_COURSE)


@pytest.fixture(scope="module")
def submissions(formgrader) -> dict[str, dict]:
    return {item["student"]: item for item in formgrader.api(f"submissions/{ASSIGNMENT}")}


@pytest.fixture(scope="module")
def graded_teacher(running_hub):
    running_hub.spawn(GRADED_WITH_FEEDBACK)
    return AssignmentList(running_hub, GRADED_WITH_FEEDBACK)


def test_every_course_has_its_seeded_assignment_released(graded_teacher):
    for course in CATALOG.values():
        released = {item["assignment_id"] for item in graded_teacher.assignments(course.course_id)}
        assert seeded_assignment(course) in released, course.course_id


def test_the_trainer_sees_three_submissions_of_the_released_assignment(formgrader):
    assignment = {item["name"]: item for item in formgrader.api("assignments")}[ASSIGNMENT]
    assert assignment["status"] == "released"
    assert assignment["num_submissions"] == 3


def test_one_graded_one_awaiting_manual_grading_one_not_autograded(submissions):
    auto_max, manual_max = expected_points(SUBMISSION_COURSE, ASSIGNMENT)
    graded, awaiting, collected = (submissions[t] for t in (GRADED_WITH_FEEDBACK, AWAITING_MANUAL, NOT_AUTOGRADED))
    assert graded["autograded"] and not graded["needs_manual_grade"]
    assert graded["score"] > auto_max  # the model answers' full marks plus the trainer's hand grades
    assert awaiting["autograded"] and awaiting["needs_manual_grade"]
    assert awaiting["score"] == pytest.approx(auto_max)
    assert collected["submitted"] and not collected["autograded"]
    assert graded["max_score"] == pytest.approx(auto_max + manual_max)
    others = [s for s, item in submissions.items() if item["submitted"]
              and s not in (GRADED_WITH_FEEDBACK, AWAITING_MANUAL, NOT_AUTOGRADED)]
    assert others == []


def test_the_gradebook_knows_the_teachers_by_their_roster_names(submissions, running_hub):
    from hub.store import open_store

    store = open_store(f"sqlite:///{running_hub.state_dir / 'records.sqlite'}")
    try:
        names = {m.staff_id: m.name for m in store.find_staff_members()}
    finally:
        store.close()
    for teacher in (GRADED_WITH_FEEDBACK, AWAITING_MANUAL, NOT_AUTOGRADED):
        item = submissions[teacher]
        assert f"{item['last_name'] or ''}{item['first_name'] or ''}" == names[teacher]


def feedback_waiting(teacher: AssignmentList) -> bool:
    """Whether the exchange holds feedback on the teacher's last submission of the seeded assignment."""
    entries = [item for item in teacher.assignments(SUBMISSION_COURSE)
               if item["assignment_id"] == ASSIGNMENT and item["status"] == "submitted"]
    assert entries, f"{teacher.user} has no submission of {ASSIGNMENT}"
    return entries[0]["submissions"][-1]["has_exchange_feedback"]


def test_only_the_graded_teacher_has_feedback_to_fetch(graded_teacher, running_hub):
    assert feedback_waiting(graded_teacher)
    running_hub.spawn(AWAITING_MANUAL)
    assert not feedback_waiting(AssignmentList(running_hub, AWAITING_MANUAL))
