"""Pages people read, in Chromium, at a desktop's and a phone's width (issue 19, items 3-5): the trainer's
formgrader on the seeded demo (assignment list, a submission list, manual grading, the grading page of a
submission), a teacher's Assignments panel in JupyterLab, the platform admin's admin page, and a Voilà page.

Each page fails on
- English: runs of Latin words in the visible text (placeholders and tooltips of what is shown included),
  except ``ALLOWED`` (product names, class codes, single letters) and the data's own identifiers, which are
  names, not text to translate: the hub's login names (read from the hub, so accounts that other tests
  made count too) and the course and assignment codes (read from ``courses/``);
- cut labels: a label, button or table heading whose text is wider than its box (scrollWidth > clientWidth);
- any request to a host other than the hub's (every one is recorded and refused).
Screenshots go to test-artifacts/zh-<page>-<width>.png.
"""

from __future__ import annotations

import os
import re
import time
from urllib.parse import urlsplit

import pytest

from hub.demo_courses import AWAITING_MANUAL, GRADED_WITH_FEEDBACK, NOT_AUTOGRADED, SUBMISSION_COURSE
from hub.kernel_queue import GO_SUFFIX, default_size
from hub.localize.lab_texts import ASSIGNMENT_LIST, MENU
from hub.settings import REPO_ROOT
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

ASSIGNMENT = "matching"  # the seeded assignment of SUBMISSION_COURSE (hub.demo_courses)
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
WORKBENCH = "/hub/user-redirect/voila/render/apps/导师工作台.ipynb"

# (pattern of a word, why it may stay)
ALLOWED = [
    (r"JupyterHub|JupyterLab|Jupyter|Voilà|Markdown|Python|ipykernel|UTC",
     "product names (and the time zone of timestamps), as the Chinese pages of these products write them too"),
    (r"grader-[a-z-]+", "the courses' grader accounts, as the admin page lists them"),
    (r"[a-z]{2}-\d{3}", "class codes of the roster (dh-601: a school's code and the class), as the workbench lists them"),
    (r"[A-Za-z]\d*|\d[\d.]*", "a single letter (a class such as 3A, a unit) or a number (a version)"),
]
WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ0-9'’_-]*")
LATIN_RUN = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ0-9'’._()-]*(?:[ \t]+[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9'’._()-]*)*")

# Visible text, node by node, without code (a notebook's code and the cell ids nbgrader shows as code are
# the course's content, not the page's words); then the placeholders and tooltips of what is visible.
VISIBLE_TEXT = """root => {
  const code = "pre, code, .input_area, .CodeMirror, .cm-editor, .highlight, script, style, noscript";
  const parts = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest(code) || !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    if (node.textContent.trim()) parts.push(node.textContent.trim());
  }
  for (const el of root.querySelectorAll("[placeholder], [title]")) {
    if (!el.checkVisibility()) continue;
    for (const name of ["placeholder", "title"]) { if (el.getAttribute(name)) parts.push(el.getAttribute(name)); }
  }
  return parts.join("\\n");
}"""
CUT_LABELS = """root => [...root.querySelectorAll("label, button, th, .btn, .nav a, .lm-TabBar-tabLabel")]
  .filter(el => el.checkVisibility() && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1
          && el.innerText.trim())
  .map(el => `${el.tagName.toLowerCase()} "${el.innerText.trim()}" (${el.scrollWidth} > ${el.clientWidth})`)"""


def course_codes() -> set[str]:
    """Every course's and assignment's code, as ``courses/`` names them."""
    courses = [folder for folder in (REPO_ROOT / "courses").iterdir() if (folder / "course.yaml").is_file()]
    return {course.name for course in courses} | {
        assignment.name for course in courses for assignment in (course / "source").iterdir() if assignment.is_dir()}


def english_runs(text: str, names: set[str] = frozenset()) -> list[str]:
    """The runs of Latin words in ``text`` with a word that is neither one of ``names`` nor explained by
    ``ALLOWED``."""
    found = []
    for match in LATIN_RUN.finditer(text):
        words = WORD.findall(match.group(0))
        if any(word not in names and not any(re.fullmatch(pattern, word) for pattern, _ in ALLOWED)
               for word in words):
            found.append(match.group(0).strip())
    return found


