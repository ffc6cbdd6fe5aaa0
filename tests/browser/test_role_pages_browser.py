"""In Chromium, the pages of the roles the other browser tests do not visit: a school's 德育 office
(schooladmin1: the 学校管理 section, the school's 三个一 summary with its .xlsx export, the matching panel), a
psychology teacher (psych1: the queue of their school's concerns in the workbench) and a studio leader's home page
(leader1). Their screenshots are the ones the role guides in docs/ show (tests/docs_support.py)."""

from __future__ import annotations

import pytest

from widgets import consent_texts, matching_texts
from widgets.texts import t

pytestmark = pytest.mark.browser

APPS = "/hub/user-redirect/voila/render/apps/"


def card_titles(page) -> list[str]:
    return page.locator(".card-title").all_inner_texts()


def open_tab(page, title: str) -> None:
    page.locator(".lm-TabBar-tab", has_text=title).click()


def test_school_admin_follows_the_school_exports_it_and_opens_the_matching_panel(new_page, running_hub, screenshot):
    page = new_page("schooladmin1")
    titles = card_titles(page)
    assert "学校管理" in titles and "评分" not in titles
    links = page.locator("#section-school a.mentorhub-link")
    assert links.all_inner_texts() == ["导师匹配", "三个一进度", "学期日历", "学校实施方案"]
    screenshot(page, "home-schooladmin1")

    page.goto(running_hub.url + APPS + "导师工作台.ipynb")
    summary = page.locator("table.mh-school-summary")
    summary.wait_for(timeout=120_000)
    # no mentees: no empty forms; the school's summary and its list of missing guardians' consents
    assert page.locator(".lm-TabBar-tab").all_inner_texts() == [t("tab_school"), consent_texts.TAB_SCHOOL]
    assert summary.locator("tr.mh-class-row").count() >= 1
    page.get_by_role("button", name=t("export_button")).click()
    page.locator("a.mh-export-link").wait_for(timeout=60_000)
    screenshot(page, "workbench-school-summary")

    page.goto(running_hub.url + APPS + "导师匹配.ipynb")
    page.get_by_text(matching_texts.TITLE).first.wait_for(timeout=120_000)
    page.get_by_role("button", name=matching_texts.RUN).wait_for()
    screenshot(page, "matching-panel")


def test_psychology_teacher_sees_the_concerns_of_the_school(new_page, running_hub, screenshot):
    page = new_page("psych1")
    assert "导师工作台" in card_titles(page)
    page.goto(running_hub.url + APPS + "导师工作台.ipynb")
    page.wait_for_selector("table.mh-tracker tr.mh-row", timeout=120_000)  # psych1 mentors students too
    open_tab(page, "关注处理")
    queue = page.locator(".mh-concern-queue .mh-queue tr[data-flag]")
    queue.first.wait_for(timeout=60_000)  # the demo's concern, raised by teacher1 at the same school
    queue.first.scroll_into_view_if_needed()
    screenshot(page, "workbench-concerns-psych1")


def test_studio_leader_home_has_cases_and_research(new_page, screenshot):
    page = new_page("leader1")
    titles = card_titles(page)
    assert "案例研讨" in titles and "研究看板" in titles
    assert "评分" not in titles and "学校管理" not in titles
    screenshot(page, "home-leader1")
