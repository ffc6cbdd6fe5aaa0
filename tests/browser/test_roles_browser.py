"""Each demo role's daily job in a real Chromium, at desktop width and on a phone (390×844) (issue 19, items 1,
2 and 8): a mentor raises a concern and sees it under 待跟进, the psychology teacher works it through from the
queue and the mentor sees the status change; the school's 德育 office matches from the template, previews who
moves and saves; a teacher logs a home visit on a phone; the school admin's export link; the studio leader's
research dashboard. Every page is checked for English, cut labels, controls past the right edge and requests
to any host but the hub (``tests/browser/page_checks.py``)."""

from __future__ import annotations

import re

import pytest
import requests
from openpyxl import load_workbook

from hub.store import open_store
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.page_checks import Requests, check_page, cut_labels

pytestmark = pytest.mark.browser

WORKBENCH = "/hub/user-redirect/voila/render/apps/导师工作台.ipynb"
MATCHING = "/hub/user-redirect/voila/render/apps/导师匹配.ipynb"
DASHBOARD = "/hub/user-redirect/voila/render/apps/研究看板.ipynb"
API = "/services/records/api/v1/"
SIZES = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]


@pytest.fixture(scope="module")
def store(running_hub):
    st = open_store(f"sqlite:///{running_hub.state_dir / 'records.sqlite'}")
    yield st
    st.close()


def open_app(page, hub_url: str, path: str, ready: str) -> Requests:
    watched = Requests(page, hub_url)
    page.goto(hub_url + path)
    page.wait_for_selector(ready, timeout=180_000)
    return watched


def tab(page, title: str) -> None:
    page.locator(".lm-TabBar-tab", has_text=title).click()


def select_in(scope, label: str, option_text: str) -> None:
    """Choose the option whose text contains ``option_text`` in the dropdown labelled ``label`` within ``scope``."""
    select = scope.locator(".widget-dropdown", has_text=label).locator("select")
    value = select.locator("option", has_text=option_text).first.get_attribute("value")
    select.select_option(value=value)


def no_other_hosts(*watched: Requests) -> None:
    for one in watched:
        assert one.other_hosts() == [], "requests to hosts other than the hub"


# --- a concern, raised and worked through --------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
def test_a_concern_is_raised_shown_as_pending_worked_through_and_its_status_followed(new_page, running_hub, screenshot,
                                                                                    size):  # fmt: skip
    where = "desktop" if size is DESKTOP else "phone"
    mentor = new_page("teacher1", size)
    mentor_requests = open_app(mentor, running_hub.url, WORKBENCH, "table.mh-tracker tr.mh-row")
    check_page(mentor, f"{where} tracker")
    rows = mentor.locator("table.mh-tracker tr.mh-row")
    row = next(rows.nth(i) for i in range(rows.count())
               if "关注" not in rows.nth(i).locator("td.mh-follow-ups").inner_text())  # fmt: skip
    student_id = row.get_attribute("data-student")
    name = row.locator("td").nth(1).inner_text().split("：")[-1].strip()

    tab(mentor, "关注与转介")
    concern = mentor.locator(".mh-concern")
    select_in(concern, "学生", name)
    concern.locator(".widget-checkbox", has_text="情绪").locator("input").check()
    concern.locator(".widget-radio-box label", has_text="否").click()
    concern.locator(".widget-textarea textarea").fill("这两周课间常一个人待在教室，午饭吃得很少")
    check_page(mentor, f"{where} concern form")
    concern.locator("button", has_text="提交关注").click()
    saved = mentor.locator(".mh-concern .mh-status", has_text="已提交")
    flag_id = re.search(r"关注编号 (\d+)", saved.inner_text()).group(1)
    tab(mentor, "我的学生")
    mentor.wait_for_selector(f'tr[data-student="{student_id}"] td.mh-follow-ups:has-text("关注 1 项")')
    screenshot(mentor, f"roles-{where}-mentor-pending")

    psych = new_page("psych1", size)
    psych_requests = open_app(psych, running_hub.url, WORKBENCH, ".mh-workbench")
    tab(psych, "关注处理")
    queue = psych.locator(".mh-concern-queue")
    psych.wait_for_selector(f'.mh-queue tr[data-flag="{flag_id}"]')
    check_page(psych, f"{where} queue")
    select = queue.locator(".widget-dropdown", has_text="选择关注").locator("select")
    select.select_option(index=[o.get_attribute("value") for o in select.locator("option").all()].index(
        select.locator("option", has_text=name).filter(has_text="待处理").first.get_attribute("value")))
    queue.locator("button", has_text="查看与处理").click()
    detail = psych.locator(f'.mh-flag-detail[data-flag="{flag_id}"]')
    detail.wait_for()
    assert "午饭吃得很少" in detail.inner_text()

    select_in(queue.locator(".mh-step-triage"), "关注等级", "重点关注")
    queue.locator(".mh-step-triage button", has_text="保存分级").click()
    detail.locator("text=分级：一般关注 → 重点关注").wait_for()
    tab(mentor, "关注与转介")
    concern.locator("button", has_text="刷新状态").click()
    mentor.locator(f'.mh-flag-row[data-flag="{flag_id}"] .mh-flag-status', has_text="跟进中").wait_for()

    queue.locator(".widget-toggle-button", has_text="跟进记录").click()
    step = queue.locator(".mh-step-follow_up")
    select_in(step, "跟进方式", "与学生谈话")
    step.locator("textarea").fill("个别谈话二十分钟，学生说和同桌闹了矛盾，约定下周再聊")
    check_page(psych, f"{where} follow-up form")
    step.locator("button", has_text="保存跟进记录").click()
    detail.locator("text=跟进（与学生谈话）").wait_for()

    queue.locator(".widget-toggle-button", has_text="结案").click()
    step = queue.locator(".mh-step-close")
    select_in(step, "结案结论", "情况缓解")
    step.locator("textarea").fill("两周后回访，情绪平稳，和同桌关系恢复")
    step.locator("button", has_text="确认结案").click()
    detail.locator("text=结案：情况缓解，结束跟进").wait_for()
    check_page(psych, f"{where} closed concern")
    screenshot(psych, f"roles-{where}-psychology-queue")

    concern.locator("button", has_text="刷新状态").click()
    mentor.locator(f'.mh-flag-row[data-flag="{flag_id}"] .mh-flag-status', has_text="已结束").wait_for()
    assert "同桌" not in mentor.locator(".mh-concern").inner_text()  # the mentor sees the status, never the notes
    no_other_hosts(mentor_requests, psych_requests)