def test_the_english_check_sees_english_and_lets_names_pass():
    """The check itself."""
    assert english_runs("已发布 3 份，No courses found。teacher2 王芳 matching JupyterHub 5.5.4",
                        {"teacher2", "matching"}) == ["No courses found"]
    assert english_runs("全部启动 Start All") == ["Start All"]
    assert english_runs("课程：foundations（全员导师制）3A 班", {"foundations"}) == []
    assert english_runs("课程：foundations（全员导师制）") == ["foundations"]
    assert {"foundations", "matching", "family-guidance"} <= course_codes()


class Watch:
    """A browser context at one width that refuses and records every request to another host than the hub."""

    def __init__(self, browser, hub_url: str, width: str, names: set[str]):
        self.hub = urlsplit(hub_url).netloc
        self.names = names
        self.context = browser.new_context(locale="zh-CN", viewport=WIDTHS[width])
        self.context.set_default_timeout(120_000)
        self.elsewhere: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()

    def _route(self, route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).netloc == self.hub:
            route.continue_()
        else:
            self.elsewhere.append(url)
            route.abort()

    def check(self, root: str = "body", name: str = "", screenshot=None) -> None:
        page = self.page
        page.wait_for_load_state("networkidle")
        element = page.locator(root).first
        text = element.evaluate(VISIBLE_TEXT)
        assert english_runs(text, self.names) == [], f"English on {name} ({page.url})"
        assert element.evaluate(CUT_LABELS) == [], f"cut labels on {name}"
        assert self.elsewhere == [], f"requests to other hosts from {name}"
        if screenshot is not None:
            screenshot(page, f"zh-{name}")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watch(browser, running_hub):
    opened = []

    def make(width: str, user: str) -> Watch:
        logins = {user["name"] for user in running_hub.api("GET", "/users", params={"limit": 1000}).json()}
        watched = Watch(browser, running_hub.url, width, logins | course_codes())
        opened.append(watched)
        login(watched.page, running_hub.url, user)
        return watched

    yield make
    for watched in opened:
        watched.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_trainers_formgrader_on_the_seeded_demo(watch, running_hub, width, screenshot):
    running_hub.wait_for_service(SUBMISSION_COURSE)
    trainer = watch(width, "trainer1")
    page = trainer.page
    base = f"{running_hub.url}/services/{SUBMISSION_COURSE}/formgrader"

    page.goto(f"{base}/manage_assignments")
    row = page.locator("tr", has_text=ASSIGNMENT)
    row.locator("td.status", has_text="已发布").wait_for()
    assert row.locator("td.num-submissions").inner_text().strip() == "3"
    trainer.check(name=f"formgrader-assignments-{width}", screenshot=screenshot)
    for link in (row.locator("td.name a"), row.locator("td.preview a")):  # nbgrader's 404s behind the hub
        href = link.get_attribute("href")
        assert href.startswith(f"/services/{SUBMISSION_COURSE}/"), href
        assert page.request.get(running_hub.url + href).status == 200, href

    row.locator("td.num-submissions a").click()
    page.wait_for_url(f"**/manage_submissions/{ASSIGNMENT}")
    for teacher, status in ((GRADED_WITH_FEEDBACK, "已评分"), (AWAITING_MANUAL, "待人工评分"),
                            (NOT_AUTOGRADED, "待自动评分")):
        submission = page.locator("tr", has_text=teacher)
        submission.locator("td.status", has_text=status).wait_for()
        name = submission.locator("td.student-name").inner_text().strip()
        assert name and "None" not in name and "," not in name
    trainer.check(name=f"formgrader-submissions-{width}", screenshot=screenshot)

    page.goto(f"{base}/gradebook/{ASSIGNMENT}/{ASSIGNMENT}")
    page.locator("td.needs-manual-grade span.glyphicon-ok").first.wait_for()
    trainer.check(name=f"formgrader-manual-grading-{width}", screenshot=screenshot)

    page.locator("tr", has=page.locator("td.needs-manual-grade span.glyphicon-ok")).locator(
        "td.name a.name-hidden").first.click()
    page.locator(".nbgrader_cell").first.wait_for()
    page.locator("button.full-credit").first.wait_for()
    trainer.check(name=f"formgrader-grading-page-{width}", screenshot=screenshot)


