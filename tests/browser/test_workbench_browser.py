"""The workbench through the hub in a real Chromium: teacher1 logs a home visit for a mentee, sees it in
the record list and the tracker change; another teacher does not see it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

WORKBENCH = "/hub/user-redirect/voila/render/apps/导师工作台.ipynb"
PURPOSE = "浏览器测试：了解周末作息安排"


def open_workbench(page, hub_url: str) -> None:
    page.goto(hub_url + WORKBENCH)
    page.wait_for_selector("table.mh-tracker tr.mh-row", timeout=120_000)


def home_visit_cell(page, student_id: str):
    return page.locator(f'table.mh-tracker tr[data-student="{student_id}"] td[data-kind="home_visit"]')


def test_teacher_logs_a_home_visit_and_another_teacher_does_not_see_it(new_page, running_hub, screenshot):
    page = new_page("teacher1")
    open_workbench(page, running_hub.url)
    rows = page.locator("table.mh-tracker tr.mh-row")
    # a mentee whose home visit is not done yet
    student_id = None
    for index in range(rows.count()):
        row = rows.nth(index)
        if "mh-state-done" not in (row.locator('td[data-kind="home_visit"]').get_attribute("class") or ""):
            student_id = row.get_attribute("data-student")
            name = row.locator("td").nth(1).inner_text().strip()
            class_id = row.locator("td").nth(0).inner_text().strip()
            break
    assert student_id, "every mentee already has a home visit; the demo seed should leave some open"
    screenshot(page, "workbench-before")

    page.locator(".lm-TabBar-tab", has_text="填写记录").click()
    form = page.locator(".mh-form-home_visit")
    form.locator(".widget-dropdown", has_text="学生").locator("select").select_option(label=f"{name}（{class_id}）")
    form.locator(".widget-dropdown", has_text="家访形式").locator("select").select_option(label="视频")
    form.locator(".widget-text", has_text="家访目的").locator("input").fill(PURPOSE)
    screenshot(page, "workbench-home-visit-form")
    form.locator("button", has_text="保存").click()
    page.wait_for_selector(".mh-form-home_visit .mh-status-ok")
    assert name in form.locator(".mh-status-ok").inner_text()

    page.locator(".lm-TabBar-tab", has_text="我的学生").click()
    page.wait_for_selector(f'table.mh-tracker tr[data-student="{student_id}"] td.mh-state-done[data-kind="home_visit"]')
    tracker = page.locator(".mh-tracker-view")
    tracker.locator(".widget-dropdown", has_text="学生").locator("select").select_option(label=f"{name}（{class_id}）")
    tracker.locator("button", has_text="查看记录").click()
    page.wait_for_selector(f"table.mh-history >> text={PURPOSE}")
    page.locator("table.mh-history").scroll_into_view_if_needed()  # the page scrolls inside Voila's container
    screenshot(page, "workbench-after")

    other = new_page("teacher2")
    open_workbench(other, running_hub.url)
    assert other.locator(f'table.mh-tracker tr[data-student="{student_id}"]').count() == 0
    assert PURPOSE not in other.content()
    screenshot(other, "workbench-other-teacher")