# --- mentor matching ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
def test_the_schools_office_matches_from_the_template_previews_who_moves_and_saves(new_page, running_hub, store,
                                                                                  screenshot, tmp_path, size):  # fmt: skip
    where = "desktop" if size is DESKTOP else "phone"
    admin = store.actor_for("schooladmin1")
    term = store.current_term().term_id
    before = [{"student_id": a.student_id, "staff_id": a.staff_id, "kind": a.kind, "method": a.method}
              for a in store.find_assignments(admin, term)]  # fmt: skip
    primary = {row["student_id"]: row["staff_id"] for row in before if row["kind"] == "primary"}
    mover = sorted(store.actor_for("teacher1").mentee_ids)[3]  # teacher1 has written records for them

    page = new_page("schooladmin1", size)
    watched = open_app(page, running_hub.url, MATCHING, ".mh-matching")
    check_page(page, f"{where} matching page")
    page.locator("button", has_text="下载表格模板").click()
    with page.expect_download() as download:
        page.locator("a.mh-template-link").click()
    download.value.save_as(tmp_path / "template.xlsx")
    book = load_workbook(tmp_path / "template.xlsx")
    assert next(book["学生"].values)[:3] == ("学生编号", "姓名", "班级")
    for cells in book["学生"].iter_rows(min_row=2):  # each student chooses their mentor as it is, but one
        cells[4].value = "teacher2" if cells[0].value == mover else primary[cells[0].value]
    book.save(tmp_path / "filled.xlsx")
    with page.expect_file_chooser() as chooser:
        page.locator(".widget-upload", has_text="工作簿").click()
    chooser.value.set_files(tmp_path / "filled.xlsx")
    page.locator(".mh-message", has_text="可以开始匹配").wait_for()
    assert "请先上传" not in page.locator(".mh-matching").inner_text()
    page.locator("button", has_text="开始匹配").click()
    page.locator(".mh-message", has_text="匹配完成").wait_for()
    mover_name = store.find_student(store.actor_for("schooladmin1"), mover).display_name
    results = page.locator(".mentorhub-table").first.inner_text()
    assert mover_name in results and "（teacher2）" in results  # names beside ids
    check_page(page, f"{where} results")
    assert page.locator(".widget-text", has_text="学期编号").locator("input").input_value() == term

    page.locator("button", has_text="预览保存后的变化").click()
    moved = page.locator(".mh-preview-moved")
    moved.wait_for()
    assert mover_name in moved.inner_text() and re.search(r"已写记录 [1-9]\d* 条", moved.inner_text())
    check_page(page, f"{where} preview")
    screenshot(page, f"roles-{where}-matching-preview")
    assert primary[mover] == "teacher1"  # nothing saved by the preview
    if size is PHONE:
        page.locator("button", has_text="取消").click()
        page.locator(".mh-message", has_text="已取消").wait_for()
    else:
        token = running_hub.user_token("schooladmin1")
        try:
            page.locator("button", has_text="确认保存到导师平台").click()
            page.locator(".mh-message", has_text=f"已将 {term} 的").wait_for()
            saved = requests.get(running_hub.url + API + "assignments", headers={"Authorization": f"token {token}"},
                                 timeout=60).json()["assignments"]  # fmt: skip
            assert {(a["student_id"], a["staff_id"]) for a in saved if a["kind"] == "primary"} >= {(mover, "teacher2")}
        finally:  # the demo district as it was, for the tests after this one
            restored = requests.post(running_hub.url + API + "assignments", json={"term_id": term, "rows": before},
                                     headers={"Authorization": f"token {token}"}, timeout=60)  # fmt: skip
            assert restored.status_code == 201, restored.text
    page.locator("button", has_text="下载结对结果").click()
    with page.expect_download() as download:
        page.locator("a.mh-result-link").click()
    download.value.save_as(tmp_path / "result.xlsx")
    rows = list(load_workbook(tmp_path / "result.xlsx")["结对结果"].values)
    assert rows[0][:5] == ("学生编号", "学生姓名", "班级", "导师编号", "导师姓名")
    assert any(r[0] == mover and r[3] == "teacher2" and r[1] == mover_name for r in rows)
    no_other_hosts(watched)


