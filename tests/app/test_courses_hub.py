"""The courses on a live demo hub (issue 4, "Hub integration").

The formgrader of a course is a hub service open to that course's trainers only; a teacher enrolled in the
course lists, fetches and submits an assignment through nbgrader's assignment list on their own server; the
trainer's command line collects, autogrades and returns feedback, which the teacher then fetches; a teacher
who is not enrolled sees nothing; and teachers' servers carry none of nbgrader's instructor extensions.

Course ``foundations``, assignment ``policy-basics`` (the browser test uses ``mentor-role``, so the two
files do not depend on each other). The demo seed enrols teacher1..teacher10 in every course; trainer1 is
the course's trainer; trainer2 is a trainer of no course; teacher15 is enrolled in nothing.
"""

from __future__ import annotations

import json
import re

import pytest
import requests

from tests.courses_hub_support import (
    AssignmentList,
    Formgrader,
    answered,
    course_cli,
    expected_points,
    feedback_file,
    pending_feedback_score,
)

pytestmark = pytest.mark.app

COURSE = "foundations"
ASSIGNMENT = "policy-basics"
TEACHER = "teacher1"
OUTSIDER = "teacher15"


@pytest.fixture(scope="module")
def hub(running_hub):
    running_hub.wait_for_service(COURSE)
    return running_hub


@pytest.fixture(scope="module")
def released(hub):
    """The trainer releases the assignment with the pipeline's command line (as on the hub's machine)."""
    course_cli(hub, "release", COURSE, ASSIGNMENT)
    return ASSIGNMENT


@pytest.fixture(scope="module")
def teacher(hub):
    hub.spawn(TEACHER)
    return AssignmentList(hub, TEACHER)


def test_trainer_reaches_the_formgrader_through_the_hub_login(hub):
    response = Formgrader(hub, "trainer1", COURSE).page()
    assert response.status_code == 200
    assert "<title>评分 · 导师成长平台</title>" in response.text  # the formgrader in Chinese (hub.localize)
    assert response.url.startswith(f"{hub.url}/services/{COURSE}/formgrader")
    # the service let the trainer in through the hub's OAuth, not through a token in the URL
    assert any("/hub/api/oauth2/authorize" in (r.headers.get("location") or "") for r in response.history)


def test_a_trainer_cannot_run_code_or_open_a_shell_in_the_formgrader(hub):
    formgrader = Formgrader(hub, "trainer1", COURSE)
    assert formgrader.page().status_code == 200  # logged in to the service (its cookie and _xsrf)
    session, base = formgrader.session, f"{hub.url}/services/{COURSE}"
    xsrf = {"X-XSRFToken": next(c.value for c in session.cookies if c.name == "_xsrf"
                                and c.path.startswith(f"/services/{COURSE}"))}
    kernel = session.post(f"{base}/api/kernels", json={"name": "python3"}, headers=xsrf, timeout=60)
    assert kernel.status_code == 403, kernel.text
    assert "评分服务不运行代码" in kernel.json()["message"]
    notebook = session.post(f"{base}/api/sessions", headers=xsrf, timeout=60,
                            json={"path": "x.ipynb", "type": "notebook", "kernel": {"name": "python3"}})
    assert notebook.status_code >= 400
    terminal = session.post(f"{base}/api/terminals", headers=xsrf, timeout=60)
    assert terminal.status_code in (403, 404)
    assert session.get(f"{base}/api/kernels", timeout=60).json() == []


@pytest.mark.parametrize("user", [TEACHER, "trainer2"])
def test_the_formgrader_refuses_everyone_outside_the_course_trainers(hub, user):
    session = hub.login(user)
    response = session.get(f"{hub.url}/services/{COURSE}/formgrader", timeout=60)
    assert response.status_code == 403
    assert "nbgrader formgrade" not in response.text
    api = session.get(f"{hub.url}/services/{COURSE}/formgrader/api/students", timeout=60)
    assert api.status_code == 403


def test_teachers_servers_have_no_instructor_extensions(hub, teacher):
    headers = teacher.headers
    for path in ("/formgrader", "/formgrader/api/students", "/formgraders"):
        assert requests.get(teacher.base + path, headers=headers, timeout=60).status_code == 404, path
    # the student side is on
    assert requests.get(teacher.base + "/nbgrader_version", params={"version": "0.9.6"}, headers=headers,
                        timeout=60).status_code == 200
    lab = hub.login(TEACHER).get(f"{teacher.base}/lab", timeout=60)
    lab.raise_for_status()
    disabled = set(_lab_page_config(lab.text)["disabledExtensions"])
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
            "@jupyter/nbgrader:course-list"} <= disabled
    # the menu is the teachers' only way into the assignment list
    assert "@jupyter/nbgrader:assignment-list" not in disabled
    assert "@jupyter/nbgrader:menu" not in disabled
    # nobody installs extensions or packages into the Python that every teacher's server shares
    assert _lab_page_config(lab.text)["extensionManager"]["can_install"] is False


