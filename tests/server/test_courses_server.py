"""The whole course cycle in server mode, on the hub's exchange service (issue 8), as root.

The trainer's command line runs on the hub's machine: as root it becomes the course's Unix account
``<prefix>grader_<course>`` itself (``release``, ``sync-roster``, ``autograde``, ``feedback``), or it is started as
that account with ``runuser`` (``collect``); any other account is refused. A teacher fetches and submits from
their own server (Unix account ``<prefix>teacher1``) through nbgrader's assignment list; the feedback they
fetch holds their score and none of the hidden tests. One assignment, one teacher and one outsider.

Accounts: the hub makes ``<prefix><user>`` for the users whose servers start and ``<prefix>grader_<course>``
for every course; the fixture removes those of them that did not exist before it started.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import socket
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from hub.courses.hubconfig import grader_unix_account
from hub.exchange.hidden import fingerprints, leaks_hidden_tests
from hub.exchange.hubconfig import STORE_FOLDER
from hub.settings import load_settings
from tests.courses_hub_support import (
    AssignmentList,
    answered,
    course_cli,
    expected_points,
    feedback_file,
    pending_feedback_score,
    source_notebook,
)
from tests.helpers import (
    probe_paths,
    server_mode_hub,
)
from tests.nbgrader.course_notebooks import autograded_points, place_submission, with_answers
from tests.nbgrader.hostile import Target, folder_digest, hostile_submissions, notebook_outputs, survivors

pytestmark = [pytest.mark.server_mode, pytest.mark.app]

PREFIX = "mhcs-"
COURSE, ASSIGNMENT = "foundations", "policy-basics"
TEACHER, OUTSIDER = "teacher1", "teacher15"
GRADER = grader_unix_account(PREFIX, COURSE)



@pytest.fixture(scope="module")
def server_hub(artifacts_dir):
    with server_mode_hub(PREFIX, "courses-server", artifacts_dir) as hub:
        hub.wait_for_service("exchange")
        hub.wait_for_service(COURSE)
        yield hub


@pytest.fixture(scope="module")
def teacher(server_hub):
    server_hub.spawn(TEACHER)
    return AssignmentList(server_hub, TEACHER)


def owner(path: Path) -> str:
    return pwd.getpwuid(os.stat(path).st_uid).pw_name


def test_course_cycle_on_the_hub_exchange_in_server_mode(server_hub, teacher):
    hub, course_dir = server_hub, server_hub.state_dir / "courses" / COURSE

    # the trainer, as root on the hub's machine with only their token set (README "Server mode: courses"):
    # the command becomes the grader account and finds the hub and its exchange from the settings
    course_cli(hub, "release", COURSE, ASSIGNMENT, env={"MENTORHUB_EXCHANGE_URL": "", "JUPYTERHUB_API_URL": ""})
    assert owner(course_dir / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb") == GRADER
    assert not (hub.state_dir / "exchange").exists()  # no shared, world-writable exchange folder

    # the teacher, on their own server and Unix account
    listed = teacher.entry(COURSE, ASSIGNMENT, "released")
    assert listed and [nb["notebook_id"] for nb in listed["notebooks"]] == [ASSIGNMENT]
    teacher.fetch(COURSE, ASSIGNMENT)
    fetched = teacher.entry(COURSE, ASSIGNMENT, "fetched")
    assert fetched, "fetch did not put the assignment in the teacher's home"
    notebook_path = fetched["notebooks"][0]["path"]
    home = Path(pwd.getpwnam(f"{PREFIX}{TEACHER}").pw_dir)
    assert owner(home / notebook_path) == f"{PREFIX}{TEACHER}"
    teacher.save_notebook(notebook_path, answered(teacher.read_notebook(notebook_path), COURSE, ASSIGNMENT))
    teacher.submit(COURSE, ASSIGNMENT)
    submitted = teacher.entry(COURSE, ASSIGNMENT, "submitted")
    assert submitted and submitted["student_id"] == TEACHER

    # the trainer's routine: roster, collect (this time started as the grader account), autograde, feedback
    synced = course_cli(hub, "sync-roster", COURSE,
                        env={"JUPYTERHUB_API_URL": "", "JUPYTERHUB_API_TOKEN": hub.admin_token})
    enrolled = hub.api("GET", f"/groups/nbgrader-{COURSE}").json()["users"]
    assert TEACHER in enrolled and f"共 {len(enrolled)} 人" in synced
    course_cli(hub, "collect", COURSE, ASSIGNMENT, user=GRADER)
    assert owner(course_dir / "submitted" / TEACHER / ASSIGNMENT / f"{ASSIGNMENT}.ipynb") == GRADER
    graded = course_cli(hub, "autograde", COURSE, ASSIGNMENT, "--jobs", "1")
    assert re.search(rf"{TEACHER}(（[^）]+）)?：成功", graded), graded  # with the roster name the course knows
    assert owner(course_dir / "autograded" / TEACHER / ASSIGNMENT) == GRADER
    assert owner(course_dir / "gradebook.db") == GRADER
    course_cli(hub, "feedback", COURSE, ASSIGNMENT)

    # the teacher fetches the feedback: their score, none of the hidden tests
    teacher.fetch_feedback(COURSE, ASSIGNMENT)
    returned = teacher.entry(COURSE, ASSIGNMENT, "submitted")
    assert returned["submissions"][-1]["has_local_feedback"]
    html = teacher.read_text(str(feedback_file(returned)))
    auto_max, manual_max = expected_points(COURSE, ASSIGNMENT)
    assert pending_feedback_score(auto_max, manual_max) in html and "待评" in html
    released = nbformat.read(course_dir / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    hidden = fingerprints([source_notebook(COURSE, ASSIGNMENT)], [released])
    assert hidden, "the assignment has no hidden tests: the check below would prove nothing"
    assert not leaks_hidden_tests(html, frozenset(hidden))


def test_the_command_line_refuses_other_accounts(server_hub, teacher):
    with pytest.raises(AssertionError) as refused:
        course_cli(server_hub, "collect", COURSE, ASSIGNMENT, user=f"{PREFIX}{TEACHER}")
    assert f"runuser -u {GRADER}" in str(refused.value)


def test_a_teacher_cannot_read_the_course_folder_or_the_exchange_store(server_hub, teacher):
    state = server_hub.state_dir
    store = state / STORE_FOLDER
    assert owner(store) == "root" and stat.S_IMODE(os.stat(store).st_mode) == 0o700
    paths = [str(store), str(state / "courses" / COURSE), str(state / "courses" / COURSE / "gradebook.db")]
    account, results = probe_paths(server_hub, TEACHER, paths)
    assert account == f"{PREFIX}{TEACHER}" and results == ["denied", "denied", "denied"]


def test_a_teacher_outside_the_course_sees_and_fetches_nothing(server_hub, teacher):
    assert COURSE in teacher.courses()
    server_hub.spawn(OUTSIDER)
    try:
        outsider = AssignmentList(server_hub, OUTSIDER)
        assert outsider.courses() == []
        assert outsider.assignments(COURSE) == []
        outsider.fetch(COURSE, ASSIGNMENT)  # refused by the exchange (logged on the server): nothing lands
        assert outsider.assignments(COURSE) == []
        assert outsider.contents(COURSE).status_code == 404
    finally:
        server_hub.stop(OUTSIDER)


def scores_as_grader(course_dir: Path, students: list[str]) -> dict[str, float]:
    """Autograded scores from the gradebook, read as the grader account (root must not touch its files)."""
    script = ("import json, sys\nfrom nbgrader.api import Gradebook\n"
              f"with Gradebook('sqlite:///{course_dir}/gradebook.db') as gb:\n"
              f"    print(json.dumps({{s: gb.find_submission({ASSIGNMENT!r}, s).code_score for s in {students!r}}}))\n")
    done = subprocess.run(["runuser", "-u", GRADER, "--", sys.executable, "-c", script], cwd="/",
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_hostile_submissions_in_server_mode(server_hub, teacher):
    """The adversarial table (tests/nbgrader/hostile.py) graded as the grader account, in its sandbox."""
    hub, course_dir = server_hub, server_hub.state_dir / "courses" / COURSE
    course_cli(hub, "release", COURSE, ASSIGNMENT)
    released = nbformat.read(course_dir / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    settings = load_settings(str(hub.settings_file))
    ports = (settings.hub_port, settings.records_port, settings.exchange_port, settings.proxy_api_port,
             settings.formgrader_base_port)
    target = Target(course_dir, listener.getsockname()[1], hub.admin_token, victim=TEACHER, extra_ports=ports)
    submissions = hostile_submissions(released, target, with_answers)
    grader = pwd.getpwnam(GRADER)
    for student, nb in submissions.items():
        folder = place_submission(course_dir, student, ASSIGNMENT, {f"{ASSIGNMENT}.ipynb": nb})
        for path in [folder.parent, folder, *folder.iterdir()]:
            os.chown(path, grader.pw_uid, grader.pw_gid)
    protected = ("source", "release", f"submitted/{TEACHER}")
    before = {name: folder_digest(course_dir / name) for name in protected}

    graded = course_cli(hub, "autograde", COURSE, ASSIGNMENT, "--jobs", "2", "--timeout", "150")
    try:
        connection = listener.accept()
    except BlockingIOError:
        connection = None
    listener.close()

    assert "失败" not in graded.split("自动评分完成")[0].replace("失败 0", ""), graded
    points = autograded_points(source_notebook(COURSE, ASSIGNMENT))["q1-tests"]
    assert scores_as_grader(course_dir, list(submissions)) == {s: points for s in submissions}
    assert {name: folder_digest(course_dir / name) for name in protected} == before
    assert connection is None and survivors() == []
    outputs = {s: notebook_outputs(course_dir / "autograded" / s / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
               for s in ("x-read-files", "x-proc-environ", "x-network")}
    assert "READ " not in outputs["x-read-files"] and "DENIED" in outputs["x-read-files"]
    assert hub.admin_token not in outputs["x-proc-environ"] and "ENVIRON /proc/1/environ" in outputs["x-proc-environ"]
    assert outputs["x-network"].count("NO-CONNECTION") == len(target.addresses())
    assert "CONNECTED" not in outputs["x-network"].replace("NO-CONNECTION", "")
    assert course_cli(hub, "feedback", COURSE, ASSIGNMENT)  # the cohort's feedback goes out with them in it