# --- logging on a phone, and the layout of every form ----------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
def test_every_record_form_fits_and_a_home_visit_is_logged(new_page, running_hub, screenshot, size):
    where = "desktop" if size is DESKTOP else "phone"
    page = new_page("teacher3", size)
    watched = open_app(page, running_hub.url, WORKBENCH, "table.mh-tracker tr.mh-row")
    cells = page.locator("table.mh-tracker td")
    assert min(cells.nth(i).bounding_box()["width"] for i in range(cells.count())) > (200 if size is PHONE else 30)
    tab(page, "填写记录")
    for kind in ("谈心谈话", "成长寄语", "家校沟通", "指导记录", "家访"):
        page.locator(".widget-toggle-button", has_text=kind).click()
        page.wait_for_selector(f".lm-Widget:not(.lm-mod-hidden) > .widget-html:has-text('{kind}')", state="attached")
        check_page(page, f"{where} form {kind}")
    page.locator(".widget-toggle-button", has_text="指导记录").click()
    for career in page.locator(".mh-form-guidance .widget-checkbox", has_text="生涯指导").all():
        assert career.bounding_box()["x"] + career.bounding_box()["width"] <= size["width"]

    page.locator(".widget-toggle-button", has_text="成长寄语").click()
    growth = page.locator(".mh-form-growth_message")
    growth.locator("textarea").first.fill("你比班上其他同学都更努力，运动会上还主动帮大家搬器材，希望你继续加油。")
    hints = page.locator(".mh-gm-helper li")
    hints.first.wait_for()
    for text in hints.all_inner_texts():
        assert not re.match(r"\s*[•✓✗]\s*[•✓✗]", text), text
    assert page.evaluate("() => getComputedStyle(document.querySelector('.mh-gm-helper ul')).listStyleType") == "none"

    page.locator(".widget-toggle-button", has_text="家访").click()
    form = page.locator(".mh-form-home_visit")
    student = form.locator(".widget-dropdown", has_text="学生").locator("select")
    student.select_option(index=1)
    select_in(form, "家访形式", "入户")
    form.locator(".widget-text", has_text="家访目的").locator("input").fill("了解周末的作息和学习环境")
    form.locator("textarea").first.fill("父母工作忙，周末由祖父母照看，书桌在客厅")
    form.locator("button", has_text="保存").click()
    form.locator(".mh-status-ok").wait_for()
    screenshot(page, f"roles-{where}-home-visit")
    check_page(page, f"{where} after saving")
    no_other_hosts(watched)


# --- the school admin's export and the studio leader's dashboard ----------------------------------------------
@pytest.mark.parametrize("size", SIZES)
def test_the_school_summarys_export_is_a_link_that_looks_like_one(new_page, running_hub, size):
    where = "desktop" if size is DESKTOP else "phone"
    page = new_page("schooladmin1", size)
    watched = open_app(page, running_hub.url, WORKBENCH, ".mh-workbench")
    tab(page, "学校汇总")
    button = page.locator("button", has_text="生成三个一汇总表（.xlsx）")
    check_page(page, f"{where} school summary")
    button.click()
    link = page.locator("a.mh-export-link")
    link.wait_for()
    style = page.evaluate("() => { const s = getComputedStyle(document.querySelector('a.mh-export-link'));"
                          " return [s.color, s.textDecorationLine, s.cursor]; }")
    assert style[0] not in ("rgb(0, 0, 0)", "rgba(0, 0, 0, 0.87)") and style[1] == "underline" and style[2] == "pointer"
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    check_page(page, f"{where} export link")
    no_other_hosts(watched)


@pytest.mark.parametrize("size", SIZES)
def test_the_studio_leaders_dashboard_shows_no_commands_and_whole_tab_titles(new_page, running_hub, size):
    where = "desktop" if size is DESKTOP else "phone"
    page = new_page("leader1", size)
    watched = open_app(page, running_hub.url, DASHBOARD, ".mh-dashboards .lm-TabBar-tab")
    assert "mentorhub" not in page.locator("body").inner_text()
    assert cut_labels(page) == []
    titles = page.locator(".mh-dashboards .lm-TabBar-tabLabel").all_inner_texts()
    assert "培训完成率（按学校、课程）" in titles and "谈心谈话与考试日历的时间关系" in titles
    check_page(page, f"{where} dashboard")
    no_other_hosts(watched)