def _lab_page_config(html: str) -> dict:
    match = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    assert match, "JupyterLab page without its config data"
    return json.loads(match.group(1))


def test_release_fetch_submit_grade_and_return_feedback(hub, released, teacher):
    trainer = Formgrader(hub, "trainer1", COURSE)
    assert trainer.api(f"assignment/{ASSIGNMENT}")["status"] == "released"

    # the enrolled teacher sees it in their assignment list and fetches it
    assert COURSE in teacher.courses()
    listed = teacher.entry(COURSE, ASSIGNMENT, "released")
    assert listed and [nb["notebook_id"] for nb in listed["notebooks"]] == [ASSIGNMENT]
    teacher.fetch(COURSE, ASSIGNMENT)
    fetched = teacher.entry(COURSE, ASSIGNMENT, "fetched")
    assert fetched, "fetch did not put the assignment in the teacher's home"
    notebook_path = fetched["notebooks"][0]["path"]
    assert notebook_path == f"{COURSE}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"

    # answers typed in and saved as JupyterLab saves them, then submitted
    teacher.save_notebook(notebook_path, answered(teacher.read_notebook(notebook_path), COURSE, ASSIGNMENT))
    teacher.submit(COURSE, ASSIGNMENT)
    submitted = teacher.entry(COURSE, ASSIGNMENT, "submitted")
    assert submitted and submitted["student_id"] == TEACHER
    assert len(submitted["submissions"]) >= 1

    # the trainer's routine: roster from the hub group, collect, autograde, feedback
    enrolled = set(hub.api("GET", f"/groups/nbgrader-{COURSE}").json()["users"])
    sync = course_cli(hub, "sync-roster", COURSE,
                      env={"JUPYTERHUB_API_URL": f"{hub.url}/hub/api", "JUPYTERHUB_API_TOKEN": hub.admin_token})
    assert f"共 {len(enrolled)} 人" in sync
    students = {s["id"] for s in trainer.api("students")}
    assert students == enrolled and TEACHER in students and OUTSIDER not in students
    course_cli(hub, "collect", COURSE, ASSIGNMENT)
    graded = course_cli(hub, "autograde", COURSE, ASSIGNMENT, "--jobs", "1")
    assert re.search(rf"{TEACHER}(（[^）]+）)?：成功", graded), graded  # with the roster name the course knows

    auto_max, manual_max = expected_points(COURSE, ASSIGNMENT)
    row = trainer.submission(ASSIGNMENT, TEACHER)
    assert row is not None and row["autograded"] and row["submitted"]
    assert row["max_code_score"] == auto_max and row["code_score"] == auto_max  # model answers: full marks
    assert row["max_score"] == auto_max + manual_max
    assert row["needs_manual_grade"]  # the written answer waits for the trainer

    course_cli(hub, "feedback", COURSE, ASSIGNMENT)
    waiting = teacher.entry(COURSE, ASSIGNMENT, "submitted")
    assert waiting["submissions"][-1]["has_exchange_feedback"]

    teacher.fetch_feedback(COURSE, ASSIGNMENT)
    returned = teacher.entry(COURSE, ASSIGNMENT, "submitted")
    assert returned["submissions"][-1]["has_local_feedback"]
    html = teacher.read_text(str(feedback_file(returned)))
    assert pending_feedback_score(auto_max, manual_max) in html and "待评" in html
    assert "HIDDEN TESTS" not in html


def test_a_teacher_outside_the_course_sees_and_fetches_nothing(hub, released, teacher):
    assert COURSE in teacher.courses()  # the course is there for the enrolled
    hub.spawn(OUTSIDER)
    try:
        outsider = AssignmentList(hub, OUTSIDER)
        assert outsider.courses() == []
        assert outsider.assignments(COURSE) == []
        outsider.fetch(COURSE, ASSIGNMENT)  # nbgrader refuses (logged on the server) and lists nothing
        assert outsider.assignments(COURSE) == []
        assert outsider.contents(COURSE).status_code == 404
    finally:
        hub.stop(OUTSIDER)

