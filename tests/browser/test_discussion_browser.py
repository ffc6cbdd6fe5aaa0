"""One case discussion end to end in a real Chromium through the Voilà page 案例研讨: the studio's host
(leader1) and two members (teacher1, teacher2) in three browser contexts; contributions and round
changes reach the others' pages by polling, without reloading; a non-member (teacher6) is refused; the
exported .docx opens with python-docx and holds every contribution."""

from __future__ import annotations

import docx
import pytest

pytestmark = pytest.mark.browser

PAGE = "/hub/user-redirect/voila/render/apps/案例研讨.ipynb"
CASE_TITLE = "沉迷手机游戏、作息颠倒的初三学生"
ANALYSIS = {"teacher1": "周末作息颠倒，先和家长一起看一周的手机使用记录。", "teacher2": "游戏是他和同伴联系的方式，不宜简单没收。"}
PROPOSALS = {"teacher1": "家校共同制定周末作息表，每周回顾一次。", "teacher2": "每天运动半小时后再安排娱乐时间。"}
SUMMARY = "先用数据和家长对齐，再以作息表和运动替代，逐步减少游戏时间。"


def open_page(page, hub_url: str) -> None:
    page.goto(hub_url + PAGE)
    page.wait_for_selector(".mh-discussion", timeout=120_000)


def room_button(page, name: str):
    return page.locator(".mh-room").get_by_role("button", name=name, exact=True)


def wait_round(page, round_name: str) -> None:
    page.locator(".mh-room-header", has_text=f"当前环节：{round_name}").wait_for(timeout=30_000)


def contribute(page, text: str) -> None:
    page.get_by_placeholder("我的发言").fill(text)
    room_button(page, "提交").click()
    page.locator(".mh-room-board", has_text=text).wait_for()


def test_three_people_run_one_discussion_and_an_outsider_is_refused(new_page, running_hub, screenshot, tmp_path):
    leader = new_page("leader1")
    open_page(leader, running_hub.url)
    case_select = leader.locator(".widget-dropdown", has_text="案例").locator("select")
    case_value = case_select.locator("option", has_text=CASE_TITLE).get_attribute("value")
    case_select.select_option(value=case_value)
    leader.get_by_role("button", name="发起研讨").click()
    room_id = leader.locator(".mh-room-id").inner_text(timeout=30_000).split("：")[-1].strip()
    wait_round(leader, "独立分析")

    members = {}
    for user in ("teacher1", "teacher2"):
        page = new_page(user)
        open_page(page, running_hub.url)
        sessions = page.locator(".widget-dropdown", has_text="研讨活动").locator("select")
        sessions.select_option(value=sessions.locator("option", has_text=room_id).get_attribute("value"))
        page.get_by_role("button", name="加入", exact=True).click()
        wait_round(page, "独立分析")
        members[user] = page
    for user, page in members.items():
        contribute(page, ANALYSIS[user])
    # during 独立分析 nobody sees the other's analysis
    assert ANALYSIS["teacher2"] not in members["teacher1"].locator(".mh-room-board").inner_text()
    leader.locator(".mh-room-header", has_text="teacher2").wait_for()  # joins reached the host by polling
    screenshot(leader, "discussion-analysis-leader")

    room_button(leader, "进入下一环节").click()
    for page in members.values():
        wait_round(page, "观点分享")  # no reload: the page polled the service
    members["teacher1"].locator(".mh-room-board", has_text=ANALYSIS["teacher2"]).wait_for()
    room_button(leader, "进入下一环节").click()
    for user, page in members.items():
        wait_round(page, "策略提案")
        contribute(page, PROPOSALS[user])
    members["teacher2"].locator(".mh-room-board", has_text=PROPOSALS["teacher1"]).wait_for()
    leader.locator(".mh-room-board", has_text=PROPOSALS["teacher2"]).wait_for()

    room_button(leader, "进入下一环节").click()
    for page in members.values():
        wait_round(page, "投票")
        choice = page.locator(".mh-room .widget-dropdown", has_text="投票给").locator("select")
        choice.select_option(value=choice.locator("option", has_text=PROPOSALS["teacher1"][:10]).get_attribute("value"))
        room_button(page, "投票").click()
        page.locator(".mh-room-message", has_text="已保存").wait_for()
    room_button(leader, "结束投票").click()
    leader.locator(".mh-room-message", has_text="已保存").wait_for()
    room_button(leader, "进入下一环节").click()
    wait_round(leader, "总结")
    leader.get_by_placeholder("总结").fill(SUMMARY)
    room_button(leader, "保存并结束研讨").click()
    leader.locator(".mh-room-header", has_text="研讨已结束").wait_for()
    members["teacher1"].locator(".mh-room-board", has_text=SUMMARY).wait_for()
    screenshot(members["teacher1"], "discussion-finished-member")

    room_button(leader, "导出纪要").click()
    with leader.expect_download() as download_info:
        leader.locator(".mh-room-downloads a", has_text="Word").click()
    path = tmp_path / "minutes.docx"
    download_info.value.save_as(path)
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    for contribution in (*ANALYSIS.values(), *PROPOSALS.values(), SUMMARY):
        assert contribution in text
    assert "2 票" in text
    screenshot(leader, "discussion-finished-leader")

    outsider = new_page("teacher6")
    open_page(outsider, running_hub.url)
    outsider.locator(".mh-lobby-message", has_text="不是任何导师工作室的成员").wait_for()
    outsider.locator(".widget-text", has_text="研讨编号").locator("input").fill(room_id)
    outsider.get_by_role("button", name="加入（研讨编号）").click()
    outsider.locator(".mh-lobby-message", has_text="不是本工作室成员").wait_for()
    assert outsider.locator(".mh-room").count() == 0
    screenshot(outsider, "discussion-outsider-refused")


def test_case_library_and_dashboards_pages_read_the_service(new_page, running_hub, screenshot):
    page = new_page("leader1")
    page.goto(running_hub.url + "/hub/user-redirect/voila/render/apps/案例库.ipynb")
    page.get_by_text("共 13 个案例").wait_for(timeout=120_000)
    page.locator(".widget-text", has_text="搜索").locator("input").fill("选科")
    page.get_by_text("共 1 个案例").wait_for()
    page.locator(".widget-select select").select_option(index=0)
    page.get_by_text("物理还是历史").first.wait_for()
    screenshot(page, "case-library-from-service")

    page.goto(running_hub.url + "/hub/user-redirect/voila/render/apps/研究看板.ipynb")
    page.locator(".lm-TabBar-tab", has_text="三个一").wait_for(timeout=120_000)
    table = page.locator("table.dataframe").first
    for school in ("东湖初级中学", "西岭小学"):
        table.get_by_text(school).first.wait_for()
    assert "dh-601-01" not in page.content()
    screenshot(page, "dashboards-from-service")
