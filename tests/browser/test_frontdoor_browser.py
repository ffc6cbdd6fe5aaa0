"""In Chromium: the Chinese front door for a teacher and a trainer, and JupyterLab in Chinese."""

import pytest

pytestmark = pytest.mark.browser


def test_teacher_sees_chinese_home_and_opens_jupyterlab_in_chinese(new_page, screenshot, running_hub):
    page = new_page("teacher1")
    assert page.locator("#mentorhub-home h1").inner_text().startswith("您好")
    titles = page.locator(".card-title").all_inner_texts()
    assert titles[:3] == ["我的培训课程", "导师工作台", "案例研讨"]
    assert "评分" not in titles
    workbench = page.locator("#section-workbench a.mentorhub-link").first.get_attribute("href")
    assert workbench.startswith("/hub/user-redirect/voila/render/apps/")
    screenshot(page, "home-teacher1")

    page.goto(f"{running_hub.url}/hub/user-redirect/lab?reset")
    page.wait_for_selector("#jp-main-dock-panel", timeout=120_000)
    menu = page.locator(".lm-MenuBar-itemLabel").first
    menu.wait_for(timeout=60_000)
    assert menu.inner_text() == "文件"  # the zh-CN language pack is the default locale
    screenshot(page, "lab-teacher1")


def test_trainer_sees_grading_links(new_page, screenshot):
    page = new_page("trainer1")
    titles = page.locator(".card-title").all_inner_texts()
    assert "评分" in titles
    assert "导师工作台" not in titles
    links = page.locator("#section-grading a.mentorhub-link")
    assert links.count() >= 1
    assert all(href.endswith("/formgrader") for href in
               (links.nth(i).get_attribute("href") for i in range(links.count())))
    screenshot(page, "home-trainer1")


def test_login_failure_message_is_chinese(new_page, running_hub):
    page = new_page()
    page.goto(f"{running_hub.url}/hub/login")
    assert page.locator("#login_submit").get_attribute("value") == "登录"
    page.fill("#username_input", "teacher5")
    page.fill("#password_input", "wrong-password")
    page.click("#login_submit")
    assert page.locator(".login_error").inner_text() == "用户名或密码不正确。"
