"""Case studies on the records service behind a real hub (``running_hub``, seeded demo district): the case
library, one discussion driven through the client-side ``ServiceRoom`` and the headless lobby by the
studio's host and two members (a non-member refused), minutes as .docx, and the research aggregates."""

from __future__ import annotations

import io
import json

import docx
import pytest
import requests

from hub.cases import library
from hub.cases.command import SHIPPED_FOLDER
from hub.cases.errors import Forbidden, Invalid
from widgets.case_library import CaseLibraryApp
from widgets.client import RecordsClient
from widgets.dashboards import DashboardApp
from widgets.discussion_client import ServiceRoom
from widgets.discussion_lobby import DiscussionLobby

pytestmark = pytest.mark.app
API = "/services/records/api/v1/"


@pytest.fixture(scope="module")
def client_for(running_hub):
    cache = {}

    def client(user):
        if user not in cache:
            cache[user] = RecordsClient(running_hub.url + API, running_hub.user_token(user))
        return cache[user]

    return client


def test_the_case_library_is_served_from_the_store(running_hub, client_for):
    shipped = library.load_library(SHIPPED_FOLDER)
    teacher = client_for("teacher1")
    assert [c["id"] for c in teacher.cases()] == [c.id for c in shipped]
    assert [c["id"] for c in teacher.cases(stage="高中")] == [c.id for c in library.filter_cases(shipped, stage="高中")]
    assert teacher.case(shipped[0].id)["background"] == shipped[0].background
    app = CaseLibraryApp.from_client(client_for("trainer1"))
    app.search.value = "家访"
    assert [c.id for c in app.visible_cases()] == [c.id for c in library.filter_cases(shipped, text="家访")]
    # the hub's own admin service is nobody's user: no groups, no roles
    refused = requests.get(running_hub.url + API + "cases", timeout=30,
                           headers={"Authorization": f"token {running_hub.admin_token}"})  # fmt: skip
    assert refused.status_code == 403 and refused.json()["error"]["message_zh"]


def test_one_discussion_through_the_service(running_hub, client_for):
    leader = DiscussionLobby(ServiceRoom(client_for("leader1")), "leader1", client_for("leader1").cases(),
                             poll_interval=None)  # fmt: skip
    assert leader.studio.options == (("东湖导师工作室", "donghu"),)
    leader.case.value = "b06-phone-gaming"
    leader.create.click()
    assert leader.app is not None, leader.message.value
    sid = leader.app.session_id
    member1 = DiscussionLobby.from_client(client_for("teacher1"), poll_interval=None)
    assert sid in dict((value, label) for label, value in member1.sessions.options)
    member1.sessions.value = sid
    member1.join.click()
    member2 = ServiceRoom(client_for("teacher2"))
    member2.join("teacher2", sid)

    outsider = DiscussionLobby.from_client(client_for("teacher6"), poll_interval=None)
    assert outsider.sessions.options == () and "不是任何导师工作室的成员" in outsider.message.value
    outsider.session_id.value = sid
    outsider.join_by_id.click()
    assert outsider.app is None and "不是本工作室成员" in outsider.message.value

    room1 = member1.app
    room1.text.value = "孩子周末作息颠倒，先和家长一起看一周的手机使用记录。"
    room1.submit.click()
    assert "已保存" in room1.message.value
    member2.contribute("teacher2", sid, "可以把游戏时间和运动时间绑定。")
    with pytest.raises(Forbidden):
        member2.advance("teacher2", sid)
    assert leader.app.poll_once() is True  # others' writes moved the version
    mine = room1.last_view.contributions[0]
    with pytest.raises(Forbidden):
        member2.edit_contribution("teacher2", mine.id, "改别人的发言")

    leader.app.advance_button.click()
    assert room1.poll_once() is True and "观点分享" in room1.header.value
    assert "游戏时间和运动时间" in room1.board.value  # the other member's analysis is visible now
    leader.app.advance_button.click()
    room1.poll_once()
    room1.text.value = "家校共同制定周末作息表，每周回顾一次。"
    room1.submit.click()
    with pytest.raises(Invalid) as info:
        member2.contribute("teacher2", sid, "请拨打 13812345678 联系家长")
    assert "个人身份" in str(info.value)
    member2.contribute("teacher2", sid, "每天运动半小时后再安排娱乐。")
    leader.app.advance_button.click()
    room1.poll_once()
    first = room1.proposal.options[0][1]
    room1.proposal.value = first
    room1.vote_button.click()
    member2.vote("teacher2", sid, first)
    leader.app.close_vote_button.click()
    leader.app.advance_button.click()
    leader.app.summary.value = "先用数据和家长对齐，再以作息表和运动替代减少游戏时间。"
    leader.app.finish.click()
    assert "研讨已结束" in leader.app.header.value, leader.app.message.value

    leader.app.export_button.click()
    assert "下载 Word 纪要" in leader.app.downloads.value
    minutes = requests.get(f"{running_hub.url}{API}discussions/{sid}/minutes", params={"format": "docx"},
                           headers={"Authorization": f"token {running_hub.user_token('teacher2')}"}, timeout=30)
    assert minutes.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(minutes.content)).paragraphs)
    view = ServiceRoom(client_for("leader1")).view("leader1", sid)
    assert len(view.contributions) == 4
    for contribution in view.contributions:
        assert contribution.text in text
    assert "2 票" in text and "作息表和运动" in text
    exports = client_for("admin").audit(action="minutes.export")
    assert {(e["actor"], e["entity_id"]) for e in exports} >= {("leader1", sid), ("teacher2", sid)}


def test_research_aggregates_for_leaders_not_teachers(running_hub, client_for):
    board = client_for("leader1").dashboards()
    assert board["scope"] == "district" and board["min_cell"] == 5
    rows = board["tables"]["tri_one"]
    assert {r["school"] for r in rows} == {"东湖初级中学", "西岭小学"} and all(r["students"] == 30 for r in rows)
    payload = json.dumps(board, ensure_ascii=False)
    assert "dh-601-01" not in payload and "student" not in payload.replace('"students"', "")
    app = DashboardApp.from_client(client_for("leader1"))
    assert "三个一" in app.tabs.titles[0] and app.images["tri_one"].value  # first chart drawn
    school_board = client_for("schooladmin2").dashboards()
    assert {r["school"] for r in school_board["tables"]["tri_one"]} == {"西岭小学"}
    refused = requests.get(running_hub.url + API + "dashboards", timeout=30,
                           headers={"Authorization": f"token {running_hub.user_token('teacher1')}"})  # fmt: skip
    assert refused.status_code == 403 and "研究看板" in refused.json()["error"]["message_zh"]
