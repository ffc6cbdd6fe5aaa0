"""A course assignment end to end in a real Chromium (issue 4, browser test).

teacher1 goes from the hub home page into JupyterLab, opens nbgrader's assignment list (培训作业 menu, in Chinese:
hub.localize.lab),
fetches ``foundations/mentor-role`` and submits it; trainer1 opens the course's formgrader from the home
page (its own tab: JupyterHub >= 4.1 does not let it be framed), collects there, autogrades with the
pipeline's command line and sees the graded submission; after feedback is released, teacher1 fetches
it from the assignment list and reads it in JupyterLab. Screenshots go to test-artifacts/courses-*.png.

The app tests (tests/app/test_courses_hub.py) use another assignment, so neither file depends on the other.
"""

from __future__ import annotations

import pytest

from hub.courses.catalog import load_catalog
from hub.localize.lab_texts import ASSIGNMENT_LIST, MENU
from tests.courses_hub_support import (
    AssignmentList,
    answered,
    course_cli,
    expected_points,
    pending_feedback_score,
)
from tests.nbgrader.course_notebooks import COURSES_DIR

pytestmark = pytest.mark.browser

COURSE = "foundations"
ASSIGNMENT = "mentor-role"
TEACHER = "teacher1"
TRAINER = "trainer1"


def open_from_home(page, link_text: str):
    """Click a home-page link (they open in a new tab) and return the new tab."""
    with page.context.expect_page() as opened:
        page.locator("a.mentorhub-link", has_text=link_text).first.click()
    tab = opened.value
    tab.wait_for_load_state()
    return tab


def open_assignment_list(lab, course: str):
    lab.wait_for_selector("#jp-main-dock-panel")
    lab.locator("#jp-menu-panel .lm-MenuBar-item", has_text=MENU).click()
    lab.locator("#jp-mainmenu-nbgrader .lm-Menu-item", has_text=ASSIGNMENT_LIST).click()
    panel = lab.locator("#nbgrader-assignment-list")
    panel.locator("#released_assignments_list").wait_for()
    chosen = panel.locator("#course_list_default")
    lab.wait_for_function("() => document.querySelector('#course_list_default').innerText.trim() !== "
                          "'正在加载，请稍候…'")
    if chosen.inner_text().strip() != course:
        panel.locator("#course_list_dropdown").click()
        panel.locator("#course_list a", has_text=course).click()
    return panel


def row(panel, section: str, assignment: str):
    return panel.locator(f"#{section}_assignments_list > .list_item", has_text=assignment)


def test_teacher_fetches_and_submits_trainer_grades_teacher_reads_feedback(new_page, running_hub, screenshot):
    hub = running_hub
    hub.wait_for_service(COURSE)
    course_title = load_catalog(COURSES_DIR)[COURSE].title
    course_cli(hub, "release", COURSE, ASSIGNMENT)

    # teacher1: home page → course link → JupyterLab → 培训作业 → 作业列表 → 领取
    home = new_page(TEACHER)
    lab = open_from_home(home, course_title)
    lab.wait_for_url(f"**/user/{TEACHER}/lab**", timeout=120_000)  # through spawn-pending on a cold start
    panel = open_assignment_list(lab, COURSE)
    row(panel, "released", ASSIGNMENT).locator("button", has_text="领取").click()
    fetched = row(panel, "fetched", ASSIGNMENT)
    fetched.wait_for()
    screenshot(lab, "courses-teacher-fetched")

    # the teacher's answers, saved the way JupyterLab saves a notebook (typing them is not what is tested)
    files = AssignmentList(hub, TEACHER)
    path = f"{COURSE}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    files.save_notebook(path, answered(files.read_notebook(path), COURSE, ASSIGNMENT))

    fetched.locator("button", has_text="提交").click()
    submitted = row(panel, "submitted", ASSIGNMENT)
    submitted.wait_for()
    assert submitted.locator(".nested_list_item").count() >= 1  # one line per submission, with its time
    screenshot(lab, "courses-teacher-submitted")

    # trainer1: home page → the course's formgrader in its own tab → Collect (the formgrader service's
    # own exchange access), then the parallel autograde of the pipeline's command line
    formgrader = open_from_home(new_page(TRAINER), f"{course_title} · 评分")
    assert formgrader.url.startswith(f"{hub.url}/services/{COURSE}/formgrader")
    formgrader.locator("tr", has_text=ASSIGNMENT).locator("td.collect a").click()
    formgrader.locator("#success-modal, #error-modal").first.wait_for()
    assert formgrader.locator("#error-modal").count() == 0, formgrader.locator("#error-modal").inner_text()
    assert f"已收取提交：'{ASSIGNMENT}'" in formgrader.locator("#success-modal").inner_text()
    formgrader.wait_for_function("() => getComputedStyle(document.querySelector('#success-modal')).opacity === '1'")
    screenshot(formgrader, "courses-trainer-collected")
    course_cli(hub, "autograde", COURSE, ASSIGNMENT, "--jobs", "1")

    formgrader.reload()
    formgrader.locator("tr", has_text=ASSIGNMENT).locator(f"a[href$='manage_submissions/{ASSIGNMENT}']").click()
    formgrader.wait_for_url(f"**/manage_submissions/{ASSIGNMENT}")
    submission_row = formgrader.locator("tr", has_text=TEACHER)
    submission_row.wait_for()
    auto_max, manual_max = expected_points(COURSE, ASSIGNMENT)
    # autograded parts at full marks (model answers); the written answer still waits for the trainer
    assert submission_row.locator("td.score").inner_text().strip() == f"{auto_max:g} / {auto_max + manual_max:g}"
    screenshot(formgrader, "courses-trainer-submissions")

    course_cli(hub, "feedback", COURSE, ASSIGNMENT)

    # teacher1: refresh the list, fetch the feedback, open it
    panel.locator("#refresh_assignments_list").click()
    submitted.locator("button", has_text="领取反馈").click()
    view = submitted.locator("a", has_text="查看反馈")
    view.wait_for()
    view.click()
    listing = lab.locator(".jp-DirListing-item", has_text=f"{ASSIGNMENT}.html")
    listing.dblclick()
    viewer = lab.frame_locator(".jp-HTMLViewer iframe")
    score = pending_feedback_score(auto_max, manual_max)
    viewer.locator("body", has_text=score).wait_for()
    assert "HIDDEN TESTS" not in viewer.locator("body").inner_text()
    screenshot(lab, "courses-teacher-feedback")