def test_the_teachers_assignments_panel(watch, running_hub, screenshot):
    """Opened from the menu at a desktop's width, then seen at a phone's (JupyterLab hides its menu bar there)."""
    teacher = watch("desktop", GRADED_WITH_FEEDBACK)
    lab = teacher.page
    lab.goto(f"{running_hub.url}/hub/user-redirect/lab?reset")
    lab.wait_for_selector("#jp-main-dock-panel")
    lab.locator("#jp-menu-panel .lm-MenuBar-item", has_text=MENU).click()
    lab.locator("#jp-mainmenu-nbgrader .lm-Menu-item", has_text=ASSIGNMENT_LIST).click()
    panel = "#nbgrader-assignment-list"
    lab.locator("#course_list_dropdown").click()
    lab.locator("#course_list a", has_text=SUBMISSION_COURSE).click()
    submitted = lab.locator("#submitted_assignments_list > .list_item", has_text=ASSIGNMENT)
    submitted.locator("text=有反馈可领取").wait_for()
    lab.keyboard.press("Escape")
    teacher.check(panel, name="lab-assignments-desktop", screenshot=screenshot)
    assert english_runs(lab.locator("#jp-menu-panel").inner_text(), teacher.names) == []
    lab.set_viewport_size(WIDTHS["phone"])
    lab.locator(panel).wait_for()
    teacher.check(panel, name="lab-assignments-phone", screenshot=screenshot)


def test_a_teacher_in_no_course_is_told_so_in_chinese(watch, running_hub):
    teacher = watch("desktop", "teacher15")
    lab = teacher.page
    lab.goto(f"{running_hub.url}/hub/user-redirect/lab?reset")
    lab.wait_for_selector("#jp-main-dock-panel")
    lab.locator("#jp-menu-panel .lm-MenuBar-item", has_text=MENU).click()
    lab.locator("#jp-mainmenu-nbgrader .lm-Menu-item", has_text=ASSIGNMENT_LIST).click()
    lab.locator("#course_list_default", has_text="还没有加入任何培训课程").wait_for()
    teacher.check("#nbgrader-assignment-list", name="lab-no-course")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_platform_admins_admin_page(watch, running_hub, width, screenshot):
    admin = watch(width, "admin")
    page = admin.page
    page.goto(f"{running_hub.url}/hub/admin")
    page.locator("button", has_text="全部启动").wait_for()
    page.locator("td", has_text="teacher1").first.wait_for()
    admin.check(name=f"admin-{width}", screenshot=screenshot)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_voila_page(watch, running_hub, width, screenshot):
    teacher = watch(width, "teacher1")
    page = teacher.page
    page.goto(running_hub.url + WORKBENCH)
    page.wait_for_selector("table.mh-tracker tr.mh-row")
    teacher.check(name=f"voila-workbench-{width}", screenshot=screenshot)


def test_a_page_waiting_its_turn_shows_its_place_and_opens_by_itself(watch, running_hub, screenshot):
    """The machine's page queue full (hub.kernel_queue): the workbench's waiting page says in Chinese how many
    pages are ahead, asks by itself, and opens the workbench when its turn comes."""
    folder = running_hub.state_dir / "kernel-queue"
    now = time.time_ns()
    held = [folder / f"{now - n:020d}-{os.getpid()}-{n:012x}{GO_SUFFIX}" for n in range(1, default_size() + 2)]
    teacher = watch("phone", "teacher8")
    page = teacher.page
    try:
        for path in held:
            path.touch()
        page.goto(running_hub.url + WORKBENCH)
        page.locator("h1", has_text="页面正在排队").wait_for()
        assert page.locator("#mh-queue-place").inner_text() == "2"
        teacher.check(name="voila-waiting-phone", screenshot=screenshot)
        held.pop(0).unlink()
        page.locator("#mh-queue-place", has_text="1").wait_for()
    finally:
        for path in held:
            path.unlink(missing_ok=True)
    page.wait_for_selector("table.mh-tracker tr.mh-row")
    assert "mh_queue=" in page.url
